package httpapi_test

import (
	"strings"
	"testing"
)

// testSpecialInvoiceKinds: in a cases-only org (standalone invoices off)
// exactly the three kinds the Pilot guide allows get through: a payment
// processing fee (numbered), an invoice synced from accounting (its own
// number kept, none taken from the series) and a billing account's
// initial balance (no number, on the ledger and balance, set once). The
// accounting export leaves out the two that came from or are already in
// the accounting system.
func testSpecialInvoiceKinds(t *testing.T, a *api) {
	s := a.signup("Kinds Lab")
	s.must(200, "PATCH", "/v1/org", map[string]any{"standaloneInvoices": false})
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Dental Office"}).str("id")
	today := sydneyDate(t).Format("2006-01-02")
	line := []map[string]any{{"type": "fixed", "description": "Card processing fee", "amount": "12.30", "taxRate": "0"}}

	if r := s.must(422, "POST", "/v1/invoices", map[string]any{"clientId": cid, "name": "By hand", "lineItems": line}); r.str("error", "code") != "standalone_invoices_off" {
		t.Fatalf("a standard invoice by hand: %s", r.raw)
	}
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"clientId": cid, "kind": "synced", "lineItems": line}, "externalNumber"},
		{map[string]any{"clientId": cid, "kind": "processing_fee", "externalNumber": "X-1", "lineItems": line}, "externalNumber"},
		{map[string]any{"clientId": cid, "kind": "initial_balance", "lineItems": line}, "kind"},
		{map[string]any{"clientId": cid, "kind": "gift", "lineItems": line}, "kind"},
	} {
		if r := s.must(400, "POST", "/v1/invoices", bad.body); r.str("error", "field") != bad.field {
			t.Errorf("%v: %s", bad.body, r.raw)
		}
	}
	if n := len(clientInvoices(s, cid)); n != 0 {
		t.Fatalf("refused invoices stored: %d", n)
	}

	fee := issue(s, map[string]any{"clientId": cid, "name": "Processing fee", "kind": "processing_fee", "lineItems": line})
	if fee.str("kind") != "processing_fee" || fee.str("number") != "INV-00001" {
		t.Fatalf("processing fee: %s", fee.raw)
	}
	synced := issue(s, map[string]any{"clientId": cid, "name": "From Xero", "kind": "synced", "externalNumber": "XERO-881", "externalReference": "9f1c-77",
		"lineItems": []map[string]any{{"type": "fixed", "description": "Stripe fees, October", "amount": "40.00", "taxRate": "0"}}})
	if synced.str("kind") != "synced" || synced.str("number") != "XERO-881" || synced.str("externalReference") != "9f1c-77" || synced.str("status") != "open" {
		t.Fatalf("synced: %s", synced.raw)
	}

	if none := s.must(200, "GET", "/v1/clients/"+cid+"/initial-balance", nil); none.raw != `{"invoice":null}`+"\n" && none.raw != `{"invoice":null}` {
		t.Fatalf("before any initial balance: %q", none.raw)
	}
	ib := s.must(201, "POST", "/v1/clients/"+cid+"/initial-balance", map[string]any{"amount": "120.50"})
	if got := s.must(200, "GET", "/v1/clients/"+cid+"/initial-balance", nil); !strings.Contains(got.raw, ib.str("id")) {
		t.Fatalf("initial balance read back: %s", got.raw)
	}
	if ib.str("kind") != "initial_balance" || ib.str("number") != "" || ib.str("status") != "open" || ib.str("total") != "120.50" || ib.str("issueDate") != today {
		t.Fatalf("initial balance: %s", ib.raw)
	}
	if again := s.must(200, "POST", "/v1/clients/"+cid+"/initial-balance", map[string]any{"amount": "120.50"}); again.str("id") != ib.str("id") {
		t.Fatalf("asked again: %s", again.raw)
	}
	if r := s.must(409, "POST", "/v1/clients/"+cid+"/initial-balance", map[string]any{"amount": "99.00"}); r.str("error", "code") != "initial_balance_set" {
		t.Fatalf("another amount: %s", r.raw)
	}
	s.must(400, "POST", "/v1/clients/"+cid+"/initial-balance", map[string]any{"amount": "-5"})
	other := a.signup("Other Lab")
	other.must(404, "POST", "/v1/clients/"+cid+"/initial-balance", map[string]any{"amount": "1.00"})
	other.must(404, "GET", "/v1/clients/"+cid+"/initial-balance", nil)

	if cl := s.must(200, "GET", "/v1/clients/"+cid, nil); cl.str("balance", "owing") != "172.80" {
		t.Fatalf("owing after all three: %s", cl.raw)
	}
	ledger := s.must(200, "GET", "/v1/clients/"+cid+"/ledger", nil)
	if !strings.Contains(ledger.raw, ib.str("id")) || len(ledger.list()) != 3 {
		t.Fatalf("ledger: %s", ledger.raw)
	}
	// Neither the synced invoice nor the initial balance took a number.
	next := issue(s, map[string]any{"clientId": cid, "name": "Processing fee", "kind": "processing_fee", "lineItems": line})
	if next.str("number") != "INV-00002" {
		t.Fatalf("the next number: %s", next.raw)
	}
	status, _, _, body := s.download("/v1/invoices/export.csv?format=xero&from=" + today + "&to=" + today)
	rows := parseCSV(t, body)
	if status != 200 || len(rows) != 3 || rows[1][10] != "INV-00001" || rows[2][10] != "INV-00002" {
		t.Fatalf("export: %d %q", status, rows)
	}
}
