package notify_test

import (
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/testkit"
)

// TestReceiptsByEmail: recording a payment with emailReceipt emails its
// receipt, PDF attached, to the billing contact once, however often the
// message arrives; POST /v1/payments/{id}/email-receipt emails it again
// to another address with a message, once for a double click; the
// payment shows each delivery's status; a reversed payment's receipt is
// not emailed, and a client with no email address is refused before the
// payment is recorded.
func TestReceiptsByEmail(t *testing.T) {
	testenv.Require(t, "qpdf", "pdftotext")
	t.Parallel()
	h := newHarness(t, "Receipt Care")
	h.must(200, "PATCH", "/v1/org", map[string]any{"email": "office@receiptcare.example"})
	addr := "payer-" + unique() + "@example.com"
	cid := h.client(map[string]any{"name": "Robin Park", "contacts": []map[string]any{{"name": "Robin", "email": addr}}})
	iid := h.draft(cid)
	h.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)

	rec := h.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "300.00", "method": "bank_transfer", "emailReceipt": true})
	pid, number := rec.str("id"), rec.str("receiptNumber")
	if rec.str("receiptDelivery", "kind") != "receipt" || rec.str("receiptDelivery", "recipient") != addr ||
		rec.str("receiptDelivery", "status") != "queued" || rec.str("receiptDelivery", "paymentId") != pid || rec.str("receiptDelivery", "number") != number {
		t.Fatalf("recorded with emailReceipt: %s", rec.raw)
	}
	ev := h.receive(1, 30)
	n := h.notifier(nil)
	if failed := handle(t, n, ev); len(failed) != 0 {
		t.Fatalf("batch item failures: %v", failed)
	}
	// SQS delivers at least once: the same message again sends nothing.
	if failed := handle(t, n, ev); len(failed) != 0 {
		t.Fatalf("redelivery: batch item failures: %v", failed)
	}
	mails := mailsTo(t, addr)
	if len(mails) != 1 {
		t.Fatalf("%d receipt emails to %s, want 1", len(mails), addr)
	}
	m := mails[0]
	if m.Subject != "Receipt "+number+" from Receipt Care" || !strings.Contains(m.Text, "Thank you for your payment of $300.00") ||
		!strings.Contains(m.Text, "towards invoice INV-00001: $300.00") || len(m.ReplyTo) != 1 || m.ReplyTo[0].Address != "office@receiptcare.example" {
		t.Errorf("receipt email: subject %q reply-to %v\n%s", m.Subject, addresses(m.ReplyTo), m.Text)
	}
	pdf, ok := m.Attachments[number+".pdf"]
	if !ok {
		t.Fatalf("attachments %v, want %s.pdf", len(m.Attachments), number)
	}
	if text := testkit.PDFText(t, pdf); !strings.Contains(text, number) || !strings.Contains(text, "Payment towards invoice INV-00001") {
		t.Errorf("attached receipt reads:\n%s", text)
	}
	ds := h.must(200, "GET", "/v1/payments/"+pid+"/deliveries", nil).list("data")
	if len(ds) != 1 || ds[0]["status"] != "sent" || ds[0]["recipient"] != addr || ds[0]["sentAt"] == nil {
		t.Fatalf("payment deliveries after send: %v", ds)
	}

	// Again, to the plan manager's office, with a message; a double click
	// queues one email and answers the same delivery.
	other := "accounts-" + unique() + "@example.com"
	body := map[string]any{"to": other, "message": "Thanks Robin,\n\nHere is your receipt again."}
	depth := h.queueDepth("DeliveriesQueue") // the handled message, not deleted here as Lambda would
	first := h.must(202, "POST", "/v1/payments/"+pid+"/email-receipt", body)
	second := h.must(202, "POST", "/v1/payments/"+pid+"/email-receipt", body)
	if first.str("id") == "" || first.str("id") != second.str("id") || first.str("recipient") != other {
		t.Fatalf("double click: %s then %s", first.raw, second.raw)
	}
	if d := h.queueDepth("DeliveriesQueue"); d != depth+1 {
		t.Fatalf("queue depth after a double click: %d, want %d", d, depth+1)
	}
	if failed := handle(t, n, h.receive(1, 30)); len(failed) != 0 {
		t.Fatalf("batch item failures: %v", failed)
	}
	again := mailsTo(t, other)
	if len(again) != 1 || !strings.Contains(again[0].Text, "Here is your receipt again.") || again[0].Attachments[number+".pdf"] == nil {
		t.Fatalf("second receipt email: %d emails", len(again))
	}
	if ds := h.must(200, "GET", "/v1/payments/"+pid+"/deliveries", nil).list("data"); len(ds) != 2 || ds[0]["recipient"] != other || ds[0]["status"] != "sent" {
		t.Fatalf("payment deliveries: %v", ds)
	}
	kinds := map[string]int{}
	for _, e := range h.must(200, "GET", "/v1/clients/"+cid+"/activity", nil).list("data") {
		kinds[e["kind"].(string)]++
	}
	if kinds["receipt_sent"] != 2 || kinds["receipt_delivered"] != 2 {
		t.Errorf("client activity kinds: %v", kinds)
	}

	// Bad input changes nothing.
	h.must(400, "POST", "/v1/payments/"+pid+"/email-receipt", map[string]any{"to": "not an address"})
	h.must(404, "POST", "/v1/payments/pay_00000000000000000000000000/email-receipt", nil)
	// A reversed payment's receipt is not emailed.
	h.must(200, "POST", "/v1/payments/"+pid+"/reverse", map[string]any{"reason": "entered twice"})
	if r := h.must(409, "POST", "/v1/payments/"+pid+"/email-receipt", nil); r.str("error", "code") != "payment_reversed" {
		t.Errorf("reversed: %s", r.raw)
	}
	// No address: refused before anything is recorded.
	mute := h.client(map[string]any{"name": "No Mail", "contacts": []map[string]any{{"name": "N", "phone": uniquePhone()}}})
	if r := h.must(422, "POST", "/v1/payments", map[string]any{"clientId": mute, "amount": "10.00", "method": "cash", "emailReceipt": true}); r.str("error", "code") != "no_email_address" {
		t.Errorf("no address: %s", r.raw)
	}
	if ps := h.must(200, "GET", "/v1/payments?clientId="+mute, nil).list("data"); len(ps) != 0 {
		t.Errorf("a refused payment was recorded: %v", ps)
	}
	if d := h.queueDepth("DeliveriesQueue"); d != depth+1 {
		t.Errorf("queue depth at the end: %d, want %d: nothing more queued", d, depth+1)
	}
}
