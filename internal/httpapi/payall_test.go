package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/cardpay/cardpaytest"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
)

// A pay-all link (as a statement's email carries it) opens one checkout
// for the client's whole open balance; the payment, confirmed after the
// client paid part by bank transfer meanwhile, goes to the open invoices
// oldest due first, and what they no longer need becomes credit.
func TestPayAllCheckoutAllocatesOldestFirst(t *testing.T) {
	t.Parallel()
	c := newCardAPI(t)
	s := c.signup("Pay All Care")
	orgID := s.must(200, "GET", "/v1/org", nil).str("id")
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Ana Silva"}).str("id")
	today := time.Now().UTC().AddDate(0, 0, -1) // any zone's today or later
	invoice := func(amount string, dueIn int) string {
		iid := s.must(201, "POST", "/v1/invoices", fmt.Sprintf(`{"clientId":%q,"name":"Support","dueDate":%q,"lineItems":[{"type":"fixed","description":"Support","amount":%q}]}`,
			cid, today.AddDate(0, 0, dueIn).Format(time.DateOnly), amount)).str("id")
		s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
		return iid
	}
	later := invoice("200.00", 20)  // finalized first, due last: $220.00 with GST
	sooner := invoice("100.00", 10) // $110.00
	total := s.must(200, "GET", "/v1/clients/"+cid, nil).str("balance", "owing")

	store, err := dynamo.New(dynamodb.NewFromConfig(c.st.AWS), c.st.Env(t, "InvoicingFunction")("TABLE_NAME"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := billing.New(store, nil, time.Now, id.New)
	if err != nil {
		t.Fatal(err)
	}
	link, err := svc.IssuePayAllLink(context.Background(), orgID, cid, c.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, token, ok := strings.Cut(link, "/pay-all/")
	if !ok {
		t.Fatalf("pay-all link %q", link)
	}

	// One checkout for the total, naming the client and no invoice.
	browser := c.browser(nil)
	r := browser.must(303, "POST", "/pay-all/"+token+"/checkout", nil)
	if !strings.HasPrefix(r.header.Get("Location"), "https://checkout.stripe.com/") {
		t.Fatalf("redirect to %q", r.header.Get("Location"))
	}
	_, form := c.stripe.Last(t)
	for k, want := range map[string]string{
		"line_items[0][price_data][unit_amount]":        strings.ReplaceAll(total, ".", ""),
		"line_items[0][price_data][product_data][name]": "All open invoices",
		"metadata[carebill_org]":                        orgID,
		"metadata[carebill_client]":                     cid,
		"success_url":                                   c.srv.URL + "/pay-all/" + token + "?checkout=success",
	} {
		if got := form.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if total != "330.00" || form.Has("metadata[carebill_invoice]") || form.Has("line_items[1][price_data][unit_amount]") {
		t.Errorf("pay-all checkout of %s: %v", total, form)
	}
	// A pay-all token is no invoice's pay link, and an invoice's is no pay-all link.
	invoiceToken := payToken(s, sooner)
	for _, p := range []string{"/pay/" + token + "/checkout", "/pay-all/" + invoiceToken + "/checkout"} {
		if r := browser.do("POST", p, nil); r.status != 404 {
			t.Errorf("POST %s: %d %s", p, r.status, r.raw)
		}
	}

	// Meanwhile $50 arrives by bank transfer (oldest due first: the sooner invoice).
	s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "50.00", "method": "bank_transfer"})
	pay := cardpaytest.Payment{SessionID: "cs_test_pay_all", IntentID: newIntent(), OrgID: orgID, ClientID: cid, Currency: "aud", Amount: 33000, Fee: "0.00"}
	body := pay.SessionCompleted("evt_pay_all_1", time.Now())
	w := c.deliver(body, cardpaytest.Sign(body, cardpaytest.Secret, time.Now()))
	if w.status != 200 || w.str("paymentId") == "" {
		t.Fatalf("webhook: %d %s", w.status, w.raw)
	}
	p := s.must(200, "GET", "/v1/payments/"+w.str("paymentId"), nil)
	al := p.body["allocations"].([]any)
	if p.str("amount") != "330.00" || p.str("credit") != "50.00" || p.str("method") != "card" || len(al) != 2 ||
		al[0].(map[string]any)["invoiceId"] != sooner || al[0].(map[string]any)["amount"] != "60.00" ||
		al[1].(map[string]any)["invoiceId"] != later || al[1].(map[string]any)["amount"] != "220.00" {
		t.Fatalf("pay-all payment: %s", p.raw)
	}
	for _, iid := range []string{sooner, later} {
		if inv := s.must(200, "GET", "/v1/invoices/"+iid, nil); inv.str("status") != "paid" {
			t.Errorf("invoice after pay all: %s", inv.raw)
		}
	}
	if cl := s.must(200, "GET", "/v1/clients/"+cid, nil); cl.str("balance", "owing") != "0.00" || cl.str("balance", "credit") != "50.00" {
		t.Fatalf("client after pay all: %s", cl.raw)
	}
	// Stripe's redelivery and the intent's own event record nothing more.
	if w := c.deliver(body, cardpaytest.Sign(body, cardpaytest.Secret, time.Now())); w.status != 200 || w.body["duplicate"] != true {
		t.Fatalf("replay: %d %s", w.status, w.raw)
	}
	pi := pay.IntentSucceeded("evt_pay_all_2", time.Now())
	if w := c.deliver(pi, cardpaytest.Sign(pi, cardpaytest.Secret, time.Now())); w.status != 200 || w.str("paymentId") != p.str("id") {
		t.Fatalf("intent event: %d %s", w.status, w.raw)
	}
	if l := s.must(200, "GET", "/v1/payments?clientId="+cid, nil).list(); len(l) != 2 {
		t.Fatalf("%d payments, want the transfer and one card payment", len(l))
	}
	// Nothing is owed now: no checkout.
	if r := browser.do("POST", "/pay-all/"+token+"/checkout", nil); r.status != 409 || r.str("error", "code") != "nothing_owed" {
		t.Fatalf("pay-all checkout with nothing owed: %d %s", r.status, r.raw)
	}
}
