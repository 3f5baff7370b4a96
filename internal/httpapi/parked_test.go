package httpapi_test

import (
	"testing"
	"time"

	"github.com/carebill/carebill/internal/cardpay/cardpaytest"
)

// TestCardPaymentInAnotherCurrencyIsParked: a card payment in USD for an
// AUD client is acknowledged (Stripe stops retrying), converted nowhere
// and recorded nowhere but as a parked payment, once per payment intent
// whichever events report it; admins list it and resolve it once with a
// reason, or Stripe's refund of it resolves it; the activity log says so.
func TestCardPaymentInAnotherCurrencyIsParked(t *testing.T) {
	t.Parallel()
	c := newCardAPI(t)
	s := c.signup("Parked Card Care")
	orgID := s.must(200, "GET", "/v1/org", nil).str("id")
	cid, iid := finalizedInvoice(s, "Tama Rangi")
	deliver := func(body []byte) reply {
		t.Helper()
		w := c.deliver(body, cardpaytest.Sign(body, cardpaytest.Secret, time.Now()))
		if w.status != 200 {
			t.Fatalf("webhook: %d %s, want 200", w.status, w.raw)
		}
		return w
	}
	usd := cardpaytest.Payment{SessionID: "cs_usd", IntentID: newIntent(), OrgID: orgID, InvoiceID: iid, Currency: "usd", Amount: 5000, Fee: "0.00"}
	cs := usd.SessionCompleted("evt_park_cs_"+usd.IntentID, time.Now())
	for _, b := range [][]byte{cs, usd.IntentSucceeded("evt_park_pi_"+usd.IntentID, time.Now())} {
		if w := deliver(b); w.body["parked"] != true || w.str("paymentId") != "" {
			t.Fatalf("mismatched card payment: %s", w.raw)
		}
	}
	if w := deliver(cs); w.body["duplicate"] != true {
		t.Fatalf("redelivery: %s", w.raw)
	}

	// Nothing moved: no payment, the invoice and the balance as they were.
	if ps := s.must(200, "GET", "/v1/payments?clientId="+cid, nil).list(); len(ps) != 0 {
		t.Fatalf("payments recorded: %v", ps)
	}
	if inv := s.must(200, "GET", "/v1/invoices/"+iid, nil); inv.str("balance") != "2260.50" || inv.str("status") != "open" {
		t.Fatalf("invoice: %s", inv.raw)
	}
	if cl := s.must(200, "GET", "/v1/clients/"+cid, nil); cl.str("balance", "owing") != "2260.50" || cl.str("balance", "credit") != "0.00" {
		t.Fatalf("client balance: %s", cl.raw)
	}
	parked := s.must(200, "GET", "/v1/payments/parked", nil).list()
	if len(parked) != 1 {
		t.Fatalf("parked: %v", parked)
	}
	p := parked[0]
	if p["id"] != usd.IntentID || p["amount"] != "50.00" || p["currency"] != "USD" || p["expectedCurrency"] != "AUD" ||
		p["status"] != "parked" || p["invoiceId"] != iid || p["clientId"] != cid || p["invoiceNumber"] != "INV-00001" {
		t.Fatalf("parked payment: %v", p)
	}
	kinds := map[string]int{}
	for _, e := range s.must(200, "GET", "/v1/invoices/"+iid+"/activity", nil).list() {
		kinds[e["kind"].(string)]++
	}
	if kinds["card_payment_parked"] != 1 || kinds["payment_recorded"] != 0 {
		t.Fatalf("invoice activity: %v", kinds)
	}

	// Resolving: words checked, once only.
	path := "/v1/payments/parked/" + usd.IntentID + "/resolve"
	s.must(400, "POST", path, map[string]any{"resolution": "converted", "reason": "x"})
	s.must(400, "POST", path, map[string]any{"resolution": "handled"})
	s.must(404, "POST", "/v1/payments/parked/pi_unknown/resolve", map[string]any{"resolution": "handled", "reason": "x"})
	done := s.must(200, "POST", path, map[string]any{"resolution": "handled", "reason": "client paid again in AUD by transfer; Stripe refund issued"})
	if done.str("status") != "resolved" || done.str("resolution") != "handled" || done.str("resolvedBy") == "" || done.str("resolvedAt") == "" {
		t.Fatalf("resolved: %s", done.raw)
	}
	if r := s.must(409, "POST", path, map[string]any{"resolution": "refunded_outside", "reason": "again"}); r.str("error", "code") != "parked_resolved" {
		t.Fatalf("resolved twice: %s", r.raw)
	}

	// A second one, refunded in Stripe: the refund resolves it.
	eur := cardpaytest.Payment{SessionID: "cs_eur", IntentID: newIntent(), OrgID: orgID, InvoiceID: iid, Currency: "eur", Amount: 2000, Fee: "0.00"}
	deliver(eur.SessionCompleted("evt_park_eur_"+eur.IntentID, time.Now()))
	if w := deliver(eur.ChargeRefunded("evt_park_eur_ref_"+eur.IntentID, "ch_eur", time.Now(), cardpaytest.Refund{ID: "re_eur", Amount: 2000})); w.body["parked"] != true {
		t.Fatalf("refund of a parked payment: %s", w.raw)
	}
	parked = s.must(200, "GET", "/v1/payments/parked", nil).list()
	if len(parked) != 2 || parked[0]["id"] != eur.IntentID || parked[0]["status"] != "resolved" || parked[0]["resolution"] != "refunded_outside" {
		t.Fatalf("after Stripe's refund: %v", parked)
	}
	if v := s.must(200, "POST", "/v1/clients/"+cid+"/ledger/verify", nil); v.body["ok"] != true {
		t.Fatalf("ledger verify: %s", v.raw)
	}
}
