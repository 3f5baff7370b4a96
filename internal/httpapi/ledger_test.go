package httpapi_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// clientWith creates a client (with an email, for the portal) and returns its id.
func clientWith(s *session, name string, extra map[string]any) string {
	body := map[string]any{"name": name, "contacts": []map[string]any{{"name": name, "email": strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com"}}}
	for k, v := range extra {
		body[k] = v
	}
	return s.must(201, "POST", "/v1/clients", body).str("id")
}

// fixedInvoice creates a draft of one fixed line of amount and returns its id.
func fixedInvoice(s *session, cid, amount string, extra string) string {
	return s.must(201, "POST", "/v1/invoices", fmt.Sprintf(`{"clientId":%q,"name":"Work","lineItems":[{"type":"fixed","description":"Support","amount":%q,"taxRate":"0"}]%s}`, cid, amount, extra)).str("id")
}

// verifyLedger asks the admin-only verify and fails on any drift.
func verifyLedger(t *testing.T, s *session, cid string) reply {
	t.Helper()
	v := s.must(200, "POST", "/v1/clients/"+cid+"/ledger/verify", nil)
	if v.body["ok"] != true {
		t.Fatalf("ledger drift: %s", v.raw)
	}
	return v
}

// TestIssue7VoidReturnsAppliedCredit is the issue's first failing input:
// 30.00 credit, a 50.00 invoice takes it at finalization, the void gives
// it back, and the next invoice gets it.
func TestIssue7VoidReturnsAppliedCredit(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Ledger Care")
	cid := clientWith(s, "Ada Void", nil)
	s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "30.00", "method": "cash"})

	iid := fixedInvoice(s, cid, "50.00", "")
	inv := s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
	if inv.str("balance") != "20.00" || inv.str("amountCredited") != "30.00" {
		t.Fatalf("finalized with credit: %s", inv.raw)
	}
	c := s.must(200, "GET", "/v1/clients/"+cid, nil)
	if c.str("balance", "owing") != "20.00" || c.str("balance", "credit") != "0.00" {
		t.Fatalf("client after finalize: %s", c.raw)
	}

	inv = s.must(200, "POST", "/v1/invoices/"+iid+"/void", map[string]any{"reason": "billed the wrong client"})
	if inv.str("status") != "void" || inv.str("balance") != "0.00" {
		t.Fatalf("void invoice: %s", inv.raw)
	}
	c = s.must(200, "GET", "/v1/clients/"+cid, nil)
	if c.str("balance", "owing") != "0.00" || c.str("balance", "credit") != "30.00" {
		t.Fatalf("client after void: %s, want owing 0.00 and credit 30.00", c.raw)
	}

	next := fixedInvoice(s, cid, "50.00", "")
	if n := s.must(200, "POST", "/v1/invoices/"+next+"/finalize", nil); n.str("balance") != "20.00" {
		t.Fatalf("next invoice did not get the credit back: %s", n.raw)
	}

	led := s.must(200, "GET", "/v1/clients/"+cid+"/ledger", nil)
	var kinds []string
	for _, e := range led.list() {
		kinds = append(kinds, e["kind"].(string)+" "+e["amount"].(string)+" → "+e["balance"].(string))
	}
	want := "[payment_received -30.00 → -30.00 invoice_finalized 50.00 → 20.00 credit_applied 0.00 → 20.00 " +
		"credit_returned 0.00 → 20.00 invoice_voided -50.00 → -30.00 invoice_finalized 50.00 → 20.00 credit_applied 0.00 → 20.00]"
	if fmt.Sprint(kinds) != want {
		t.Fatalf("ledger:\n got %v\nwant %s", kinds, want)
	}
	if led.str("openingBalance") != "0.00" || led.str("closingBalance") != "20.00" {
		t.Fatalf("opening and closing: %s", led.raw)
	}
	verifyLedger(t, s, cid)
}

// TestIssue7VoidRefusedWhilePaymentsRemain: a void would lose the payment,
// so it is refused with 422 and nothing changes.
func TestIssue7VoidRefusedWhilePaymentsRemain(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Void Rules Care")
	cid := clientWith(s, "Bo Paid", nil)
	iid := fixedInvoice(s, cid, "80.00", "")
	s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
	s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "10.00", "method": "cash"})
	r := s.must(422, "POST", "/v1/invoices/"+iid+"/void", map[string]any{"reason": "mistake"})
	if r.str("error", "code") != "invoice_has_payments" {
		t.Fatalf("void with a payment: %s", r.raw)
	}
	if inv := s.must(200, "GET", "/v1/invoices/"+iid, nil); inv.str("status") != "open" || inv.str("balance") != "70.00" {
		t.Fatalf("refused void changed the invoice: %s", inv.raw)
	}
	verifyLedger(t, s, cid)
}

// TestIssue7VoidOwesNothing is the second failing input: a void invoice
// owes 0 in the API, the client summary and its PDF.
func TestIssue7VoidOwesNothing(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Void Shows Care")
	cid := clientWith(s, "Cy Void", nil)
	s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "30.00", "method": "cash"})
	iid := fixedInvoice(s, cid, "132.00", "")
	s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
	s.must(200, "POST", "/v1/invoices/"+iid+"/void", map[string]any{"reason": "duplicate"})

	inv := s.must(200, "GET", "/v1/invoices/"+iid, nil)
	if inv.str("balance") != "0.00" || inv.str("amountCredited") != "0.00" {
		t.Fatalf("void invoice: %s", inv.raw)
	}
	for _, e := range s.must(200, "GET", "/v1/invoices?clientId="+cid, nil).list() {
		if e["id"] == iid && e["balance"] != "0.00" {
			t.Fatalf("void invoice listed with balance %v", e["balance"])
		}
	}
	sum := s.must(200, "GET", "/v1/clients/"+cid+"/summary", nil)
	if sum.str("totals", "owing") != "0.00" || sum.str("totals", "overdue") != "0.00" || sum.str("totals", "credit") != "30.00" {
		t.Fatalf("summary: %s", sum.raw)
	}
	text := pdfText(t, s, "/v1/invoices/"+iid+"/pdf")
	if !strings.Contains(text, "VOID") || !regexp.MustCompile(`Balance due\s+\$0\.00`).MatchString(text) || strings.Contains(text, "$102.00") {
		t.Fatalf("void PDF:\n%s", text)
	}
}

// TestIssue7OneCurrencyPerClient is the third failing input: no JPY or
// KWD invoice for an AUD client, no payment in another currency, and the
// client's currency settable only while nothing is on its account.
func TestIssue7OneCurrencyPerClient(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Currency Care")
	cid := clientWith(s, "Di Yen", nil)

	r := s.must(422, "POST", "/v1/invoices", fmt.Sprintf(`{"clientId":%q,"name":"Yen","currency":"JPY","lineItems":[{"type":"fixed","description":"x","amount":"4107"}]}`, cid))
	if r.str("error", "code") != "currency_mismatch" || !strings.Contains(r.str("error", "message"), "AUD") || !strings.Contains(r.str("error", "message"), "JPY") {
		t.Fatalf("JPY invoice for an AUD client: %s", r.raw)
	}
	r = s.must(422, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "100.50", "currency": "USD", "method": "cash"})
	if r.str("error", "code") != "currency_mismatch" || !strings.Contains(r.str("error", "message"), "USD") {
		t.Fatalf("USD payment for an AUD client: %s", r.raw)
	}

	// A client that bills in JPY: set while its account is empty.
	jp := clientWith(s, "Eiko Yen", map[string]any{"currency": "JPY"})
	if c := s.must(200, "GET", "/v1/clients/"+jp, nil); c.str("currency") != "JPY" || c.str("balance", "currency") != "JPY" {
		t.Fatalf("JPY client: %s", c.raw)
	}
	s.must(200, "PATCH", "/v1/clients/"+jp, map[string]any{"currency": "KWD"})
	s.must(200, "PATCH", "/v1/clients/"+jp, map[string]any{"currency": "JPY"})
	draft := fixedInvoice(s, jp, "4107", "")
	if d := s.must(200, "GET", "/v1/invoices/"+draft, nil); d.str("currency") != "JPY" {
		t.Fatalf("a JPY client's draft defaults to %s", d.str("currency"))
	}
	r = s.must(422, "POST", "/v1/invoices", fmt.Sprintf(`{"clientId":%q,"name":"Dinar","currency":"KWD","lineItems":[{"type":"fixed","description":"x","amount":"4.080"}]}`, jp))
	if r.str("error", "code") != "currency_mismatch" || !strings.Contains(r.str("error", "message"), "KWD") {
		t.Fatalf("KWD invoice for a JPY client: %s", r.raw)
	}
	s.must(200, "POST", "/v1/invoices/"+draft+"/finalize", nil)
	if r := s.must(422, "PATCH", "/v1/clients/"+jp, map[string]any{"currency": "AUD"}); r.str("error", "code") != "currency_locked" {
		t.Fatalf("currency change after finalizing: %s", r.raw)
	}
	// An AUD payment (the org's currency) no longer lands on a JPY invoice.
	r = s.must(422, "POST", "/v1/payments", map[string]any{"clientId": jp, "amount": "100.50", "currency": "AUD", "method": "cash"})
	if r.str("error", "code") != "currency_mismatch" {
		t.Fatalf("AUD payment for a JPY client: %s", r.raw)
	}
	p := s.must(201, "POST", "/v1/payments", map[string]any{"clientId": jp, "amount": "100", "method": "cash"})
	if p.str("currency") != "JPY" {
		t.Fatalf("payment defaults to the client's currency: %s", p.raw)
	}
	inv := s.must(200, "GET", "/v1/invoices/"+draft, nil)
	if inv.str("amountPaid") != "100" || inv.str("balance") != "4007" || inv.str("total") != "4107" {
		t.Fatalf("JPY invoice after a JPY payment: %s", inv.raw)
	}
	if c := s.must(200, "GET", "/v1/clients/"+jp, nil); c.str("balance", "owing") != "4007" || c.str("balance", "currency") != "JPY" {
		t.Fatalf("JPY client owing: %s", c.raw)
	}
	verifyLedger(t, s, jp)
}

// TestIssue7PrintedRatesAsEntered is the fourth failing input: the PDF
// prints a rate with its own decimals, so quantity × rate gives the amount.
func TestIssue7PrintedRatesAsEntered(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Rates Care")
	cid := clientWith(s, "Fay Rate", nil)
	iid := s.must(201, "POST", "/v1/invoices", fmt.Sprintf(`{"clientId":%q,"name":"Rates","lineItems":[
	 {"type":"variable","description":"Therapy","quantity":"16","unit":"hours","rate":"334.416","taxRate":"0"}]}`, cid)).str("id")
	inv := s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
	if inv.str("total") != "5350.66" {
		t.Fatalf("total: %s", inv.raw)
	}
	text := pdfText(t, s, "/v1/invoices/"+iid+"/pdf")
	if !strings.Contains(text, "$334.416") || strings.Contains(text, "$334.42") || !strings.Contains(text, "$5,350.66") {
		t.Fatalf("AUD rate printed rounded:\n%s", text)
	}

	jp := clientWith(s, "Gin Yen", map[string]any{"currency": "JPY"})
	jid := s.must(201, "POST", "/v1/invoices", fmt.Sprintf(`{"clientId":%q,"name":"Travel","lineItems":[
	 {"type":"variable","description":"Travel","quantity":"7","unit":"km","rate":"4.5","taxRate":"0"}]}`, jp)).str("id")
	s.must(200, "POST", "/v1/invoices/"+jid+"/finalize", nil)
	text = pdfText(t, s, "/v1/invoices/"+jid+"/pdf")
	if !strings.Contains(text, "¥4.5") || !strings.Contains(text, "¥32") {
		t.Fatalf("JPY rate printed rounded:\n%s", text)
	}
}

// TestIssue7CreditNoteWords is the fifth failing input: a credit note on
// a paid invoice says so, and one above the balance is a 422 business rule.
func TestIssue7CreditNoteWords(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Credit Words Care")
	cid := clientWith(s, "Hal Credit", nil)
	iid := fixedInvoice(s, cid, "100.00", "")
	s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)

	r := s.must(422, "POST", "/v1/credit-notes", map[string]any{"invoiceId": iid, "amount": "100.01", "reason": "too much"})
	if r.str("error", "code") != "amount_exceeds_balance" || r.str("error", "message") != "100.01 is more than the invoice's balance of 100.00" {
		t.Fatalf("credit above the balance: %s", r.raw)
	}
	s.must(201, "POST", "/v1/credit-notes", map[string]any{"invoiceId": iid, "amount": "40.00", "reason": "session cancelled"})
	s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "60.00", "method": "cash"})
	r = s.must(422, "POST", "/v1/credit-notes", map[string]any{"invoiceId": iid, "amount": "10.00", "reason": "goodwill"})
	if r.str("error", "code") != "invoice_settled" || strings.Contains(r.str("error", "message"), "voided") {
		t.Fatalf("credit note on a paid invoice: %s", r.raw)
	}
	if c := s.must(200, "GET", "/v1/clients/"+cid, nil); c.str("balance", "owing") != "0.00" || c.str("balance", "credit") != "0.00" {
		t.Fatalf("client: %s", c.raw)
	}
	verifyLedger(t, s, cid)
}

// TestLedgerPages: the ledger pages in order with opening and closing
// balances for a date range; other orgs see neither ledger nor verify.
func TestLedgerPages(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Ledger Pages Care")
	cid := clientWith(s, "Ivy Pages", nil)
	for i := 0; i < 3; i++ {
		s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "10.00", "method": "cash"})
	}
	p1 := s.must(200, "GET", "/v1/clients/"+cid+"/ledger?limit=2", nil)
	if len(p1.list()) != 2 || p1.str("nextCursor") == "" || p1.str("closingBalance") != "-30.00" {
		t.Fatalf("first page: %s", p1.raw)
	}
	p2 := s.must(200, "GET", "/v1/clients/"+cid+"/ledger?limit=2&cursor="+p1.str("nextCursor"), nil)
	if l := p2.list(); len(l) != 1 || l[0]["seq"] != float64(3) || l[0]["balance"] != "-30.00" {
		t.Fatalf("second page: %s", p2.raw)
	}
	future := s.must(200, "GET", "/v1/clients/"+cid+"/ledger?from=2099-01-01", nil)
	if len(future.list()) != 0 || future.str("openingBalance") != "-30.00" || future.str("closingBalance") != "-30.00" {
		t.Fatalf("range after every entry: %s", future.raw)
	}
	past := s.must(200, "GET", "/v1/clients/"+cid+"/ledger?to=2000-01-01", nil)
	if len(past.list()) != 0 || past.str("openingBalance") != "0.00" || past.str("closingBalance") != "0.00" {
		t.Fatalf("range before every entry: %s", past.raw)
	}
	s.must(400, "GET", "/v1/clients/"+cid+"/ledger?from=2026-13-01", nil)
	s.must(404, "GET", "/v1/clients/cli_nope/ledger", nil)
	other := a.signup("Other Org")
	other.must(404, "GET", "/v1/clients/"+cid+"/ledger", nil)
	other.must(404, "POST", "/v1/clients/"+cid+"/ledger/verify", nil)
	if v := verifyLedger(t, s, cid); v.body["entries"] != float64(3) || v.str("ledgerCredit") != "30.00" {
		t.Fatalf("verify: %s", v.raw)
	}
}
