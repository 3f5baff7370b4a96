package faults_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/cardpay/cardpaytest"
	"github.com/carebill/carebill/internal/faults"
	invoicingwire "github.com/carebill/carebill/internal/wire/invoicing"
	paymentswire "github.com/carebill/carebill/internal/wire/payments"
)

// coordinatorAPI is the invoicing and payments functions routed as
// template.yaml routes them, each with the injector in its AWS calls and
// the payments function's Stripe calls going through stripe.
type coordinatorAPI struct {
	*system
	stripe *faults.Transport
	logs   *logBuffer // both functions' logs, JSON lines
	clock  *clock     // the invoicing API's clock (Idempotency-Key expiry)
}

func newCoordinatorAPI(t *testing.T) *coordinatorAPI {
	t.Helper()
	ctx := context.Background()
	s := newSystem(t)
	s.srv = s.st.Site(t)
	penv := s.st.Env(t, "PaymentsFunction")
	if err := provision.PutSecureStrings(ctx, s.st.AWS, map[string]string{
		penv("STRIPE_KEY_PARAM"): "sk_test_carebill", penv("STRIPE_WEBHOOK_SECRET_PARAM"): cardpaytest.Secret,
	}); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "STRIPE_API_BASE" {
			return stripeMock.URL
		}
		return penv(k)
	}
	tr := &faults.Transport{}
	logs := &logBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	clk := &clock{}
	invoicing, err := invoicingwire.NewWithClock(ctx, s.st.Env(t, "InvoicingFunction"), s.awsFor("InvoicingFunction"), log, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	payments, err := paymentswire.NewWithStripeClient(ctx, env, s.awsFor("PaymentsFunction"), log, &http.Client{Transport: tr, Timeout: stripeTimeout})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", invoicing)
	for _, p := range []string{"POST /webhooks/stripe", "POST /pay/{token}/checkout", "POST /pay-all/{token}/checkout", "/v1/payments", "/v1/payments/"} {
		mux.Handle(p, payments)
	}
	s.serve(mux, "Throttled Care")
	return &coordinatorAPI{system: s, stripe: tr, logs: logs, clock: clk}
}

// stripeTimeout is the payments function's Stripe client timeout in
// these tests (8 s deployed), so a delayed reply times out quickly.
const stripeTimeout = time.Second

// logBuffer collects log lines from concurrent requests.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines are the log lines that contain every one of words.
func (b *logBuffer) lines(words ...string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, l := range strings.Split(b.buf.String(), "\n") {
		all := l != ""
		for _, w := range words {
			all = all && strings.Contains(l, w)
		}
		if all {
			out = append(out, l)
		}
	}
	return out
}

// sequence is the number at the end of an invoice number (INV-00042: 42).
func sequence(t *testing.T, number string) int {
	t.Helper()
	i := strings.LastIndexFunc(number, func(r rune) bool { return r < '0' || r > '9' })
	n, err := strconv.Atoi(number[i+1:])
	if err != nil {
		t.Fatalf("invoice number %q: %v", number, err)
	}
	return n
}

// TestThrottledFinalizeAndPayment: DynamoDB throttles the transaction
// that finalizes an invoice. Once, and the SDK's retry rides it out; past
// the SDK's three tries, and the API answers 503 with Retry-After, having
// changed nothing: the invoice is still a draft and no number is used.
// The client's retry with the same Idempotency-Key then finalizes it
// once, and numbers stay gapless. Recording a payment behaves the same:
// one payment however the retries fall.
func TestThrottledFinalizeAndPayment(t *testing.T) {
	t.Parallel()
	s := newCoordinatorAPI(t)
	cid := s.client("throttle-"+unique()+"@example.com", "")
	first, second := s.draft(cid), s.draft(cid)

	throttled := s.aws.Add(faults.Rule{Service: "DynamoDB", Operation: "TransactWriteItems", Times: 3,
		Err: faults.Throttling("ProvisionedThroughputExceededException")})
	r := s.do("POST", "/v1/invoices/"+first+"/finalize", nil, "Idempotency-Key", "fin-"+first)
	if r.status != 503 || r.str("error", "code") != "unavailable" || r.header.Get("Retry-After") == "" {
		t.Fatalf("finalize throttled past the SDK's retries = %d %s (Retry-After %q), want 503 unavailable with Retry-After", r.status, r.raw, r.header.Get("Retry-After"))
	}
	if throttled.Faulted() != 3 {
		t.Fatalf("the transaction was tried %d times, want the SDK's 3", throttled.Faulted())
	}
	if inv := s.must(200, "GET", "/v1/invoices/"+first, nil); inv.str("status") != "draft" || inv.str("number") != "" {
		t.Fatalf("after the 503 the invoice is %s %q, want an unnumbered draft", inv.str("status"), inv.str("number"))
	}

	fin := s.must(200, "POST", "/v1/invoices/"+first+"/finalize", nil, "Idempotency-Key", "fin-"+first)
	again := s.must(200, "POST", "/v1/invoices/"+first+"/finalize", nil, "Idempotency-Key", "fin-"+first)
	if again.header.Get("Idempotent-Replayed") != "true" || again.raw != fin.raw {
		t.Errorf("a repeat of the finalize was not replayed: %s", again.raw)
	}

	once := s.aws.Add(faults.Rule{Service: "DynamoDB", Operation: "TransactWriteItems", Times: 1,
		Err: faults.Throttling("ThrottlingException")})
	next := s.must(200, "POST", "/v1/invoices/"+second+"/finalize", nil)
	if once.Faulted() != 1 {
		t.Fatalf("the second finalize met %d throttles, want 1", once.Faulted())
	}
	if a, b := sequence(t, fin.str("number")), sequence(t, next.str("number")); b != a+1 {
		t.Errorf("numbers %s then %s: the throttled attempt used a number", fin.str("number"), next.str("number"))
	}

	s.aws.Add(faults.Rule{Service: "DynamoDB", Operation: "TransactWriteItems", Times: 3,
		Err: faults.Throttling("ProvisionedThroughputExceededException")})
	body := map[string]any{"clientId": cid, "amount": "100.00", "method": "bank_transfer", "reference": "EFT 1"}
	if r := s.do("POST", "/v1/payments", body, "Idempotency-Key", "pay-"+cid); r.status != 503 || r.header.Get("Retry-After") == "" {
		t.Fatalf("payment throttled past the SDK's retries = %d %s, want 503 with Retry-After", r.status, r.raw)
	}
	p1 := s.must(201, "POST", "/v1/payments", body, "Idempotency-Key", "pay-"+cid)
	p2 := s.must(201, "POST", "/v1/payments", body, "Idempotency-Key", "pay-"+cid)
	if p1.str("id") != p2.str("id") || p2.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the retried payment gave %s then %s", p1.str("id"), p2.str("id"))
	}
	if n := len(s.must(200, "GET", "/v1/payments?clientId="+cid, nil).list("data")); n != 1 {
		t.Errorf("%d payments recorded, want 1", n)
	}
}
