package httpapi_test

import (
	"net/http"
	"testing"
)

// TestOrgTextThatBreaksMail is the probe's finding 2: PATCH /v1/org took
// CR/LF and control characters in the name, email and phone and an email
// that is not an address, after which every invoice email of the org
// failed. Each is a 400 naming the field, and the org is unchanged.
func TestOrgTextThatBreaksMail(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Text Care")
	before := s.must(200, "GET", "/v1/org", nil).raw
	for _, c := range []struct{ body, field string }{
		{`{"name":"Text Care\r\nBcc: x@evil.example"}`, "name"},
		{`{"name":"Text\u0000Care"}`, "name"},
		{`{"name":"Text\u001b[2JCare"}`, "name"},
		{`{"name":"Care \u202eexe.fdp"}`, "name"},
		{`{"legalName":"Text\u2028Care"}`, "legalName"},
		{"{\"name\":\"Text \xff Care\"}", "name"},
		{`{"email":"billing@example.com\r\n"}`, "email"},
		{`{"email":"not an address"}`, "email"},
		{`{"email":"Billing <billing@example.com>"}`, "email"},
		{`{"phone":"+61 2 9999\n9999"}`, "phone"},
		{`{"phone":"call us"}`, "phone"},
		{`{"address":"1 Main St\nSydney\u0007"}`, "address"},
		{`{"branding":{"color":"#1F6FEB"}}`, "branding.color"},
		{`{"feePolicy":{"mode":"pass_through","percnt":"5"}}`, "feePolicy.percnt"},
		{`{"Name":"Case Care"}`, "Name"},
	} {
		r := s.do("PATCH", "/v1/org", c.body)
		if r.status != http.StatusBadRequest || r.str("error", "field") != c.field {
			t.Errorf("PATCH /v1/org %s = %d %s, want 400 naming %s", c.body, r.status, r.raw, c.field)
		}
	}
	if after := s.must(200, "GET", "/v1/org", nil).raw; after != before {
		t.Fatalf("org changed by refused input:\n%s\n%s", before, after)
	}
	// A multi-line address, a real email and an E.164 phone are fine.
	ok := s.must(200, "PATCH", "/v1/org", `{"address":"1 Main St\nSydney NSW 2000","email":"billing@example.com","phone":"+61299999999"}`)
	if ok.str("address") != "1 Main St\nSydney NSW 2000" || ok.str("phone") != "+61299999999" {
		t.Fatalf("valid settings: %s", ok.raw)
	}
}

// TestNestedTyposChangeNothing is the probe's finding 1 as the probe sent
// it: typos inside nested objects used to be dropped silently, billing the
// full amount or saving a contact without an email.
func TestNestedTyposChangeNothing(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Typo Care")
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Typo Client"}).str("id")
	for _, c := range []struct{ method, path, body, field string }{
		{"POST", "/v1/invoices", `{"clientId":"` + cid + `","name":"Oct","lineItems":[{"type":"fixed","description":"Session","amount":"100.00","discont":"50.00"}]}`, "lineItems[0].discont"},
		{"POST", "/v1/clients", `{"name":"Zoë","contacts":[{"name":"Zoë","emial":"zoe@example.com"}]}`, "contacts[0].emial"},
		{"POST", "/v1/clients", `{"name":"Zoë","name":"Zoe"}`, "name"},
		{"POST", "/v1/invoices", `{"CLIENTID":"` + cid + `","name":"Oct"}`, "CLIENTID"},
		{"POST", "/v1/invoices", `{"clientId":"` + cid + `","clientID":"` + cid + `","name":"Oct"}`, "clientID"},
	} {
		if r := s.do(c.method, c.path, c.body); r.status != http.StatusBadRequest || r.str("error", "field") != c.field {
			t.Errorf("%s %s %s = %d %s, want 400 naming %s", c.method, c.path, c.body, r.status, r.raw, c.field)
		}
	}
	if l := s.must(200, "GET", "/v1/invoices", nil).list(); len(l) != 0 {
		t.Fatalf("%d invoices after refused input", len(l))
	}
	if l := s.must(200, "GET", "/v1/clients", nil).list(); len(l) != 1 {
		t.Fatalf("%d clients after refused input, want 1", len(l))
	}
}
