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
		{Event{Kind: PaymentReversed, Detail: "receipt RCT-00001 for $150.00, entered in error (Entered twice)"}, "Payment reversed: receipt RCT-00001 for $150.00, entered in error (Entered twice)"},
		{Event{Kind: PaymentReversed, Number: "INV-00004", Detail: "receipt RCT-00001 for $150.00, entered in error (typo)"}, "Payment on invoice INV-00004 reversed: receipt RCT-00001 for $150.00, entered in error (typo)"},
		{Event{Kind: PaymentRefunded, Detail: "$20.00 of receipt RCT-00001 given back to the client (overpaid)"}, "Payment refunded: $20.00 of receipt RCT-00001 given back to the client (overpaid)"},
		// From a new user's trial: no raw codes in the feed.
		{Event{Kind: Sent, Number: "INV-00001", Channel: "sms", Recipient: "+61412345678"}, "Invoice INV-00001 sent by text message to +61412345678"},
		{Event{Kind: Failed, Number: "INV-00001", Channel: "sms", Recipient: "+61412345678"}, "Invoice INV-00001 could not be delivered by text message to +61412345678"},
		{Event{Kind: Kind("charge_adjusted"), Number: "INV-00005"}, "Charge adjusted on invoice INV-00005"},
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
