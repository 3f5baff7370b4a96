package activity

import (
	"strings"
	"testing"
)

func TestSummaryAndSearch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		e    Event
		want string
	}{
		{Event{Kind: Finalized, Number: "INV-00001", InvoiceID: "inv_1"}, "Invoice INV-00001 finalized"},
		{Event{Kind: Sent, Number: "INV-00001", Channel: "email", Recipient: "zoe@example.com"}, "Invoice INV-00001 sent by email to zoe@example.com"},
		{Event{Kind: Voided, Number: "INV-00002", Detail: "Issued in error"}, "Invoice INV-00002 voided: Issued in error"},
		{Event{Kind: Created}, "Draft invoice created"},
		{Event{Kind: ClientCreated, ClientName: "Zoë"}, "Client Zoë added"},
		{Event{Kind: PaymentReversed, Detail: "receipt RCT-00001 for $150.00 reversed: Entered twice"}, "Payment reversed: receipt RCT-00001 for $150.00 reversed: Entered twice"},
		{Event{Kind: PaymentRefunded, Detail: "$20.00 refunded from receipt RCT-00001"}, "Payment refunded: $20.00 refunded from receipt RCT-00001"},
		{Event{Kind: CreditReturned, Number: "INV-00002", Detail: "$40.00 returned to the client's credit"}, "Client credit un-applied from invoice INV-00002: $40.00 returned to the client's credit"},
		{Event{Kind: CreditNoteVoid, Number: "INV-00003"}, "Credit note voided on invoice INV-00003"},
	} {
		if got := tc.e.Summary(); got != tc.want {
			t.Errorf("Summary = %q, want %q", got, tc.want)
		}
	}
	e := Event{Kind: Voided, InvoiceID: "inv_1", Number: "INV-00003", ClientName: "Sam Lee"}
	if s := e.SearchText(); !strings.Contains(s, "invoices") || !strings.Contains(s, "Sam Lee") {
		t.Fatalf("search text %q", s)
	}
}
