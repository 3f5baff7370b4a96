package faults_test

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/carebill/carebill/internal/cardpay/cardpaytest"
	"github.com/carebill/carebill/internal/faults"
)

// payToken is the token of the invoice's pay link.
func (s *coordinatorAPI) payToken(iid string) string {
	s.t.Helper()
	link := s.must(200, "GET", "/v1/invoices/"+iid+"/pay-link", nil).str("url")
	_, token, ok := strings.Cut(link, "/pay/")
	if !ok {
		s.t.Fatalf("pay link %q", link)
	}
	return token
}

// checkoutKeys are the Idempotency-Key headers of the Checkout Session
// requests that reached Stripe.
func (s *coordinatorAPI) checkoutKeys() []string {
	var keys []string
	for _, r := range s.stripe.Requests() {
		if r.Method == "POST" && r.URL.Path == "/v1/checkout/sessions" {
			keys = append(keys, r.Header.Get("Idempotency-Key"))
		}
	}
	return keys
}

// TestCheckoutTimeoutsMakeOneSession: creating the Checkout Session loses
// Stripe's reply three times (stripe-go's try and two retries), then
// times out three times. Each time the payer is told card payments are
// unavailable just now (503), and every request Stripe saw carried one
// idempotency key, so however many reached it Stripe made one session.
// The payer's next click gets that session.
func TestCheckoutTimeoutsMakeOneSession(t *testing.T) {
	t.Parallel()
	s := newCoordinatorAPI(t)
	iid := s.draft(s.client("checkout-"+unique()+"@example.com", ""))
	s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
	token := s.payToken(iid)
	s.token = "" // the payer is not signed in

	s.stripe.LoseReplies(3)
	if r := s.do("POST", "/pay/"+token+"/checkout", nil); r.status != 503 || r.str("error", "code") != "card_payments_unavailable" {
		t.Fatalf("checkout with Stripe's replies lost = %d %s, want 503 card_payments_unavailable", r.status, r.raw)
	}
	s.stripe.Delay(3, 2*stripeTimeout)
	if r := s.do("POST", "/pay/"+token+"/checkout", nil, "Accept", "text/html"); r.status != 503 || !strings.Contains(r.raw, "Card payments are unavailable") {
		t.Fatalf("checkout with Stripe timing out = %d %s, want the 503 page", r.status, r.raw)
	}
	r := s.do("POST", "/pay/"+token+"/checkout", nil)
	if r.status != 303 || !strings.HasPrefix(r.header.Get("Location"), "https://") {
		t.Fatalf("checkout once Stripe answers = %d %s %q, want a redirect to the session", r.status, r.raw, r.header.Get("Location"))
	}
	keys := s.checkoutKeys()
	if len(keys) != 7 {
		t.Fatalf("%d session requests reached Stripe, want 7 (3 lost, 3 timed out, 1 answered)", len(keys))
	}
	for _, k := range keys {
		if k != keys[0] || k == "" {
			t.Fatalf("idempotency keys %v: a retry could make a second session", keys)
		}
	}
}

// TestWebhookFailuresRecordOnce: Stripe's event that an invoice was paid
// meets DynamoDB throttling past the SDK's retries (503: Stripe delivers
// it again, and the redelivery records it), a lost reply after the
// payment's transaction committed (the SDK's retry finds the payment
// already recorded) and a crash after the commit (the redelivery is told
// the event is in progress, then, once that expires, finds the payment).
// Each invoice gets one payment.
func TestWebhookFailuresRecordOnce(t *testing.T) {
	t.Parallel()
	s := newCoordinatorAPI(t)
	s.srv.Config.ErrorLog = discardLog
	cid := s.client("webhook-"+unique()+"@example.com", "")
	orgID := s.must(200, "GET", "/v1/org", nil).str("id")
	var invoices []string
	for range 3 {
		iid := s.draft(cid)
		s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
		invoices = append(invoices, iid)
	}
	token := s.token
	deliver := func(iid, eventID, intent string) reply {
		t.Helper()
		pay := cardpaytest.Payment{SessionID: "cs_test_" + eventID, IntentID: intent, OrgID: orgID, InvoiceID: iid, Currency: "aud", Amount: 226050, Fee: "0.00"}
		body := pay.SessionCompleted(eventID, time.Now())
		s.token = ""
		defer func() { s.token = token }()
		return s.try("POST", "/webhooks/stripe", string(body), "Stripe-Signature", cardpaytest.Sign(body, cardpaytest.Secret, time.Now()))
	}
	paid := func(iid string) {
		t.Helper()
		if inv := s.must(200, "GET", "/v1/invoices/"+iid, nil); inv.str("status") != "paid" || inv.str("balance") != "0.00" {
			t.Fatalf("invoice %s is %s with %s owing, want paid", iid, inv.str("status"), inv.str("balance"))
		}
	}

	// Throttled past the SDK's retries: refused, then recorded on redelivery.
	s.aws.Add(faults.Rule{Service: "DynamoDB", Operation: "TransactWriteItems", Times: 3, Err: faults.Throttling("ProvisionedThroughputExceededException")})
	intent := newIntent()
	if r := deliver(invoices[0], "evt_throttled", intent); r.err != nil || r.status != 503 {
		t.Fatalf("throttled webhook = %d %s (%v), want 503 so Stripe delivers again", r.status, r.raw, r.err)
	}
	if r := deliver(invoices[0], "evt_throttled", intent); r.status != 200 || r.str("paymentId") == "" {
		t.Fatalf("redelivery = %d %s", r.status, r.raw)
	}
	paid(invoices[0])

	// The transaction commits and its reply is lost: the SDK tries again.
	lost := s.aws.Add(faults.Rule{Service: "DynamoDB", Operation: "TransactWriteItems", Times: 1, Mode: faults.LoseReply})
	if r := deliver(invoices[1], "evt_lost", newIntent()); r.status != 200 || r.str("paymentId") == "" || lost.Faulted() != 1 {
		t.Fatalf("webhook whose commit's reply was lost = %d %s (faulted %d)", r.status, r.raw, lost.Faulted())
	}
	paid(invoices[1])

	// The function dies after the commit: no answer; Stripe delivers again.
	crash := s.aws.Add(faults.Rule{Service: "DynamoDB", Operation: "TransactWriteItems", Times: 1, Mode: faults.Crash})
	intent = newIntent()
	if r := deliver(invoices[2], "evt_crash", intent); r.err == nil || crash.Faulted() != 1 {
		t.Fatalf("crashed webhook answered %d %s", r.status, r.raw)
	}
	if r := deliver(invoices[2], "evt_crash", intent); r.status != 409 {
		t.Fatalf("redelivery while the crashed one is in progress = %d %s, want 409", r.status, r.raw)
	}
	s.expireInProgress()
	first := deliver(invoices[2], "evt_crash", intent)
	if first.status != 200 || first.str("paymentId") == "" {
		t.Fatalf("redelivery after the crash = %d %s", first.status, first.raw)
	}
	if r := deliver(invoices[2], "evt_crash", intent); r.status != 200 || r.str("duplicate") == "" && r.body["duplicate"] != true {
		t.Errorf("a further redelivery = %d %s, want a duplicate", r.status, r.raw)
	}
	paid(invoices[2])

	if n := len(s.must(200, "GET", "/v1/payments?clientId="+cid, nil).list("data")); n != 3 {
		t.Errorf("%d payments for 3 paid invoices", n)
	}
}

// TestIdempotencyCompletionFailureIsLogged: the request runs and answers,
// but storing its reply under the Idempotency-Key fails. The failure is
// logged, the client still gets the answer, and a retry with the key is
// told the request is in progress rather than running it again.
func TestIdempotencyCompletionFailureIsLogged(t *testing.T) {
	t.Parallel()
	s := newCoordinatorAPI(t)
	cid := s.client("complete-"+unique()+"@example.com", "")
	table := s.st.Resources.IDs["IdempotencyTable"]
	s.aws.Add(faults.Rule{Service: "DynamoDB", Operation: "PutItem", Err: faults.ServerError(500, "InternalServerError"),
		Match: func(in any) bool {
			put, ok := in.(*dynamodb.PutItemInput)
			return ok && *put.TableName == table && put.ConditionExpression == nil // Complete: an unconditional put
		}})
	key := "draft-" + unique()
	body := map[string]any{"clientId": cid, "name": "Report", "lineItems": []map[string]any{{"type": "fixed", "description": "Report", "amount": "120"}}}
	s.must(201, "POST", "/v1/invoices", body, "Idempotency-Key", key)
	if got := s.logs.lines(`"level":"ERROR"`, "idempotency: complete key", "InternalServerError"); len(got) != 1 {
		t.Fatalf("log lines about the failed completion: %v", got)
	}
	if r := s.do("POST", "/v1/invoices", body, "Idempotency-Key", key); r.status != 409 || r.str("error", "code") != "request_in_progress" {
		t.Errorf("retry = %d %s, want 409 request_in_progress", r.status, r.raw)
	}
}

func newIntent() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "pi_test_" + hex.EncodeToString(b[:])
}
