package notify_test

import "testing"

// TestReceiptByHandAfterAutomatic: a payment recorded with emailReceipt,
// then, within 30 seconds, "Email receipt" to the same address answers
// the automatic delivery (202) and queues nothing: one email, not two.
// Another address is a new delivery.
func TestReceiptByHandAfterAutomatic(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "Receipt Hold Care")
	addr := "hold-" + unique() + "@example.com"
	cid := h.client(map[string]any{"name": "Kai Holt", "contacts": []map[string]any{{"name": "Kai", "email": addr}}})
	iid := h.draft(cid)
	h.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
	before := h.queueDepth("DeliveriesQueue")
	rec := h.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "50.00", "method": "bank_transfer", "emailReceipt": true})
	pid, auto := rec.str("id"), rec.str("receiptDelivery", "id")
	if auto == "" || h.queueDepth("DeliveriesQueue") != before+1 {
		t.Fatalf("recorded with emailReceipt: %s", rec.raw)
	}
	for _, body := range []map[string]any{{}, {"to": addr}} {
		again := h.must(202, "POST", "/v1/payments/"+pid+"/email-receipt", body)
		if again.str("id") != auto || again.str("recipient") != addr {
			t.Fatalf("email-receipt %v after the automatic one: %s, want delivery %s", body, again.raw, auto)
		}
	}
	if d := h.queueDepth("DeliveriesQueue"); d != before+1 {
		t.Fatalf("queue depth %d, want %d: the request by hand queued another email", d, before+1)
	}
	if ds := h.must(200, "GET", "/v1/payments/"+pid+"/deliveries", nil).list("data"); len(ds) != 1 {
		t.Fatalf("payment deliveries: %v, want the automatic one only", ds)
	}
	other := h.must(202, "POST", "/v1/payments/"+pid+"/email-receipt", map[string]any{"to": "other-" + unique() + "@example.com"})
	if other.str("id") == auto || h.queueDepth("DeliveriesQueue") != before+2 {
		t.Fatalf("another address: %s", other.raw)
	}
}
