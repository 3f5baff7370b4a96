package portal_test

import (
	"strings"
	"testing"
)

// TestPayPageAfterCheckoutOfPaidInvoice is the trial's finding 7: back
// from Stripe (?checkout=success) on an invoice that is already paid, the
// page thanks the client for a payment received and never says it is
// still being confirmed next to "Paid · $0.00"; on an invoice still open
// it says the payment is being confirmed.
func TestPayPageAfterCheckoutOfPaidInvoice(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	co := s.signup("Checkout Care")
	zoe := co.client("Zoë Paid", unique("zoe")+"@example.com")
	iid, _ := co.finalized(zoe, "Client Invoice – November")
	link := co.payLink(iid, false)

	open := s.get(link+"?checkout=success", "")
	contains(t, "open invoice after checkout", open.body, "Your payment is being confirmed", `data-status>Open<`)
	if strings.Contains(open.body, "payment is received") {
		t.Errorf("an open invoice's page says the payment is received:\n%s", open.body)
	}

	co.must(201, "POST", "/v1/payments", map[string]any{"clientId": zoe, "amount": "2260.50", "date": "2026-11-21", "method": "card"})
	paid := s.get(link+"?checkout=success", "")
	contains(t, "paid invoice after checkout", paid.body, "Thank you. Your payment is received and this invoice is paid.",
		`data-status>Paid<`, `data-balance>$0.00<`)
	if strings.Contains(paid.body, "being confirmed") {
		t.Errorf("a paid invoice's page still says the payment is being confirmed:\n%s", paid.body)
	}
}
