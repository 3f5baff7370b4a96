package httpapi_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/shopspring/decimal"
)

// finalizedInvoice creates a client with one finalized November invoice
// ($2,260.50 with GST) and returns their ids.
func finalizedInvoice(s *session, name string) (cid, iid string) {
	cid = s.must(201, "POST", "/v1/clients", map[string]any{"name": name}).str("id")
	iid = s.must(201, "POST", "/v1/invoices", fmt.Sprintf(novemberInvoice, cid)).str("id")
	s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
	return cid, iid
}

func TestRecordedPaymentsReceiptsAndCredit(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Payments Care")
	cid, iid := finalizedInvoice(s, "Zoë Müller-Ng")

	p1 := s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "1000.00", "date": "2026-11-26", "method": "cash", "reference": "Front desk"})
	if p1.str("receiptNumber") != "RCT-00001" || p1.str("credit") != "0.00" {
		t.Fatalf("partial payment: %s", p1.raw)
	}
	inv := s.must(200, "GET", "/v1/invoices/"+iid, nil)
	if inv.str("status") != "open" || inv.str("amountPaid") != "1000.00" || inv.str("balance") != "1260.50" {
		t.Fatalf("after partial payment: %s", inv.raw)
	}
	if c := s.must(200, "GET", "/v1/clients/"+cid, nil); c.str("balance", "owing") != "1260.50" {
		t.Fatalf("owing after partial: %s", c.raw)
	}
	if r := s.must(422, "POST", "/v1/invoices/"+iid+"/void", map[string]any{"reason": "mistake"}); r.str("error", "code") != "invoice_has_payments" {
		t.Fatalf("void with payments: %s", r.raw)
	}

	p2 := s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "1500.00", "date": "2026-11-27", "method": "bank_transfer",
		"allocations": []map[string]any{{"invoiceId": iid, "amount": "1260.50"}}})
	if p2.str("receiptNumber") != "RCT-00002" || p2.str("credit") != "239.50" {
		t.Fatalf("overpayment: %s", p2.raw)
	}
	if inv := s.must(200, "GET", "/v1/invoices/"+iid, nil); inv.str("status") != "paid" || inv.str("balance") != "0.00" {
		t.Fatalf("after overpayment: %s", inv.raw)
	}
	sum := s.must(200, "GET", "/v1/clients/"+cid+"/summary", nil)
	if sum.str("totals", "owing") != "0.00" || sum.str("totals", "credit") != "239.50" || sum.str("totals", "paid") != "2260.50" || sum.str("totals", "invoiced") != "2260.50" {
		t.Fatalf("summary: %s", sum.raw)
	}
	if l := s.must(200, "GET", "/v1/payments?clientId="+cid, nil).list(); len(l) != 2 {
		t.Fatalf("payments listed: %d", len(l))
	}
	var kinds []string
	for _, e := range s.must(200, "GET", "/v1/invoices/"+iid+"/activity", nil).list() {
		kinds = append(kinds, e["kind"].(string))
	}
	if fmt.Sprint(kinds) != "[payment_recorded payment_recorded finalized created]" {
		t.Fatalf("activity %v", kinds)
	}

	// Bad input changes nothing.
	for name, body := range map[string]map[string]any{
		"zero":         {"clientId": cid, "amount": "0", "date": "2026-11-27", "method": "cash"},
		"sub-cent":     {"clientId": cid, "amount": "1.001", "date": "2026-11-27", "method": "cash"},
		"bad method":   {"clientId": cid, "amount": "1", "date": "2026-11-27", "method": "barter"},
		"paid invoice": {"clientId": cid, "amount": "5", "date": "2026-11-27", "method": "cash", "allocations": []map[string]any{{"invoiceId": iid, "amount": "5"}}},
		"over budget":  {"clientId": cid, "amount": "5", "date": "2026-11-27", "method": "cash", "allocations": []map[string]any{{"invoiceId": iid, "amount": "6"}}},
	} {
		if r := s.do("POST", "/v1/payments", body); r.status != 400 {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
		}
	}
	if l := s.must(200, "GET", "/v1/payments", nil).list(); len(l) != 2 {
		t.Fatalf("bad payments were recorded: %d", len(l))
	}
	other := a.signup("Other Payments Care")
	other.must(404, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "5", "date": "2026-11-27", "method": "cash"})
	other.must(404, "GET", "/v1/payments/"+p1.str("id"), nil)
}

// TestConcurrentPaymentsStayConsistent: 50 payments of $100 against one
// $2,260.50 invoice at once. Allocations never exceed the total, the
// excess becomes credit, every payment gets its own receipt, nothing is lost.
func TestConcurrentPaymentsStayConsistent(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Busy Payments Care")
	cid, iid := finalizedInvoice(s, "Sam Lee")
	const n = 50
	var wg sync.WaitGroup
	replies := make([]reply, n)
	for i := range n {
		wg.Go(func() {
			replies[i] = s.do("POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "100.00", "date": "2026-11-26", "method": "card"})
		})
	}
	wg.Wait()
	allocated, credit := decimal.Zero, decimal.Zero
	receipts := map[string]bool{}
	for i, r := range replies {
		if r.status != 201 {
			t.Fatalf("payment %d: %d %s", i, r.status, r.raw)
		}
		receipts[r.str("receiptNumber")] = true
		credit = credit.Add(decimal.RequireFromString(r.str("credit")))
		for _, al := range r.body["allocations"].([]any) {
			allocated = allocated.Add(decimal.RequireFromString(al.(map[string]any)["amount"].(string)))
		}
	}
	if len(receipts) != n || !receipts["RCT-00001"] || !receipts[fmt.Sprintf("RCT-%05d", n)] {
		t.Fatalf("receipts %v", receipts)
	}
	if !allocated.Equal(decimal.RequireFromString("2260.50")) || !credit.Equal(decimal.RequireFromString("2739.50")) {
		t.Fatalf("allocated %s, credit %s", allocated, credit)
	}
	inv := s.must(200, "GET", "/v1/invoices/"+iid, nil)
	if inv.str("status") != "paid" || inv.str("amountPaid") != "2260.50" || inv.str("balance") != "0.00" {
		t.Fatalf("invoice: %s", inv.raw)
	}
	c := s.must(200, "GET", "/v1/clients/"+cid, nil)
	if c.str("balance", "owing") != "0.00" || c.str("balance", "credit") != "2739.50" {
		t.Fatalf("client balance: %s", c.raw)
	}
}

func TestCreditNotesAndClientCredit(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Credit Care")
	cid, iid := finalizedInvoice(s, "Aroha Tane")
	n := s.must(201, "POST", "/v1/credit-notes", map[string]any{"invoiceId": iid, "amount": "260.50", "reason": "Session cancelled by us"})
	if n.str("number") != "CN-00001" || n.str("invoiceNumber") != "INV-00001" {
		t.Fatalf("credit note: %s", n.raw)
	}
	inv := s.must(200, "GET", "/v1/invoices/"+iid, nil)
	if inv.str("amountCredited") != "260.50" || inv.str("balance") != "2000.00" {
		t.Fatalf("credited invoice: %s", inv.raw)
	}
	s.must(422, "POST", "/v1/credit-notes", map[string]any{"invoiceId": iid, "amount": "2000.01", "reason": "too much"})
	s.must(400, "POST", "/v1/credit-notes", map[string]any{"invoiceId": iid, "amount": "10", "reason": ""})
	if n2 := s.must(201, "POST", "/v1/credit-notes", map[string]any{"invoiceId": iid, "amount": "10", "reason": "Rounding"}); n2.str("number") != "CN-00002" {
		t.Fatalf("second note: %s", n2.raw)
	}
	// Overpay to build client credit, then a new invoice takes it at finalization.
	s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "2100.00", "date": "2026-11-26", "method": "bank_transfer"})
	if c := s.must(200, "GET", "/v1/clients/"+cid, nil); c.str("balance", "credit") != "110.00" || c.str("balance", "owing") != "0.00" {
		t.Fatalf("credit after overpayment: %s", c.raw)
	}
	iid2 := s.must(201, "POST", "/v1/invoices", fmt.Sprintf(novemberInvoice, cid)).str("id")
	fin := s.must(200, "POST", "/v1/invoices/"+iid2+"/finalize", nil)
	if fin.str("amountCredited") != "110.00" || fin.str("balance") != "2150.50" {
		t.Fatalf("finalize with client credit: %s", fin.raw)
	}
	if c := s.must(200, "GET", "/v1/clients/"+cid, nil); c.str("balance", "credit") != "0.00" || c.str("balance", "owing") != "2150.50" {
		t.Fatalf("client after credit applied: %s", c.raw)
	}
	if r := s.do("POST", "/v1/invoices/"+iid2+"/apply-credit", nil); r.status != 400 {
		t.Fatalf("applying credit the client lacks: %d %s", r.status, r.raw)
	}
	other := a.signup("Other Credit Care")
	other.must(404, "GET", "/v1/credit-notes/"+n.str("id"), nil)
	other.must(404, "POST", "/v1/credit-notes", map[string]any{"invoiceId": iid, "amount": "1", "reason": "x"})
}

func TestLockingBlocksVoidButNotPayments(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Lock Care")
	cid, iid := finalizedInvoice(s, "Locked Client")
	draft := s.must(201, "POST", "/v1/invoices", fmt.Sprintf(novemberInvoice, cid)).str("id")
	s.must(409, "POST", "/v1/invoices/"+draft+"/lock", map[string]any{"reason": "drafts cannot lock"})
	if inv := s.must(200, "POST", "/v1/invoices/"+iid+"/lock", map[string]any{"reason": "Included in November statement"}); !inv.body["locked"].(bool) {
		t.Fatalf("lock: %s", inv.raw)
	}
	if r := s.must(409, "POST", "/v1/invoices/"+iid+"/void", map[string]any{"reason": "x"}); r.str("error", "code") != "invoice_locked" {
		t.Fatalf("void locked: %s", r.raw)
	}
	s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "10.00", "date": "2026-11-26", "method": "cash",
		"allocations": []map[string]any{{"invoiceId": iid, "amount": "10.00"}}})
	s.must(400, "POST", "/v1/invoices/"+iid+"/unlock", map[string]any{})
	if inv := s.must(200, "POST", "/v1/invoices/"+iid+"/unlock", map[string]any{"reason": "Statement regenerated"}); inv.body["locked"].(bool) || inv.str("amountPaid") != "10.00" {
		t.Fatalf("unlock: %s", inv.raw)
	}
	s.must(409, "POST", "/v1/invoices/"+iid+"/unlock", map[string]any{"reason": "again"})
	var kinds []string
	for _, e := range s.must(200, "GET", "/v1/invoices/"+iid+"/activity", nil).list() {
		kinds = append(kinds, e["kind"].(string))
	}
	if fmt.Sprint(kinds) != "[unlocked payment_recorded locked finalized created]" {
		t.Fatalf("activity %v", kinds)
	}
}
