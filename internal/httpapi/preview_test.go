package httpapi_test

import (
	"strings"
	"testing"
)

// TestPaymentPreviewRecordsNothing: ?preview=true answers the allocation
// and the credit the payment would make, with no id or receipt, and
// changes nothing; bad input is the same 400 as a real record.
func TestPaymentPreviewRecordsNothing(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Preview Care")
	cid, iid := finalizedInvoice(s, "Pre View")

	pv := s.must(200, "POST", "/v1/payments?preview=true", map[string]any{"clientId": cid, "amount": "2500.00", "date": "2026-11-26", "method": "cash"})
	if pv.str("credit") != "239.50" || pv.str("receiptNumber") != "" || pv.str("id") != "" {
		t.Fatalf("preview: %s", pv.raw)
	}
	allocs := pv.body["allocations"].([]any)
	if len(allocs) != 1 || allocs[0].(map[string]any)["invoiceId"] != iid || allocs[0].(map[string]any)["amount"] != "2260.50" || allocs[0].(map[string]any)["number"] != "INV-00001" {
		t.Fatalf("preview allocations: %s", pv.raw)
	}
	if inv := s.must(200, "GET", "/v1/invoices/"+iid, nil); inv.str("balance") != "2260.50" || inv.str("status") != "open" {
		t.Fatalf("a preview changed the invoice: %s", inv.raw)
	}
	if l := s.must(200, "GET", "/v1/payments?clientId="+cid, nil).list(); len(l) != 0 {
		t.Fatalf("a preview recorded %d payments", len(l))
	}
	if r := s.must(400, "POST", "/v1/payments?preview=true", map[string]any{"clientId": cid, "amount": "-5", "date": "2026-11-26", "method": "cash"}); r.str("error", "field") != "amount" {
		t.Fatalf("bad amount in a preview: %s", r.raw)
	}
	if r := s.must(400, "POST", "/v1/payments?preview=maybe", map[string]any{"clientId": cid, "amount": "5", "date": "2026-11-26", "method": "cash"}); r.str("error", "field") != "preview" {
		t.Fatalf("bad preview flag: %s", r.raw)
	}
	// The first real payment still gets the first receipt number.
	if p := s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "100.00", "date": "2026-11-26", "method": "cash"}); p.str("receiptNumber") != "RCT-00001" {
		t.Fatalf("after previews: %s", p.raw)
	}
}

// TestSendPreviewShowsRecipientsAndWording: the preview names each
// channel's recipient or says why there is none, and shows the email and
// text as the notifier words them, sending and changing nothing.
func TestSendPreviewShowsRecipientsAndWording(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Wording Care")
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Wendy Words", "contacts": []any{map[string]any{"name": "Wendy", "email": "wendy@example.com"}}}).str("id")
	iid := s.must(201, "POST", "/v1/invoices", map[string]any{"clientId": cid, "name": "Sessions",
		"lineItems": []any{map[string]any{"type": "fixed", "description": "Session", "amount": "120"}}}).str("id")

	pv := s.must(200, "POST", "/v1/invoices/"+iid+"/send-preview", map[string]any{"channels": []string{"email", "sms"}})
	chs := pv.body["channels"].([]any)
	email, sms := chs[0].(map[string]any), chs[1].(map[string]any)
	if email["recipient"] != "wendy@example.com" || email["error"] != nil {
		t.Errorf("email channel: %v", email)
	}
	if sms["recipient"] != nil || sms["error"].(map[string]any)["code"] != "no_phone_number" {
		t.Errorf("sms channel: %v", sms)
	}
	if pv.body["numbered"] != false || !strings.Contains(pv.str("email", "subject"), "from Wording Care") {
		t.Errorf("draft preview: %s", pv.raw)
	}
	text := pv.str("email", "text")
	for _, want := range []string{"Hello,", "$132.00", "[pay link]", "Wendy Words"} {
		if !strings.Contains(text, want) {
			t.Errorf("email text lacks %q:\n%s", want, text)
		}
	}
	if got := s.must(200, "GET", "/v1/invoices/"+iid, nil); got.str("status") != "draft" || got.str("sentAt") != "" {
		t.Fatalf("a preview changed the draft: %s", got.raw)
	}

	s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
	pv = s.must(200, "POST", "/v1/invoices/"+iid+"/send-preview", map[string]any{"channels": []string{"email"}, "resend": true,
		"email": map[string]any{"to": "other@example.com", "subject": "Your invoice", "body": "Hi Wendy,\n\nHere it is."}})
	if pv.str("number") != "INV-00001" || pv.str("email", "to") != "other@example.com" || pv.str("email", "subject") != "Your invoice" || !strings.Contains(pv.str("email", "text"), "Here it is.") {
		t.Errorf("resend preview: %s", pv.raw)
	}
	if r := s.must(400, "POST", "/v1/invoices/"+iid+"/send-preview", map[string]any{"channels": []string{"fax"}}); r.str("error", "field") != "channels" {
		t.Errorf("unknown channel: %s", r.raw)
	}
	if l := s.must(200, "GET", "/v1/invoices/"+iid+"/deliveries", nil).list(); len(l) != 0 {
		t.Errorf("previews made %d deliveries", len(l))
	}
}

// TestInvoiceSearchMatchesClientNames: the invoice list's q matches the
// client's name as well as the invoice's name and number.
func TestInvoiceSearchMatchesClientNames(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Search Care")
	finalizedInvoice(s, "Quentin Quokka")
	finalizedInvoice(s, "Wanda Wombat")
	got := s.must(200, "GET", "/v1/invoices?q=quokka", nil).list()
	if len(got) != 1 || got[0]["number"] != "INV-00001" {
		t.Fatalf("q=quokka found %v", got)
	}
	if got := s.must(200, "GET", "/v1/invoices?q=INV-00002", nil).list(); len(got) != 1 {
		t.Fatalf("q=INV-00002 found %d", len(got))
	}
}
