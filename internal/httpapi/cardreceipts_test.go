package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/cardpay/cardpaytest"
)

// TestCardPaymentsEmailTheirReceipt: a card payment's webhook queues its
// receipt email, once for both events about the payment and for a
// redelivery; an org that turns card receipts off gets none, and a client
// with no email address still gets the payment recorded.
func TestCardPaymentsEmailTheirReceipt(t *testing.T) {
	t.Parallel()
	c := newCardAPI(t)
	s := c.signup("Card Receipt Care")
	o := s.must(200, "GET", "/v1/org", nil)
	if o.raw == "" || !strings.Contains(o.raw, `"emailCardReceipts":true`) {
		t.Fatalf("card receipts are emailed by default: %s", o.raw)
	}
	orgID := o.str("id")
	addr := "card-payer@example.com"
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Mere Parata", "contacts": []map[string]any{{"name": "Mere", "email": addr}}}).str("id")
	iid := s.must(201, "POST", "/v1/invoices", fmt.Sprintf(novemberInvoice, cid)).str("id")
	s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)

	paid := cardpaytest.Payment{SessionID: "cs_r", IntentID: newIntent(), OrgID: orgID, InvoiceID: iid, Currency: "aud", Amount: 226050, Fee: "0.00"}
	cs := paid.SessionCompleted("evt_rcpt_cs_"+paid.IntentID, time.Now())
	pi := paid.IntentSucceeded("evt_rcpt_pi_"+paid.IntentID, time.Now())
	var pid string
	for i, b := range [][]byte{cs, pi, cs} {
		r := c.deliver(b, cardpaytest.Sign(b, cardpaytest.Secret, time.Now()))
		if i == 2 { // a redelivery of a processed event does nothing
			if r.status != 200 || !strings.Contains(r.raw, `"duplicate":true`) {
				t.Fatalf("redelivery: %d %s", r.status, r.raw)
			}
			continue
		}
		if r.status != 200 || r.str("paymentId") == "" || (pid != "" && r.str("paymentId") != pid) {
			t.Fatalf("delivery %d: %d %s", i, r.status, r.raw)
		}
		pid = r.str("paymentId")
		if !strings.Contains(r.raw, `"receiptEmailed":true`) {
			t.Errorf("delivery %d does not say the receipt is emailed: %s", i, r.raw)
		}
	}
	ds := s.must(200, "GET", "/v1/payments/"+pid+"/deliveries", nil).list()
	if len(ds) != 1 || ds[0]["kind"] != "receipt" || ds[0]["recipient"] != addr || ds[0]["status"] != "queued" ||
		ds[0]["id"] != "dlv_"+strings.TrimPrefix(pid, "pay_") {
		t.Fatalf("receipt deliveries of the card payment: %v", ds)
	}

	// Turned off: the next card payment is recorded and emails nothing.
	s.must(200, "PATCH", "/v1/org", map[string]any{"emailCardReceipts": false})
	iid2 := s.must(201, "POST", "/v1/invoices", fmt.Sprintf(novemberInvoice, cid)).str("id")
	s.must(200, "POST", "/v1/invoices/"+iid2+"/finalize", nil)
	off := cardpaytest.Payment{SessionID: "cs_o", IntentID: newIntent(), OrgID: orgID, InvoiceID: iid2, Currency: "aud", Amount: 226050, Fee: "0.00"}
	b := off.SessionCompleted("evt_rcpt_off_"+off.IntentID, time.Now())
	r := c.deliver(b, cardpaytest.Sign(b, cardpaytest.Secret, time.Now()))
	if r.status != 200 || r.str("paymentId") == "" || strings.Contains(r.raw, "receiptEmailed") {
		t.Fatalf("card receipts off: %d %s", r.status, r.raw)
	}
	if ds := s.must(200, "GET", "/v1/payments/"+r.str("paymentId")+"/deliveries", nil).list(); len(ds) != 0 {
		t.Fatalf("card receipts off, yet: %v", ds)
	}

	// On again, for a client with no address: recorded, nothing emailed.
	s.must(200, "PATCH", "/v1/org", map[string]any{"emailCardReceipts": true})
	_, iid3 := finalizedInvoice(s, "No Address")
	quiet := cardpaytest.Payment{SessionID: "cs_q", IntentID: newIntent(), OrgID: orgID, InvoiceID: iid3, Currency: "aud", Amount: 1000, Fee: "0.00"}
	b = quiet.SessionCompleted("evt_rcpt_quiet_"+quiet.IntentID, time.Now())
	if r := c.deliver(b, cardpaytest.Sign(b, cardpaytest.Secret, time.Now())); r.status != 200 || r.str("paymentId") == "" || strings.Contains(r.raw, "receiptEmailed") {
		t.Fatalf("no address: %d %s", r.status, r.raw)
	}
}
