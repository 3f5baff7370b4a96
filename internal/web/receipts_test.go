package web_test

import (
	"fmt"
	"testing"
)

// TestEmailReceiptAction: "Email receipt" on the client page's payments
// and on the invoice's Payments card queues the receipt for the billing
// contact and says to whom; the second click, within the half-minute that
// holds off identical requests, answers the same delivery, so the payment
// lists one; a reversed payment offers no such button, and the invoice
// it had paid keeps listing it, stamped reversed.
func TestEmailReceiptAction(t *testing.T) {
	t.Parallel()
	base := newSite(t)
	b := newBrowser(t, base)
	b.signup("Receipt Mail Care")
	cid := b.call(201, "POST", "/v1/clients", `{name: 'Ana Receipt', contacts: [{name: 'Ana Receipt', email: 'ana.receipt@example.com'}]}`)["id"].(string)
	iid := b.finalizedInvoice(cid, "80.00")
	pid := b.call(201, "POST", "/v1/payments", fmt.Sprintf(`{clientId: %s, amount: '80.00', method: 'bank_transfer'}`, js(cid)))["id"].(string)

	b.open("/app/clients/" + cid)
	button := fmt.Sprintf("[data-email-receipt=%q]", pid)
	b.click(button)
	b.waitText(fmt.Sprintf("[data-receipt-email-status=%q]", pid), "Emailed to ana.receipt@example.com (queued)")

	b.open("/app/invoices/" + iid)
	b.click("[data-invoice-payments] " + button)
	b.waitText(fmt.Sprintf("[data-invoice-payments] [data-receipt-email-status=%q]", pid), "Emailed to ana.receipt@example.com (queued)")

	ds := b.call(200, "GET", "/v1/payments/"+pid+"/deliveries", "")["data"].([]any)
	if len(ds) != 1 {
		t.Fatalf("receipt deliveries after two clicks within the hold: %v", ds)
	}
	for _, d := range ds {
		if m := d.(map[string]any); m["kind"] != "receipt" || m["recipient"] != "ana.receipt@example.com" {
			t.Errorf("delivery %v", m)
		}
	}

	b.call(200, "POST", "/v1/payments/"+pid+"/reverse", `{reason: 'entered in error'}`)
	b.open("/app/clients/" + cid)
	b.waitFor("the reversed payment's row", fmt.Sprintf(`document.querySelector('[data-payment=%q] [data-payment-state=reversed]')`, pid))
	if n := eval[int](b, fmt.Sprintf(`document.querySelectorAll(%s).length`, js(button))); n != 0 {
		t.Errorf("a reversed payment offers Email receipt (%d buttons)", n)
	}
	// The invoice it had paid keeps listing it, stamped reversed.
	b.open("/app/invoices/" + iid)
	b.waitFor("the reversed payment on the invoice's Payments card",
		fmt.Sprintf(`document.querySelector('[data-invoice-payments] [data-payment=%q] [data-payment-state=reversed]')`, pid))
	if got := b.text(fmt.Sprintf("[data-invoice-payments] [data-payment=%q] .strong", pid)); got != "$80.00" {
		t.Errorf("reversed payment shows %q, want the $80.00 it had paid", got)
	}
}
