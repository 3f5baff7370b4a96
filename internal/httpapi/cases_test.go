package httpapi_test

import (
	"testing"
)

func surgicalCase(cid, date string) map[string]any {
	return map[string]any{
		"clientId": cid, "doctor": "Dr Okafor", "eventDate": date, "billingNotes": "Knee, left",
		"products": []map[string]any{
			{"description": "Tibial insert", "manufacturer": "Acme", "lot": "L-77", "quantity": "2", "rate": "1500.00", "discount": "100.00"},
			{"description": "Bone cement", "manufacturer": "Zimmer", "quantity": "1", "rate": "800"},
		},
	}
}

// testCaseJourney is the device rep's: a case waits on its POs (and shows
// in the pending-PO panel), two manufacturers' POs make two invoices,
// repeating the request makes no more, un-invoicing voids them and
// re-invoicing issues new numbers; then Invoice Paid and Commission Paid.
func testCaseJourney(t *testing.T, a *api) {
	s := a.signup("Ortho Reps")
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "St Vincent's Theatre"}).str("id")
	c := s.must(201, "POST", "/v1/cases", surgicalCase(cid, "2026-11-02"))
	id := c.str("id")
	if c.str("status") != "pending_po" || c.str("value") != "3700.00" {
		t.Fatalf("new case: %s", c.raw)
	}
	s.must(201, "POST", "/v1/cases", surgicalCase(cid, "2026-10-20")) // older, listed first
	pp := s.must(200, "GET", "/v1/cases/pending-po", nil)
	if pp.body["count"] != float64(2) || pp.str("value") != "7400.00" || len(pp.list()) != 2 || pp.list()[0]["eventDate"] != "2026-10-20" {
		t.Fatalf("pending-PO panel: %s", pp.raw)
	}
	if r := s.must(409, "POST", "/v1/cases/"+id+"/invoice", nil); r.str("error", "code") != "case_state" {
		t.Fatalf("invoice before PO: %s", r.raw)
	}
	c = s.must(200, "PUT", "/v1/cases/"+id+"/purchase-orders", map[string]any{"byManufacturer": map[string]string{"Acme": "PO-A1", "Zimmer": "PO-Z9"}})
	if c.str("status") != "pending_payment" {
		t.Fatalf("after POs: %s", c.raw)
	}
	if pp := s.must(200, "GET", "/v1/cases/pending-po", nil); pp.body["count"] != float64(1) || pp.str("value") != "3700.00" {
		t.Fatalf("pending-PO panel after POs: %s", pp.raw)
	}
	// An overdue invoice of another client, for the dashboard.
	ocid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Late Payer"}).str("id")
	issue(s, map[string]any{"clientId": ocid, "name": "Old", "issueDate": "2025-01-01", "dueDate": "2025-01-15",
		"lineItems": []map[string]any{{"type": "fixed", "description": "x", "amount": "100"}}})
	dash := s.must(200, "GET", "/v1/dashboard", nil)
	if dash.str("pendingPO", "value") != "3700.00" || dash.body["pendingPO"].(map[string]any)["count"] != float64(1) ||
		dash.body["readyToInvoice"].(map[string]any)["cases"] != float64(1) || dash.str("overdue", "balance") != "110.00" ||
		dash.str("open", "balance") != "110.00" || len(dash.body["recentActivity"].([]any)) == 0 {
		t.Fatalf("dashboard before invoicing: %s", dash.raw)
	}

	inv := s.must(200, "POST", "/v1/cases/"+id+"/invoice", nil)
	invs := inv.body["invoices"].([]any)
	if inv.str("status") != "invoiced" || len(invs) != 2 {
		t.Fatalf("invoiced: %s", inv.raw)
	}
	acme, zimmer := invs[0].(map[string]any), invs[1].(map[string]any)
	if acme["manufacturer"] != "Acme" || acme["po"] != "PO-A1" || acme["number"] != "INV-00002" || acme["status"] != "open" || acme["total"] != "3190.00" ||
		zimmer["manufacturer"] != "Zimmer" || zimmer["po"] != "PO-Z9" || zimmer["number"] != "INV-00003" || zimmer["total"] != "880.00" {
		t.Fatalf("two manufacturers' invoices: %v", invs)
	}
	full := s.must(200, "GET", "/v1/invoices/"+acme["invoiceId"].(string), nil)
	if full.str("poNumber") != "PO-A1" || full.str("memo") != "Knee, left" || len(full.body["lineItems"].([]any)) != 1 {
		t.Fatalf("Acme invoice: %s", full.raw)
	}
	// The single-case CSV: both invoices, one row per product, each with its PO.
	status, ct, _, body := s.download("/v1/cases/" + id + "/invoice.csv")
	rows := parseCSV(t, body)
	if status != 200 || ct != "text/csv; charset=utf-8" || len(rows) != 3 || rows[1][10] != "INV-00002" || rows[1][11] != "PO-A1" ||
		rows[2][10] != "INV-00003" || rows[2][11] != "PO-Z9" || rows[1][17] != "1" || rows[1][18] != "2900.00" || rows[1][22] != "290.00" {
		t.Fatalf("case CSV: %d %s %q", status, ct, rows)
	}
	again := s.must(200, "POST", "/v1/cases/"+id+"/invoice", nil)
	if len(again.body["invoices"].([]any)) != 2 || len(clientInvoices(s, cid)) != 2 {
		t.Fatalf("invoicing again made more: %s", again.raw)
	}
	if cl := s.must(200, "GET", "/v1/clients/"+cid, nil); cl.str("balance", "owing") != "4070.00" {
		t.Fatalf("owing: %s", cl.raw)
	}
	if dash := s.must(200, "GET", "/v1/dashboard", nil); dash.str("open", "balance") != "4180.00" || dash.body["open"].(map[string]any)["count"] != float64(3) ||
		dash.str("overdue", "balance") != "110.00" || dash.body["readyToInvoice"].(map[string]any)["cases"] != float64(0) {
		t.Fatalf("dashboard after invoicing: %s", dash.raw)
	}
	s.must(409, "PUT", "/v1/cases/"+id+"/purchase-orders", map[string]any{"all": "PO-X"})

	un := s.must(200, "POST", "/v1/cases/"+id+"/uninvoice", map[string]any{"reason": "wrong lot"})
	if un.str("status") != "pending_payment" || len(un.body["invoices"].([]any)) != 0 || len(un.body["voidedInvoices"].([]any)) != 2 {
		t.Fatalf("un-invoiced: %s", un.raw)
	}
	if cl := s.must(200, "GET", "/v1/clients/"+cid, nil); cl.str("balance", "owing") != "0.00" {
		t.Fatalf("owing after un-invoice: %s", cl.raw)
	}
	// One PO for all manufacturers now: one invoice, a new number.
	s.must(200, "PUT", "/v1/cases/"+id+"/purchase-orders", map[string]any{"all": "PO-ALL"})
	re := s.must(200, "POST", "/v1/cases/"+id+"/invoice", nil)
	reInvs := re.body["invoices"].([]any)
	if len(reInvs) != 1 || reInvs[0].(map[string]any)["number"] != "INV-00004" || reInvs[0].(map[string]any)["total"] != "4070.00" {
		t.Fatalf("re-invoiced: %s", re.raw)
	}
	s.must(400, "POST", "/v1/cases/"+id+"/commission-paid", map[string]any{})
	s.must(400, "POST", "/v1/cases/"+id+"/commission-paid", map[string]any{"date": "31/12/2026"})
	paid := s.must(200, "POST", "/v1/cases/"+id+"/invoice-paid", nil)
	com := s.must(200, "POST", "/v1/cases/"+id+"/commission-paid", map[string]any{"date": "2026-12-15"})
	if paid.str("status") != "invoice_paid" || com.body["commissionPaid"] != true || com.str("commissionPaidDate") != "2026-12-15" {
		t.Fatalf("paid flags: %s / %s", paid.raw, com.raw)
	}
	if l := s.must(200, "GET", "/v1/cases?status=invoice_paid", nil).list(); len(l) != 1 || l[0]["id"] != id {
		t.Fatalf("invoice_paid list: %v", l)
	}
	s.must(409, "POST", "/v1/cases/"+id+"/uninvoice", nil)
}

func testCaseUninvoiceKeepsPaidInvoices(t *testing.T, a *api) {
	s := a.signup("Dental Lab")
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Smile Dental"}).str("id")
	id := s.must(201, "POST", "/v1/cases", surgicalCase(cid, "2026-11-02")).str("id")
	s.must(200, "PUT", "/v1/cases/"+id+"/purchase-orders", map[string]any{"byManufacturer": map[string]string{"Acme": "A", "Zimmer": "Z"}})
	invs := s.must(200, "POST", "/v1/cases/"+id+"/invoice", nil).body["invoices"].([]any)
	zid := invs[1].(map[string]any)["invoiceId"].(string)
	s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "100.00", "date": "2026-11-05", "method": "cash", "allocations": []map[string]any{{"invoiceId": zid, "amount": "100.00"}}})
	if r := s.must(422, "POST", "/v1/cases/"+id+"/uninvoice", nil); r.str("error", "code") != "invoice_has_payments" {
		t.Fatalf("un-invoice with a payment: %s", r.raw)
	}
	c := s.must(200, "GET", "/v1/cases/"+id, nil)
	for _, v := range c.body["invoices"].([]any) {
		if v.(map[string]any)["status"] != "open" {
			t.Fatalf("a refused un-invoice voided something: %s", c.raw)
		}
	}
}

func testCaseBadInputChangesNothing(t *testing.T, a *api) {
	s := a.signup("Careful Lab")
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Office"}).str("id")
	other := a.signup("Other Lab")
	ocid := other.must(201, "POST", "/v1/clients", map[string]any{"name": "Elsewhere"}).str("id")
	for name, c := range map[string]struct {
		change func(map[string]any)
		status int
	}{
		"no doctor":     {func(b map[string]any) { delete(b, "doctor") }, 400},
		"no event date": {func(b map[string]any) { delete(b, "eventDate") }, 400},
		"no products":   {func(b map[string]any) { b["products"] = []any{} }, 400},
		"no manufacturer": {func(b map[string]any) {
			b["products"] = []map[string]any{{"description": "x", "quantity": "1", "rate": "1"}}
		}, 400},
		"float rate": {func(b map[string]any) {
			b["products"] = []map[string]any{{"description": "x", "manufacturer": "M", "quantity": "1", "rate": 1.5}}
		}, 400},
		"negative qty": {func(b map[string]any) {
			b["products"] = []map[string]any{{"description": "x", "manufacturer": "M", "quantity": "-1", "rate": "1"}}
		}, 400},
		"discount > gross": {func(b map[string]any) {
			b["products"] = []map[string]any{{"description": "x", "manufacturer": "M", "quantity": "1", "rate": "1", "discount": "2"}}
		}, 400},
		"unknown field":    {func(b map[string]any) { b["surgeon"] = "x" }, 400},
		"other org client": {func(b map[string]any) { b["clientId"] = ocid }, 404},
	} {
		b := surgicalCase(cid, "2026-11-02")
		c.change(b)
		if r := s.do("POST", "/v1/cases", b); r.status != c.status {
			t.Errorf("%s: %d %s, want %d", name, r.status, r.raw, c.status)
		}
	}
	if pp := s.must(200, "GET", "/v1/cases/pending-po", nil); pp.body["count"] != float64(0) || len(pp.list()) != 0 {
		t.Fatalf("bad bodies stored cases: %s", pp.raw)
	}
	id := s.must(201, "POST", "/v1/cases", surgicalCase(cid, "2026-11-02")).str("id")
	for _, b := range []map[string]any{
		{}, {"all": "A", "byManufacturer": map[string]string{"Acme": "B"}}, {"byManufacturer": map[string]string{"Acme": "A"}},
		{"byManufacturer": map[string]string{"Acme": "A", "Zimmer": "Z", "Other": "O"}}, {"all": "=HYPERLINK()"}, {"all": "PO\x00"},
	} {
		if r := s.do("PUT", "/v1/cases/"+id+"/purchase-orders", b); r.status != 400 {
			t.Errorf("POs %v: %d %s", b, r.status, r.raw)
		}
	}
	other.must(404, "GET", "/v1/cases/"+id, nil)
	other.must(404, "PUT", "/v1/cases/"+id+"/purchase-orders", map[string]any{"all": "X"})
	other.must(404, "POST", "/v1/cases/"+id+"/invoice", nil)
	if c := s.must(200, "GET", "/v1/cases/"+id, nil); c.str("status") != "pending_po" || c.str("purchaseOrders", "all") != "" {
		t.Fatalf("bad POs changed the case: %s", c.raw)
	}
	s.must(409, "POST", "/v1/cases/"+id+"/commission-paid", map[string]any{"date": "2026-12-01"})
	s.must(409, "POST", "/v1/cases/"+id+"/invoice-paid", nil)
	s.must(400, "GET", "/v1/cases?status=lost", nil)
	s.must(409, "GET", "/v1/cases/"+id+"/invoice.csv", nil)
	s.must(400, "GET", "/v1/cases/"+id+"/invoice.csv?format=myob", nil)
}

// A case-based lab turns standalone invoices off: invoices made by hand
// are refused, invoices from its cases still go through.
func testStandaloneInvoicesOff(t *testing.T, a *api) {
	s := a.signup("Cases Only Lab")
	if o := s.must(200, "GET", "/v1/org", nil); o.body["standaloneInvoices"] != true {
		t.Fatalf("default: %s", o.raw)
	}
	s.must(200, "PATCH", "/v1/org", map[string]any{"standaloneInvoices": false})
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Clinic"}).str("id")
	r := s.do("POST", "/v1/invoices", map[string]any{"clientId": cid, "name": "By hand", "lineItems": []map[string]any{{"type": "fixed", "description": "x", "amount": "10"}}})
	if r.status != 422 || r.str("error", "code") != "standalone_invoices_off" || len(clientInvoices(s, cid)) != 0 {
		t.Fatalf("standalone invoice in a cases-only org: %d %s", r.status, r.raw)
	}
	id := s.must(201, "POST", "/v1/cases", surgicalCase(cid, "2026-11-02")).str("id")
	s.must(200, "PUT", "/v1/cases/"+id+"/purchase-orders", map[string]any{"all": "PO-1"})
	if inv := s.must(200, "POST", "/v1/cases/"+id+"/invoice", nil); len(inv.body["invoices"].([]any)) != 1 {
		t.Fatalf("case invoice in a cases-only org: %s", inv.raw)
	}
	s.must(400, "PATCH", "/v1/org", map[string]any{"standaloneInvoices": "no"})
}
