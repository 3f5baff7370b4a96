package httpapi_test

import "testing"

// TestSyncedInvoiceNumberIsUnique: a synced invoice's number in the
// accounting system is one invoice's within the org (without case): a
// second is 409 number_taken and stores nothing; another org may use it;
// deleting the draft that held it frees it.
func TestSyncedInvoiceNumberIsUnique(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Synced Numbers Care")
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Ada"}).str("id")
	synced := func(number string) map[string]any {
		return map[string]any{"clientId": cid, "name": "From Xero", "kind": "synced", "externalNumber": number,
			"lineItems": []map[string]any{{"type": "fixed", "description": "Support", "amount": "50"}}}
	}
	first := s.must(201, "POST", "/v1/invoices", synced("XERO-881")).str("id")
	r := s.do("POST", "/v1/invoices", synced("xero-881"))
	if r.status != 409 || r.str("error", "code") != "number_taken" {
		t.Fatalf("the same number again: %d %s", r.status, r.raw)
	}
	if l := s.must(200, "GET", "/v1/invoices?clientId="+cid, nil).list(); len(l) != 1 {
		t.Fatalf("the refused invoice was stored: %d invoices", len(l))
	}
	other := a.signup("Other Synced Care")
	ocid := other.must(201, "POST", "/v1/clients", map[string]any{"name": "Bo"}).str("id")
	body := synced("XERO-881")
	body["clientId"] = ocid
	other.must(201, "POST", "/v1/invoices", body)

	s.must(204, "DELETE", "/v1/invoices/"+first, nil)
	second := s.must(201, "POST", "/v1/invoices", synced("XERO-881")).str("id")
	if s.must(200, "POST", "/v1/invoices/"+second+"/finalize", nil).str("number") != "XERO-881" {
		t.Fatal("the freed number was not kept")
	}
	if r := s.do("POST", "/v1/invoices", synced("XERO-881")); r.status != 409 {
		t.Fatalf("a finalized synced invoice's number again: %d %s", r.status, r.raw)
	}
}
