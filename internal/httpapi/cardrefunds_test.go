package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/cardpay/cardpaytest"
)

// TestCardRefundWebhook: Stripe's charge.refunded records a refund of the
// card payment once per refund id, whatever the order and however often
// it is delivered; one arriving before its payment is answered so that
// Stripe retries it.
func TestCardRefundWebhook(t *testing.T) {
	t.Parallel()
	c := newCardAPI(t)
	s := c.signup("Refund Card Care")
	orgID := s.must(200, "GET", "/v1/org", nil).str("id")
	cid, iid := finalizedInvoice(s, "Refund participant")
	pay := cardpaytest.Payment{SessionID: "cs_refund", IntentID: newIntent(), OrgID: orgID, InvoiceID: iid, Currency: "aud", Amount: 230036, Fee: "39.86"}
	deliver := func(body []byte) reply {
		return c.deliver(body, cardpaytest.Sign(body, cardpaytest.Secret, time.Now()))
	}

	// The refund arrives before the payment's own event: not acknowledged.
	first := pay.ChargeRefunded("evt_refund_1", "ch_refund", time.Now(), cardpaytest.Refund{ID: "re_1", Amount: 50000})
	if w := deliver(first); w.status != 409 || w.str("error", "code") != "payment_pending" {
		t.Fatalf("refund before payment: %d %s", w.status, w.raw)
	}
	paid := pay.SessionCompleted("evt_refund_paid", time.Now())
	pid := deliver(paid).str("paymentId")
	if pid == "" {
		t.Fatal("card payment not recorded")
	}
	wantBalances(t, s, cid, "0.00", "0.00", "after the card payment")

	// Stripe retries: the 500.00 refund comes off the invoice, which reopens.
	if w := deliver(first); w.status != 200 || w.str("paymentId") != pid || w.body["duplicate"] == true {
		t.Fatalf("refund: %d %s", w.status, w.raw)
	}
	p := s.must(200, "GET", "/v1/payments/"+pid, nil)
	refunds := p.body["refunds"].([]any)
	if len(refunds) != 1 || refunds[0].(map[string]any)["amount"] != "500.00" || refunds[0].(map[string]any)["source"] != "stripe:re_1" {
		t.Fatalf("payment after refund: %s", p.raw)
	}
	if inv := s.must(200, "GET", "/v1/invoices/"+iid, nil); inv.str("status") != "open" || inv.str("balance") != "500.00" {
		t.Fatalf("invoice after refund: %s", inv.raw)
	}
	wantBalances(t, s, cid, "500.00", "0.00", "after the 500.00 refund")

	// The same event again is a duplicate; another event listing re_1 again
	// (an older report arriving late) records nothing.
	if w := deliver(first); w.status != 200 || w.body["duplicate"] != true {
		t.Fatalf("redelivery: %d %s", w.status, w.raw)
	}
	late := pay.ChargeRefunded("evt_refund_late", "ch_refund", time.Now(), cardpaytest.Refund{ID: "re_1", Amount: 50000})
	if w := deliver(late); w.status != 200 {
		t.Fatalf("late report: %d %s", w.status, w.raw)
	}
	wantBalances(t, s, cid, "500.00", "0.00", "after a repeated refund id")

	// The rest refunded, fee included: only the re_2 part is new, and only
	// what reached the client's account (2260.50, not the 39.86 fee) comes back.
	rest := pay.ChargeRefunded("evt_refund_2", "ch_refund", time.Now(),
		cardpaytest.Refund{ID: "re_1", Amount: 50000}, cardpaytest.Refund{ID: "re_2", Amount: 180036})
	if w := deliver(rest); w.status != 200 {
		t.Fatalf("full refund: %d %s", w.status, w.raw)
	}
	p = s.must(200, "GET", "/v1/payments/"+pid, nil)
	refunds = p.body["refunds"].([]any)
	if len(refunds) != 2 || refunds[1].(map[string]any)["amount"] != "1760.50" || refunds[1].(map[string]any)["source"] != "stripe:re_2" {
		t.Fatalf("payment after full refund: %s", p.raw)
	}
	if inv := s.must(200, "GET", "/v1/invoices/"+iid, nil); inv.str("balance") != "2260.50" || inv.str("amountPaid") != "0.00" {
		t.Fatalf("invoice after full refund: %s", inv.raw)
	}
	wantBalances(t, s, cid, "2260.50", "0.00", "after the full refund")
	if w := deliver(rest); w.body["duplicate"] != true {
		t.Fatalf("redelivered full refund: %d %s", w.status, w.raw)
	}
	wantBalances(t, s, cid, "2260.50", "0.00", "after a redelivered full refund")
}

// TestCardDisputeWebhook: an opened dispute marks the invoice disputed
// (reminders skip it), won clears it, lost reverses the payment; every
// report is safe to deliver again, and a dispute of a charge carebill did
// not record is acknowledged without effect.
func TestCardDisputeWebhook(t *testing.T) {
	t.Parallel()
	c := newCardAPI(t)
	s := c.signup("Dispute Card Care")
	orgID := s.must(200, "GET", "/v1/org", nil).str("id")
	cid, iid := finalizedInvoice(s, "Dispute participant")
	pay := cardpaytest.Payment{SessionID: "cs_dispute", IntentID: newIntent(), OrgID: orgID, InvoiceID: iid, Currency: "aud", Amount: 226050, Fee: "0.00"}
	deliver := func(body []byte) reply {
		t.Helper()
		w := c.deliver(body, cardpaytest.Sign(body, cardpaytest.Secret, time.Now()))
		if w.status != 200 {
			t.Fatalf("webhook: %d %s", w.status, w.raw)
		}
		return w
	}
	disputed := func(want bool, when string) {
		t.Helper()
		inv := s.must(200, "GET", "/v1/invoices/"+iid, nil)
		if got := inv.body["disputed"] == true; got != want {
			t.Fatalf("%s: disputed %v, want %v: %s", when, got, want, inv.raw)
		}
	}
	pid := deliver(pay.SessionCompleted("evt_dispute_paid", time.Now())).str("paymentId")

	opened := pay.Dispute("evt_dp_1", "dp_1", "ch_dispute", "needs_response", time.Now())
	if w := deliver(opened); w.str("paymentId") != pid {
		t.Fatalf("dispute opened: %s", w.raw)
	}
	disputed(true, "after the dispute opened")
	wantBalances(t, s, cid, "0.00", "0.00", "while disputed")
	if w := deliver(opened); w.body["duplicate"] != true {
		t.Fatalf("redelivered dispute: %s", w.raw)
	}
	deliver(pay.Dispute("evt_dp_1_won", "dp_1", "ch_dispute", "won", time.Now()))
	disputed(false, "after the dispute was won")
	if p := s.must(200, "GET", "/v1/payments/"+pid, nil); p.body["reversed"] == true {
		t.Fatalf("won dispute reversed the payment: %s", p.raw)
	}

	// A second dispute, lost: the payment is reversed, the invoice owes again.
	deliver(pay.Dispute("evt_dp_2", "dp_2", "ch_dispute", "needs_response", time.Now()))
	disputed(true, "after the second dispute opened")
	lost := pay.Dispute("evt_dp_2_lost", "dp_2", "ch_dispute", "lost", time.Now())
	deliver(lost)
	disputed(false, "after the dispute was lost")
	if p := s.must(200, "GET", "/v1/payments/"+pid, nil); p.body["reversed"] != true {
		t.Fatalf("lost dispute left the payment: %s", p.raw)
	}
	if inv := s.must(200, "GET", "/v1/invoices/"+iid, nil); inv.str("status") != "open" || inv.str("balance") != "2260.50" {
		t.Fatalf("invoice after lost dispute: %s", inv.raw)
	}
	wantBalances(t, s, cid, "2260.50", "0.00", "after the lost dispute")
	// The same outcome under another event id changes nothing.
	deliver(pay.Dispute("evt_dp_2_lost_again", "dp_2", "ch_dispute", "lost", time.Now()))
	wantBalances(t, s, cid, "2260.50", "0.00", "after a repeated lost dispute")

	// Another integration's charge on the same Stripe account.
	other := cardpaytest.Payment{IntentID: newIntent(), Currency: "aud", Amount: 1000}
	if w := deliver(other.Dispute("evt_dp_other", "dp_other", "ch_other", "needs_response", time.Now())); w.str("paymentId") != "" {
		t.Fatalf("unknown dispute: %s", w.raw)
	}
}

// TestDisputeOfACreditOnlyCardPayment: a card payment that settled no
// invoice (it arrived after the invoice was paid another way, so it is all
// client credit) has no invoice to mark; its dispute shows on the
// client's activity as a hold, and nothing moves until it closes.
func TestDisputeOfACreditOnlyCardPayment(t *testing.T) {
	t.Parallel()
	c := newCardAPI(t)
	s := c.signup("Credit Dispute Care")
	orgID := s.must(200, "GET", "/v1/org", nil).str("id")
	cid, iid := finalizedInvoice(s, "Credit Holder")
	s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "2260.50", "method": "bank_transfer"})
	pay := cardpaytest.Payment{SessionID: "cs_credit", IntentID: newIntent(), OrgID: orgID, InvoiceID: iid, Currency: "aud", Amount: 5000, Fee: "0.00"}
	deliver := func(body []byte) reply {
		t.Helper()
		w := c.deliver(body, cardpaytest.Sign(body, cardpaytest.Secret, time.Now()))
		if w.status != 200 {
			t.Fatalf("webhook: %d %s", w.status, w.raw)
		}
		return w
	}
	pid := deliver(pay.SessionCompleted("evt_cd_paid_"+pay.IntentID, time.Now())).str("paymentId")
	wantBalances(t, s, cid, "0.00", "50.00", "after the card payment")
	if w := deliver(pay.Dispute("evt_cd_open_"+pay.IntentID, "dp_cd", "ch_cd", "needs_response", time.Now())); w.str("paymentId") != pid {
		t.Fatalf("dispute: %s", w.raw)
	}
	wantBalances(t, s, cid, "0.00", "50.00", "while disputed: a hold moves no money")
	held := false
	for _, e := range s.must(200, "GET", "/v1/clients/"+cid+"/activity", nil).list() {
		if e["kind"] == "disputed" && strings.Contains(fmt.Sprint(e["summary"], e["detail"]), "held as client credit") {
			held = true
		}
	}
	if !held {
		t.Fatalf("client activity has no dispute hold: %s", s.must(200, "GET", "/v1/clients/"+cid+"/activity", nil).raw)
	}
}
