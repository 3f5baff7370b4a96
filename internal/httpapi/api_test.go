package httpapi_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/openapitest"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/testkit"
	"github.com/carebill/carebill/internal/teststack"
	invoicingwire "github.com/carebill/carebill/internal/wire/invoicing"
)

var (
	moto       *testenv.Moto
	stripeMock *testenv.StripeMock
)

func TestMain(m *testing.M) { testenv.MainWithMotoAndStripe(m, &moto, &stripeMock) }

// api is a running invoicing API over a fresh copy of the stack in moto,
// with the documents function serving the PDF routes.
type api struct {
	t    testing.TB
	srv  *httptest.Server
	h    http.Handler
	docs http.Handler // the documents function alone
	st   *teststack.Stack
}

func newAPI(t *testing.T) *api {
	t.Helper()
	st := teststack.New(t, moto)
	srv := st.Site(t)
	h, err := invoicingwire.New(context.Background(), st.Env(t, "InvoicingFunction"), st.AWSFor("InvoicingFunction"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	docs := newDocuments(t, st)
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mountDocuments(mux, docs)
	srv.Config.Handler = openapitest.Validate(t, mux)
	srv.Start()
	return &api{t: t, srv: srv, h: h, docs: docs, st: st}
}

// reply is testkit's reply under the names these tests use.
type reply struct {
	status int
	body   map[string]any
	raw    string
	header http.Header
}

func (r reply) str(path ...string) string { return testkit.Reply{Body: r.body}.Str(path...) }

// list is the page of items under "data"; a reply without one panics.
func (r reply) list() []map[string]any {
	if _, ok := r.body["data"].([]any); !ok {
		panic("reply has no data array: " + r.raw)
	}
	return testkit.Reply{Body: r.body}.List("data")
}

type session struct {
	a      *api
	token  string
	header map[string]string
	client *http.Client
}

func (a *api) anon() *session { return &session{a: a, client: http.DefaultClient} }

func (s *session) do(method, path string, body any) reply {
	s.a.t.Helper()
	r, err := testkit.Send(testkit.Request{Method: method, URL: s.a.srv.URL + path, Body: body, Token: s.token,
		Header: s.header, Client: s.client})
	if err != nil {
		s.a.t.Fatalf("%s %s: %v", method, path, err)
	}
	return reply{status: r.Status, body: r.Body, raw: r.Raw, header: r.Header}
}

func (s *session) must(status int, method, path string, body any) reply {
	s.a.t.Helper()
	r := s.do(method, path, body)
	if r.status != status {
		s.a.t.Fatalf("%s %s = %d %s, want %d", method, path, r.status, r.raw, status)
	}
	return r
}

var orgN int

// signup creates an org and signs its admin in.
func (a *api) signup(name string) *session {
	a.t.Helper()
	orgN++
	email := fmt.Sprintf("admin%d-%s@example.com", orgN, strings.ToLower(strings.ReplaceAll(name, " ", "")))
	anon := a.anon()
	anon.must(201, "POST", "/auth/signup", map[string]string{"orgName": name, "email": email, "password": "Correct-Horse-9"})
	r := anon.must(200, "POST", "/auth/login", map[string]string{"email": email, "password": "Correct-Horse-9"})
	return &session{a: a, token: r.str("token"), client: http.DefaultClient}
}

const novemberInvoice = `{"clientId":%q,"name":"Client Invoice – November","lineItems":[
 {"type":"variable","description":"Support coordination","periodStart":"2026-11-01","periodEnd":"2026-11-30","quantity":"40","unit":"hours","rate":"50"},
 {"type":"variable","description":"Travel","quantity":"20","unit":"miles","rate":"0.25"},
 {"type":"fixed","description":"Consulting services","amount":"50"}]}`

// TestCoordinatorJourney is the "done when": sign up, add a client,
// bill 40 h at $50, 20 mi at $0.25 and a $50 fee, see $2,055.00 and the
// tax, finalize for a number, fail to change it, void it; a second org
// sees none of it.
func TestCoordinatorJourney(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	alpha := a.signup("Alpha Care")
	org := alpha.must(200, "GET", "/v1/org", nil)
	if org.str("currency") != "AUD" || org.str("taxRate") != "10" || org.str("numberPrefix") != "INV-" {
		t.Fatalf("org defaults: %s", org.raw)
	}
	c := alpha.must(201, "POST", "/v1/clients", map[string]any{
		"name": "Zoë Müller-Ng", "contacts": []map[string]any{{"name": "Zoë", "email": "zoe@example.com", "phone": "+61412345678"}},
	})
	cid := c.str("id")
	if c.str("balance", "owing") != "0.00" || c.str("billingContactId") == "" {
		t.Fatalf("new client: %s", c.raw)
	}

	inv := alpha.must(201, "POST", "/v1/invoices", fmt.Sprintf(novemberInvoice, cid))
	iid := inv.str("id")
	if inv.str("subtotal") != "2055.00" || inv.str("taxTotal") != "205.50" || inv.str("total") != "2260.50" ||
		inv.str("status") != "draft" || inv.str("number") != "" {
		t.Fatalf("draft: %s", inv.raw)
	}
	if inv.header.Get("Location") != "/v1/invoices/"+iid {
		t.Fatalf("Location %q", inv.header.Get("Location"))
	}
	// Drafts can be edited.
	ed := alpha.must(200, "PATCH", "/v1/invoices/"+iid, map[string]any{"memo": "Thank you", "dueDate": "2026-12-31"})
	if ed.str("memo") != "Thank you" || ed.str("subtotal") != "2055.00" || ed.str("dueDate") != "2026-12-31" {
		t.Fatalf("patched draft: %s", ed.raw)
	}

	if r := alpha.must(409, "GET", "/v1/invoices/"+iid+"/pay-link", nil); r.str("error", "code") != "invoice_not_finalized" {
		t.Fatalf("pay link of a draft: %s", r.raw)
	}
	fin := alpha.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
	link := alpha.must(200, "GET", "/v1/invoices/"+iid+"/pay-link", nil).str("url")
	if !strings.HasPrefix(link, a.srv.URL+"/pay/org_") || len(link) < len(a.srv.URL)+60 {
		t.Fatalf("pay link %q", link)
	}
	if fin.str("number") != "INV-00001" || fin.str("status") != "open" || fin.str("issueDate") == "" || fin.str("balance") != "2260.50" {
		t.Fatalf("finalized: %s", fin.raw)
	}
	if r := alpha.must(409, "PATCH", "/v1/invoices/"+iid, map[string]any{"name": "changed"}); r.str("error", "code") != "invoice_not_draft" {
		t.Fatalf("edit finalized: %s", r.raw)
	}
	alpha.must(409, "DELETE", "/v1/invoices/"+iid, nil)
	alpha.must(409, "POST", "/v1/invoices/"+iid+"/finalize", nil)
	if got := alpha.must(200, "GET", "/v1/clients/"+cid, nil); got.str("balance", "owing") != "2260.50" {
		t.Fatalf("owing after finalize: %s", got.raw)
	}

	alpha.must(400, "POST", "/v1/invoices/"+iid+"/void", map[string]any{})
	v := alpha.must(200, "POST", "/v1/invoices/"+iid+"/void", map[string]any{"reason": "Issued in error"})
	if v.str("status") != "void" || v.str("voidReason") != "Issued in error" || v.str("number") != "INV-00001" {
		t.Fatalf("voided: %s", v.raw)
	}
	alpha.must(409, "POST", "/v1/invoices/"+iid+"/void", map[string]any{"reason": "again"})
	if got := alpha.must(200, "GET", "/v1/clients/"+cid, nil); got.str("balance", "owing") != "0.00" {
		t.Fatalf("owing after void: %s", got.raw)
	}

	// A second org sees none of it, and cannot touch it.
	beta := a.signup("Beta Care")
	beta.must(404, "GET", "/v1/invoices/"+iid, nil)
	beta.must(404, "GET", "/v1/clients/"+cid, nil)
	beta.must(404, "POST", "/v1/invoices/"+iid+"/void", map[string]any{"reason": "x"})
	beta.must(404, "PATCH", "/v1/clients/"+cid, map[string]any{"name": "stolen"})
	beta.must(404, "POST", "/v1/invoices", fmt.Sprintf(novemberInvoice, cid))
	if l := beta.must(200, "GET", "/v1/invoices", nil).list(); len(l) != 0 {
		t.Fatalf("beta lists %d invoices", len(l))
	}
	if l := beta.must(200, "GET", "/v1/clients", nil).list(); len(l) != 0 {
		t.Fatalf("beta lists %d clients", len(l))
	}
	if l := alpha.must(200, "GET", "/v1/invoices?status=void", nil).list(); len(l) != 1 {
		t.Fatalf("alpha's void list has %d", len(l))
	}

	// The activity log tells the story, newest first.
	var kinds []string
	for _, e := range alpha.must(200, "GET", "/v1/invoices/"+iid+"/activity", nil).list() {
		kinds = append(kinds, e["kind"].(string))
	}
	if strings.Join(kinds, ",") != "voided,finalized,created" {
		t.Fatalf("invoice activity %v", kinds)
	}
	if l := alpha.must(200, "GET", "/v1/clients/"+cid+"/activity", nil).list(); len(l) != 4 || l[0]["summary"] != "Invoice INV-00001 voided: Issued in error" {
		t.Fatalf("client activity %v", l)
	}
	if l := alpha.must(200, "GET", "/v1/activity?q=invoices", nil).list(); len(l) != 3 {
		t.Fatalf("feed search for invoices: %v", l)
	}
	if l := alpha.must(200, "GET", "/v1/activity", nil).list(); len(l) != 4 {
		t.Fatalf("feed: %v", l)
	}
	beta.must(404, "GET", "/v1/invoices/"+iid+"/activity", nil)
	if l := beta.must(200, "GET", "/v1/activity", nil).list(); len(l) != 0 {
		t.Fatalf("beta sees alpha's feed: %v", l)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Careful Care")
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Client"}).str("id")
	line := func(extra string) string {
		return fmt.Sprintf(`{"clientId":%q,"name":"n","lineItems":[{"type":"variable","description":"d","quantity":"1","rate":"1"%s}]}`, cid, extra)
	}
	many := make([]string, 501)
	for i := range many {
		many[i] = `{"type":"fixed","description":"x","amount":"1"}`
	}
	for name, tc := range map[string]struct {
		body, code string
		status     int
	}{
		"malformed":       {`{"clientId":`, "malformed_json", 400},
		"not an object":   {`[1,2]`, "malformed_json", 400},
		"trailing data":   {line("") + `{}`, "malformed_json", 400},
		"unknown field":   {fmt.Sprintf(`{"clientId":%q,"name":"n","colour":"red"}`, cid), "invalid_field", 400},
		"number amount":   {fmt.Sprintf(`{"clientId":%q,"name":"n","lineItems":[{"type":"fixed","description":"d","amount":50}]}`, cid), "invalid_field", 400},
		"negative qty":    {strings.Replace(line(""), `"quantity":"1"`, `"quantity":"-1"`, 1), "invalid_field", 400},
		"exponent qty":    {strings.Replace(line(""), `"quantity":"1"`, `"quantity":"1e3"`, 1), "invalid_field", 400},
		"word qty":        {strings.Replace(line(""), `"quantity":"1"`, `"quantity":"lots"`, 1), "invalid_field", 400},
		"huge rate":       {strings.Replace(line(""), `"rate":"1"`, `"rate":"999999999"`, 1), "invalid_field", 400},
		"beyond limit":    {fmt.Sprintf(`{"clientId":%q,"name":"n","lineItems":[{"type":"fixed","description":"d","amount":"99999999999"}]}`, cid), "invalid_field", 400},
		"too many lines":  {fmt.Sprintf(`{"clientId":%q,"name":"n","lineItems":[%s]}`, cid, strings.Join(many, ",")), "invalid_field", 400},
		"long name":       {fmt.Sprintf(`{"clientId":%q,"name":%q}`, cid, strings.Repeat("n", 201)), "invalid_field", 400},
		"unknown curr":    {fmt.Sprintf(`{"clientId":%q,"name":"n","currency":"XXX"}`, cid), "invalid_field", 400},
		"bad date":        {fmt.Sprintf(`{"clientId":%q,"name":"n","dueDate":"31/12/2026"}`, cid), "invalid_field", 400},
		"bad unit":        {line(`,"unit":"parsecs"`), "invalid_field", 400},
		"no client":       {`{"name":"n"}`, "invalid_field", 400},
		"foreign client":  {`{"clientId":"cli_01jd00000000000000000000zz","name":"n"}`, "not_found", 404},
		"discount > line": {line(`,"discount":"2"`), "invalid_field", 400},
	} {
		r := s.do("POST", "/v1/invoices", tc.body)
		if r.status != tc.status || r.str("error", "code") != tc.code || r.str("error", "message") == "" {
			t.Errorf("%s: %d %s, want %d %s", name, r.status, r.raw, tc.status, tc.code)
		}
		if strings.Contains(r.raw, "dynamodb") || strings.Contains(r.raw, "operation error") {
			t.Errorf("%s leaks internals: %s", name, r.raw)
		}
	}
	if l := s.must(200, "GET", "/v1/invoices", nil).list(); len(l) != 0 {
		t.Fatalf("bad input wrote %d invoices", len(l))
	}
	for name, body := range map[string]any{
		"bad email":  map[string]any{"name": "X", "contacts": []map[string]any{{"name": "Y", "email": "nope"}}},
		"bad ndis":   map[string]any{"name": "X", "funding": map[string]any{"type": "ndia_managed", "ndisNumber": "12"}},
		"empty name": map[string]any{"name": ""},
	} {
		if r := s.do("POST", "/v1/clients", body); r.status != 400 {
			t.Errorf("client %s: %d %s", name, r.status, r.raw)
		}
	}
	if l := s.must(200, "GET", "/v1/clients", nil).list(); len(l) != 1 {
		t.Fatalf("bad client input wrote clients: %d", len(l))
	}
	s.must(400, "PATCH", "/v1/org", map[string]any{"currency": "ABC"})
	s.must(400, "PATCH", "/v1/org", map[string]any{"taxId": "12345678901"})
	if o := s.must(200, "PATCH", "/v1/org", map[string]any{"taxId": "51 824 753 556", "numberPrefix": "CC-", "branding": map[string]any{"colour": "#224466"}}); o.str("taxId") != "51 824 753 556" || o.str("branding", "colour") != "#224466" {
		t.Fatalf("org patch: %s", o.raw)
	}
	s.must(404, "GET", "/v1/invoices/not-an-id", nil)
	s.must(400, "GET", "/v1/invoices?status=late", nil)
	s.must(400, "GET", "/v1/invoices?cursor=garbage", nil)
	s.must(400, "GET", "/v1/clients?limit=1000", nil)
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Retry Care")
	s.header = map[string]string{"Idempotency-Key": "create-client-1"}
	first := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Once Only"})
	again := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Once Only"})
	if first.str("id") != again.str("id") || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay differs: %s vs %s", first.raw, again.raw)
	}
	if r := s.do("POST", "/v1/clients", map[string]any{"name": "Someone Else"}); r.status != 422 || r.str("error", "code") != "idempotency_key_reused" {
		t.Fatalf("same key, other body: %d %s", r.status, r.raw)
	}
	s.header = nil
	if l := s.must(200, "GET", "/v1/clients", nil).list(); len(l) != 1 {
		t.Fatalf("%d clients after retries, want 1", len(l))
	}
	// Finalize retried with the same key answers the same number once.
	cid := first.str("id")
	iid := s.must(201, "POST", "/v1/invoices", fmt.Sprintf(novemberInvoice, cid)).str("id")
	s.header = map[string]string{"Idempotency-Key": "fin-" + iid}
	n1 := s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil).str("number")
	n2 := s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil).str("number")
	if n1 != "INV-00001" || n2 != n1 {
		t.Fatalf("finalize replay: %s %s", n1, n2)
	}
	// Another org's identical key is its own.
	other := a.signup("Other Care")
	other.header = map[string]string{"Idempotency-Key": "create-client-1"}
	if r := other.must(201, "POST", "/v1/clients", map[string]any{"name": "Once Only"}); r.str("id") == first.str("id") {
		t.Fatal("idempotency keys leaked across orgs")
	}
}

func TestSignInAndSessions(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	anon := a.anon()
	anon.must(401, "GET", "/v1/invoices", nil)
	if r := anon.do("POST", "/auth/signup", map[string]string{"orgName": "W", "email": "weak@example.com", "password": "short"}); r.status != 400 || r.str("error", "code") != "weak_password" {
		t.Fatalf("weak password: %d %s", r.status, r.raw)
	}
	s := a.signup("Session Care")
	forged := &session{a: a, token: s.token[:len(s.token)-4] + "AAAA", client: http.DefaultClient}
	forged.must(401, "GET", "/v1/org", nil)
	junk := &session{a: a, token: "not.a.jwt", client: http.DefaultClient}
	junk.must(401, "GET", "/v1/org", nil)

	email := fmt.Sprintf("dup%d@example.com", orgN)
	anon.must(201, "POST", "/auth/signup", map[string]string{"orgName": "Dup", "email": email, "password": "Correct-Horse-9"})
	if r := anon.do("POST", "/auth/signup", map[string]string{"orgName": "Dup 2", "email": email, "password": "Correct-Horse-9"}); r.status != 409 || r.str("error", "code") != "email_taken" {
		t.Fatalf("duplicate email: %d %s", r.status, r.raw)
	}
	if r := anon.do("POST", "/auth/login", map[string]string{"email": email, "password": "Wrong-Horse-9"}); r.status != 401 || r.str("error", "code") != "invalid_credentials" {
		t.Fatalf("wrong password: %d %s", r.status, r.raw)
	}

	// The session cookie works for reads and for the page's own writes;
	// no second token is needed (TestCookieWritesAreGuardedByOrigin).
	browser := &session{a: a, client: http.DefaultClient}
	login := browser.must(200, "POST", "/auth/login", map[string]string{"email": email, "password": "Correct-Horse-9"})
	for _, c := range login.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "carebill_session=") && !(strings.Contains(c, "HttpOnly") && strings.Contains(c, "Secure") && strings.Contains(c, "SameSite=Strict")) {
			t.Fatalf("session cookie lacks flags: %s", c)
		}
	}
	// httptest serves plain HTTP, where a jar withholds Secure cookies; send them by hand as a browser on https would.
	browser.header = map[string]string{"Cookie": cookieHeader(login), "Sec-Fetch-Site": "same-origin"}
	browser.must(200, "GET", "/v1/org", nil)
	browser.must(201, "POST", "/v1/clients", map[string]any{"name": "Via cookie"})
}
