package httpapi_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/cardpay/cardpaytest"
	"github.com/carebill/carebill/internal/httpapi"
	"github.com/carebill/carebill/internal/openapitest"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/teststack"
	invoicingwire "github.com/carebill/carebill/internal/wire/invoicing"
	paymentswire "github.com/carebill/carebill/internal/wire/payments"
)

// cardAPI is the invoicing, payments and documents functions over one fresh stack,
// routed as template.yaml routes them, with the payments function's Stripe
// client aimed at stripe-mock through a recorder.
type cardAPI struct {
	*api
	stripe   *testenv.StripeRecorder
	st       *teststack.Stack
	payments http.Handler // the payments function alone
}

func newCardAPI(t *testing.T) *cardAPI {
	t.Helper()
	ctx := context.Background()
	st := teststack.New(t, moto)
	srv := st.Site(t)
	rec := stripeMock.Recorder(t)
	penv := st.Env(t, "PaymentsFunction")
	// As an operator does before deploying: the secrets go into SSM under
	// the names the template gives the function.
	if err := provision.PutSecureStrings(ctx, st.AWS, map[string]string{
		penv("STRIPE_KEY_PARAM"): "sk_test_carebill", penv("STRIPE_WEBHOOK_SECRET_PARAM"): cardpaytest.Secret,
	}); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "STRIPE_API_BASE" {
			return rec.URL
		}
		return penv(k)
	}
	quiet := slog.New(slog.DiscardHandler)
	invoicing, err := invoicingwire.New(ctx, st.Env(t, "InvoicingFunction"), st.AWSFor("InvoicingFunction"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	payments, err := paymentswire.New(ctx, env, st.AWSFor("PaymentsFunction"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	docs := newDocuments(t, st)
	mux := http.NewServeMux()
	mux.Handle("/", invoicing)
	for _, p := range []string{"POST /webhooks/stripe", "POST /pay/{token}/checkout", "POST /pay-all/{token}/checkout", "/v1/payments", "/v1/payments/"} {
		mux.Handle(p, payments)
	}
	mountDocuments(mux, docs)
	srv.Config.Handler = openapitest.Validate(t, mux)
	srv.Start()
	return &cardAPI{api: &api{t: t, srv: srv, h: invoicing, docs: docs, st: st}, stripe: rec, st: st, payments: payments}
}

// routes lists the route patterns of every function the site serves:
// invoicing, payments and documents, each from its own router's table.
func (c *cardAPI) routes() []string {
	var out []string
	for _, h := range []http.Handler{c.h, c.payments, c.docs} {
		out = append(out, httpapi.Patterns(h)...)
	}
	return out
}

// payToken finalizes nothing; it fetches the invoice's pay link and
// returns the token in it.
func payToken(s *session, iid string) string {
	s.a.t.Helper()
	link := s.must(200, "GET", "/v1/invoices/"+iid+"/pay-link", nil).str("url")
	_, token, ok := strings.Cut(link, "/pay/")
	if !ok {
		s.a.t.Fatalf("pay link %q", link)
	}
	return token
}

// browser is the client on the pay page: no sign-in, redirects not followed.
func (c *cardAPI) browser(header map[string]string) *session {
	return &session{a: c.api, header: header, client: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// deliver posts a webhook as Stripe would.
func (c *cardAPI) deliver(body []byte, signature string) reply {
	c.t.Helper()
	return (&session{a: c.api, client: http.DefaultClient, header: map[string]string{"Stripe-Signature": signature}}).
		do("POST", "/webhooks/stripe", string(body))
}

func newIntent() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "pi_test_" + hex.EncodeToString(b[:])
}

func TestCardCheckoutAndWebhook(t *testing.T) {
	testenv.Require(t, "pdftotext", "qpdf")
	t.Parallel()
	c := newCardAPI(t)
	s := c.signup("Card Care")
	orgID := s.must(200, "GET", "/v1/org", nil).str("id")
	if fp := s.must(200, "GET", "/v1/org", nil); fp.str("feePolicy", "mode") != "absorb" {
		t.Fatalf("default fee policy: %s", fp.raw)
	}
	s.must(400, "PATCH", "/v1/org", map[string]any{"feePolicy": map[string]any{"mode": "pass_through", "percent": "25"}})
	s.must(400, "PATCH", "/v1/org", map[string]any{"feePolicy": map[string]any{"mode": "pass_through", "fixed": "0.305"}})
	s.must(400, "PATCH", "/v1/org", map[string]any{"stripeAccountId": "acct_123"}) // operators only: not a field admins can send
	o := s.must(200, "PATCH", "/v1/org", map[string]any{"feePolicy": map[string]any{"mode": "pass_through", "percent": "1.75", "fixed": "0.30"}})
	if o.str("feePolicy", "mode") != "pass_through" || o.str("feePolicy", "percent") != "1.75" || o.str("feePolicy", "fixed") != "0.30" {
		t.Fatalf("fee policy: %s", o.raw)
	}
	cid, iid := finalizedInvoice(s, "Zoë Müller-Ng")
	token := payToken(s, iid)

	// Checkout: the balance plus 1.75% + $0.30 of it, in AUD; 303 to Stripe.
	client := c.browser(nil)
	r := client.must(303, "POST", "/pay/"+token+"/checkout", nil)
	loc := r.header.Get("Location")
	if !strings.HasPrefix(loc, "https://checkout.stripe.com/") {
		t.Fatalf("redirect to %q", loc)
	}
	path, form := c.stripe.Last(t)
	if path != "POST /v1/checkout/sessions" {
		t.Fatalf("asked Stripe for %s", path)
	}
	for k, want := range map[string]string{
		"line_items[0][price_data][unit_amount]":        "226050",
		"line_items[0][price_data][currency]":           "aud",
		"line_items[0][price_data][product_data][name]": "Invoice INV-00001",
		"line_items[1][price_data][unit_amount]":        "3986", // 2260.50 × 1.75% + 0.30 = 39.85875
		"metadata[carebill_org]":                        orgID,
		"metadata[carebill_invoice]":                    iid,
		"metadata[carebill_fee]":                        "39.86",
		"success_url":                                   c.srv.URL + "/pay/" + token + "?checkout=success",
		"cancel_url":                                    c.srv.URL + "/pay/" + token + "?checkout=cancelled",
	} {
		if got := form.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if form.Has("payment_intent_data[transfer_data][destination]") {
		t.Errorf("a destination without a connected account")
	}
	// The client cannot choose the amount: whatever they send, the balance is charged.
	client.must(303, "POST", "/pay/"+token+"/checkout", `{"amount":"1.00"}`)
	if _, f := c.stripe.Last(t); f.Get("line_items[0][price_data][unit_amount]") != "226050" {
		t.Fatalf("a client-chosen amount reached Stripe: %v", f)
	}
	// An Idempotency-Key replays the first redirect without a second session.
	keyed := c.browser(map[string]string{"Idempotency-Key": "pay-once"})
	first := keyed.must(303, "POST", "/pay/"+token+"/checkout", nil)
	n := c.stripe.Count()
	again := keyed.must(303, "POST", "/pay/"+token+"/checkout", nil)
	if again.header.Get("Location") != first.header.Get("Location") || again.header.Get("Idempotent-Replayed") != "true" || c.stripe.Count() != n {
		t.Fatalf("replayed checkout: %v", again.header)
	}

	// Forged and malformed tokens open nothing and reach no Stripe.
	n = c.stripe.Count()
	forged := orgID + "." + strings.Repeat("A", 43)
	for _, tok := range []string{forged, "nonsense", orgID + "." + token[len(orgID)+1:len(token)-1] + "B"} {
		if r := client.do("POST", "/pay/"+tok+"/checkout", nil); r.status != 404 || r.str("error", "code") != "not_found" {
			t.Errorf("token %q: %d %s", tok, r.status, r.raw)
		}
	}
	if c.stripe.Count() != n {
		t.Fatalf("a bad token reached Stripe")
	}

	// Stripe reports the payment: one payment, one receipt, invoice paid.
	pay := cardpaytest.Payment{SessionID: "cs_test_card_care", IntentID: newIntent(), OrgID: orgID, InvoiceID: iid, Currency: "aud", Amount: 230036, Fee: "39.86"}
	body := pay.SessionCompleted("evt_card_1", time.Now())
	w := c.deliver(body, cardpaytest.Sign(body, cardpaytest.Secret, time.Now()))
	if w.status != 200 || w.str("paymentId") == "" {
		t.Fatalf("webhook: %d %s", w.status, w.raw)
	}
	pid := w.str("paymentId")
	p := s.must(200, "GET", "/v1/payments/"+pid, nil)
	if p.str("method") != "card" || p.str("amount") != "2260.50" || p.str("processingFee") != "39.86" || p.str("reference") != pay.IntentID ||
		p.str("receiptNumber") != "RCT-00001" || p.str("credit") != "0.00" || p.str("clientId") != cid {
		t.Fatalf("card payment: %s", p.raw)
	}
	if al := p.body["allocations"].([]any); len(al) != 1 || al[0].(map[string]any)["invoiceId"] != iid || al[0].(map[string]any)["amount"] != "2260.50" {
		t.Fatalf("allocations: %s", p.raw)
	}
	if inv := s.must(200, "GET", "/v1/invoices/"+iid, nil); inv.str("status") != "paid" || inv.str("balance") != "0.00" || inv.str("amountPaid") != "2260.50" {
		t.Fatalf("invoice after card payment: %s", inv.raw)
	}
	if cl := s.must(200, "GET", "/v1/clients/"+cid, nil); cl.str("balance", "owing") != "0.00" || cl.str("balance", "credit") != "0.00" {
		t.Fatalf("client after card payment: %s", cl.raw)
	}
	txt := pdfText(t, s, "/v1/payments/"+pid+"/receipt.pdf")
	for _, want := range []string{"RCT-00001", "Card", "INV-00001", "Card processing fee", "$39.86", "$2,300.36"} {
		if !strings.Contains(txt, want) {
			t.Errorf("receipt lacks %q:\n%s", want, txt)
		}
	}
	var kinds []string
	for _, e := range s.must(200, "GET", "/v1/invoices/"+iid+"/activity", nil).list() {
		kinds = append(kinds, fmt.Sprint(e["kind"], "/", e["actor"]))
	}
	if len(kinds) == 0 || kinds[0] != "payment_recorded/card payment" {
		t.Fatalf("activity %v", kinds)
	}

	// Nothing is owed now: no checkout.
	if r := client.do("POST", "/pay/"+token+"/checkout", nil); r.status != 409 || r.str("error", "code") != "nothing_owed" {
		t.Fatalf("checkout of a paid invoice: %d %s", r.status, r.raw)
	}
	// The probe's finding 9: a browser's failed checkout got JSON; it gets a page.
	browser := &session{a: c.api, client: http.DefaultClient, header: map[string]string{
		"Accept": "text/html,application/xhtml+xml", "Content-Type": "application/x-www-form-urlencoded",
	}}
	if r := browser.do("POST", "/pay/"+token+"/checkout", ""); r.status != 409 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(r.raw, "Nothing to pay") || !strings.Contains(r.raw, `href="/pay/`+token+`"`) {
		t.Fatalf("browser checkout of a paid invoice: %d %s %s", r.status, r.header.Get("Content-Type"), r.raw)
	}

	// The same event five times, and the intent's own event: still one payment.
	for i := range 5 {
		w := c.deliver(body, cardpaytest.Sign(body, cardpaytest.Secret, time.Now()))
		if w.status != 200 || w.body["duplicate"] != true {
			t.Fatalf("replay %d: %d %s", i, w.status, w.raw)
		}
	}
	pi := pay.IntentSucceeded("evt_card_2", time.Now())
	if w := c.deliver(pi, cardpaytest.Sign(pi, cardpaytest.Secret, time.Now())); w.status != 200 || w.str("paymentId") != pid {
		t.Fatalf("intent event: %d %s", w.status, w.raw)
	}
	if l := s.must(200, "GET", "/v1/payments?clientId="+cid, nil).list(); len(l) != 1 {
		t.Fatalf("%d payments recorded, want 1", len(l))
	}
}

func TestCardWebhookForgedOrStaleChangesNothing(t *testing.T) {
	t.Parallel()
	c := newCardAPI(t)
	s := c.signup("Guarded Card Care")
	orgID := s.must(200, "GET", "/v1/org", nil).str("id")
	cid, iid := finalizedInvoice(s, "Sam Lee")
	pay := cardpaytest.Payment{SessionID: "cs_test_guard", IntentID: newIntent(), OrgID: orgID, InvoiceID: iid, Currency: "aud", Amount: 226050, Fee: "0.00"}
	body := pay.SessionCompleted("evt_guard_1", time.Now())
	for name, sig := range map[string]string{
		"forged":   cardpaytest.Sign(body, "whsec_not_the_secret", time.Now()),
		"stale":    cardpaytest.Sign(body, cardpaytest.Secret, time.Now().Add(-10*time.Minute)),
		"future":   cardpaytest.Sign(body, cardpaytest.Secret, time.Now().Add(10*time.Minute)),
		"unsigned": "",
	} {
		if w := c.deliver(body, sig); w.status != 400 || w.str("error", "code") != "invalid_signature" {
			t.Errorf("%s: %d %s", name, w.status, w.raw)
		}
	}
	if l := s.must(200, "GET", "/v1/payments", nil).list(); len(l) != 0 {
		t.Fatalf("a refused webhook recorded %d payments", len(l))
	}
	if inv := s.must(200, "GET", "/v1/invoices/"+iid, nil); inv.str("status") != "open" || inv.str("balance") != "2260.50" {
		t.Fatalf("invoice changed: %s", inv.raw)
	}
	// The refused deliveries did not use up the event id: the genuine one counts.
	if w := c.deliver(body, cardpaytest.Sign(body, cardpaytest.Secret, time.Now())); w.status != 200 || w.str("paymentId") == "" {
		t.Fatalf("genuine delivery: %d %s", w.status, w.raw)
	}
	if cl := s.must(200, "GET", "/v1/clients/"+cid, nil); cl.str("balance", "owing") != "0.00" {
		t.Fatalf("client: %s", cl.raw)
	}
}

// TestCardEventsOutOfOrderAndConcurrent: the intent's event before the
// session's, and then a burst of distinct events for one payment at once,
// record one payment each time.
func TestCardEventsOutOfOrderAndConcurrent(t *testing.T) {
	t.Parallel()
	c := newCardAPI(t)
	s := c.signup("Ordered Card Care")
	orgID := s.must(200, "GET", "/v1/org", nil).str("id")
	cid, iid := finalizedInvoice(s, "Aroha Tane")

	first := cardpaytest.Payment{SessionID: "cs_a", IntentID: newIntent(), OrgID: orgID, InvoiceID: iid, Currency: "aud", Amount: 100000, Fee: "0.00"}
	pi := first.IntentSucceeded("evt_order_pi", time.Now())
	cs := first.SessionCompleted("evt_order_cs", time.Now().Add(-time.Minute))
	w1 := c.deliver(pi, cardpaytest.Sign(pi, cardpaytest.Secret, time.Now()))
	w2 := c.deliver(cs, cardpaytest.Sign(cs, cardpaytest.Secret, time.Now()))
	if w1.status != 200 || w2.status != 200 || w1.str("paymentId") == "" || w1.str("paymentId") != w2.str("paymentId") {
		t.Fatalf("out of order: %s / %s", w1.raw, w2.raw)
	}
	if inv := s.must(200, "GET", "/v1/invoices/"+iid, nil); inv.str("balance") != "1260.50" || inv.str("status") != "open" {
		t.Fatalf("after a partial card payment: %s", inv.raw)
	}

	second := cardpaytest.Payment{SessionID: "cs_b", IntentID: newIntent(), OrgID: orgID, InvoiceID: iid, Currency: "aud", Amount: 126050, Fee: "0.00"}
	var wg sync.WaitGroup
	replies := make([]reply, 6)
	for i := range replies {
		wg.Go(func() {
			var b []byte
			if i%2 == 0 {
				b = second.SessionCompleted(fmt.Sprintf("evt_burst_%d", i), time.Now())
			} else {
				b = second.IntentSucceeded(fmt.Sprintf("evt_burst_%d", i), time.Now())
			}
			replies[i] = c.deliver(b, cardpaytest.Sign(b, cardpaytest.Secret, time.Now()))
		})
	}
	wg.Wait()
	ids := map[string]bool{}
	for i, r := range replies {
		if r.status != 200 {
			t.Fatalf("delivery %d: %d %s", i, r.status, r.raw)
		}
		ids[r.str("paymentId")] = true
	}
	if len(ids) != 1 {
		t.Fatalf("payments %v, want one", ids)
	}
	if l := s.must(200, "GET", "/v1/payments?clientId="+cid, nil).list(); len(l) != 2 {
		t.Fatalf("%d payments, want 2", len(l))
	}
	inv := s.must(200, "GET", "/v1/invoices/"+iid, nil)
	if inv.str("status") != "paid" || inv.str("amountPaid") != "2260.50" {
		t.Fatalf("invoice: %s", inv.raw)
	}
}

// TestCardPaymentAfterInvoicePaidOtherwise: the client pays by card after
// the coordinator recorded a bank transfer; the card money becomes credit.
func TestCardPaymentAfterInvoicePaidOtherwise(t *testing.T) {
	t.Parallel()
	c := newCardAPI(t)
	s := c.signup("Late Card Care")
	orgID := s.must(200, "GET", "/v1/org", nil).str("id")
	cid, iid := finalizedInvoice(s, "Harbour participant")
	s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "2260.50", "date": "2026-11-26", "method": "bank_transfer"})

	pay := cardpaytest.Payment{SessionID: "cs_late", IntentID: newIntent(), OrgID: orgID, InvoiceID: iid, Currency: "aud", Amount: 230036, Fee: "39.86"}
	body := pay.SessionCompleted("evt_late", time.Now())
	w := c.deliver(body, cardpaytest.Sign(body, cardpaytest.Secret, time.Now()))
	if w.status != 200 {
		t.Fatalf("webhook: %d %s", w.status, w.raw)
	}
	p := s.must(200, "GET", "/v1/payments/"+w.str("paymentId"), nil)
	if p.str("credit") != "2260.50" || len(p.body["allocations"].([]any)) != 0 || p.str("receiptNumber") != "RCT-00002" {
		t.Fatalf("late card payment: %s", p.raw)
	}
	if cl := s.must(200, "GET", "/v1/clients/"+cid, nil); cl.str("balance", "credit") != "2260.50" || cl.str("balance", "owing") != "0.00" {
		t.Fatalf("client: %s", cl.raw)
	}
}
