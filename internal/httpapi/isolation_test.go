package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/cardpay/cardpaytest"
	"github.com/carebill/carebill/internal/id"
)

// access is, for one signed-in route, the least role that may use it and
// a body that passes validation, so that what answers is the route's
// sign-in, tenancy and role rules and not a 400. Bodies name this org's
// objects as {client}, {invoice}, {draft}, {payment}, {credit}, {session},
// {case}, {task}, {member}, {today}; paths name a recurring charge as
// {charge}.
type access struct {
	role string // viewer, coordinator or admin
	body string
}

const (
	viewer      = "viewer"
	coordinator = "coordinator"
	admin       = "admin"
)

// accessRules has one entry per signed-in route; a new route fails
// TestIsolationFromTheRouteTable, naming it, until it has one.
var accessRules = map[string]access{
	"GET /v1/org":   {role: viewer},
	"PATCH /v1/org": {role: admin, body: `{"name":"Renamed Care"}`},

	"POST /v1/clients":                    {role: coordinator, body: `{"name":"Another client"}`},
	"GET /v1/clients":                     {role: viewer},
	"GET /v1/clients/{id}":                {role: viewer},
	"PATCH /v1/clients/{id}":              {role: coordinator, body: `{"name":"Renamed client"}`},
	"GET /v1/clients/{id}/summary":        {role: viewer},
	"GET /v1/clients/{id}/ledger":         {role: viewer},
	"POST /v1/clients/{id}/ledger/verify": {role: admin},
	"GET /v1/clients/{id}/statement":      {role: viewer},
	"GET /v1/clients/{id}/activity":       {role: viewer},
	"GET /v1/clients/{id}/ndis-plan":      {role: viewer},
	"PUT /v1/clients/{id}/ndis-plan":      {role: coordinator, body: `{"start":"2026-07-01","end":"2027-06-30","remoteness":"national","budgets":{"07":"500.00"}}`},

	"GET /v1/clients/{id}/budget":                             {role: viewer},
	"GET /v1/clients/{id}/recurring-charges":                  {role: viewer},
	"POST /v1/clients/{id}/recurring-charges":                 {role: coordinator, body: recurringChargeBody},
	"GET /v1/clients/{id}/recurring-charges/{charge}":         {role: viewer},
	"PUT /v1/clients/{id}/recurring-charges/{charge}":         {role: coordinator, body: recurringChargeBody},
	"DELETE /v1/clients/{id}/recurring-charges/{charge}":      {role: coordinator},
	"POST /v1/clients/{id}/recurring-charges/{charge}/pause":  {role: coordinator},
	"POST /v1/clients/{id}/recurring-charges/{charge}/resume": {role: coordinator},
	"POST /v1/clients/{id}/recurring-charges/{charge}/bill":   {role: coordinator},
	"GET /v1/clients/{id}/initial-balance":                    {role: viewer},
	"POST /v1/clients/{id}/initial-balance":                   {role: coordinator, body: `{"amount":"20.00","date":"2026-10-01"}`},

	"POST /v1/invoices":                     {role: coordinator, body: `{"clientId":"{client}","name":"Extra","lineItems":[{"type":"fixed","description":"Fee","amount":"10.00"}]}`},
	"GET /v1/invoices":                      {role: viewer},
	"GET /v1/invoices/export.csv":           {role: admin},
	"GET /v1/invoices/{id}":                 {role: viewer},
	"PATCH /v1/invoices/{id}":               {role: coordinator, body: `{"memo":"Thanks"}`},
	"DELETE /v1/invoices/{id}":              {role: coordinator},
	"POST /v1/invoices/{id}/finalize":       {role: coordinator},
	"POST /v1/invoices/{id}/void":           {role: admin, body: `{"reason":"Issued in error"}`},
	"POST /v1/invoices/{id}/reissue":        {role: admin, body: `{"reason":"Wrong rate"}`},
	"POST /v1/invoices/{id}/send":           {role: coordinator, body: `{"channels":["email"]}`},
	"POST /v1/invoices/{id}/resend":         {role: coordinator, body: `{"channels":["email"]}`},
	"GET /v1/invoices/{id}/deliveries":      {role: viewer},
	"POST /v1/invoices/{id}/send-preview":   {role: coordinator, body: `{"channels":["email"]}`},
	"POST /v1/invoices/{id}/lock":           {role: coordinator, body: `{"reason":"Month end"}`},
	"POST /v1/invoices/{id}/unlock":         {role: admin, body: `{"reason":"Fix"}`},
	"GET /v1/invoices/{id}/pay-link":        {role: coordinator},
	"GET /v1/invoices/{id}/pdf":             {role: viewer},
	"GET /v1/invoices/{id}/activity":        {role: viewer},
	"POST /v1/invoices/{id}/apply-credit":   {role: coordinator, body: `{"amount":"1.00"}`},
	"POST /v1/invoices/{id}/unapply-credit": {role: coordinator, body: `{"amount":"1.00"}`},

	"POST /v1/credit-notes":           {role: coordinator, body: `{"invoiceId":"{invoice}","amount":"1.00","reason":"Goodwill"}`},
	"GET /v1/credit-notes":            {role: viewer},
	"GET /v1/credit-notes/{id}":       {role: viewer},
	"GET /v1/credit-notes/{id}/pdf":   {role: viewer},
	"POST /v1/credit-notes/{id}/void": {role: coordinator, body: `{"reason":"Issued in error"}`},

	"POST /v1/payments":                 {role: coordinator, body: `{"clientId":"{client}","amount":"5.00","date":"{today}","method":"cash"}`},
	"GET /v1/payments":                  {role: viewer},
	"GET /v1/payments/{id}":             {role: viewer},
	"GET /v1/payments/{id}/receipt.pdf": {role: viewer},
	"POST /v1/payments/{id}/reverse":    {role: admin, body: `{"reason":"Bounced"}`},
	"POST /v1/payments/{id}/refund":     {role: admin, body: `{"amount":"1.00","reason":"Returned"}`},

	"POST /v1/payments/{id}/email-receipt":  {role: coordinator},
	"GET /v1/payments/{id}/deliveries":      {role: viewer},
	"GET /v1/payments/parked":               {role: admin},
	"POST /v1/payments/parked/{id}/resolve": {role: admin, body: `{"resolution":"handled","reason":"Paid again by transfer"}`},

	"GET /v1/billing-cycles":                  {role: viewer},
	"POST /v1/billing-cycles/{id}/close":      {role: admin},
	"POST /v1/billing-cycles/{id}/statements": {role: admin},
	"GET /v1/statements":                      {role: viewer},
	"GET /v1/statements/{id}":                 {role: viewer},
	"GET /v1/statements/{id}/pdf":             {role: viewer},
	"DELETE /v1/statements/{id}":              {role: admin},
	"POST /v1/statements/{id}/send":           {role: coordinator, body: `{"channels":["email"]}`},
	"GET /v1/statements/{id}/deliveries":      {role: viewer},
	"GET /v1/activity":                        {role: viewer},

	"POST /v1/users":        {role: admin, body: `{"email":"invited-{tag}@example.com","role":"viewer"}`},
	"GET /v1/users":         {role: admin},
	"PATCH /v1/users/{id}":  {role: admin, body: `{"role":"coordinator"}`},
	"DELETE /v1/users/{id}": {role: admin},
	"GET /v1/me":            {role: viewer},

	"GET /v1/dashboard":                   {role: viewer},
	"POST /v1/tasks":                      {role: coordinator, body: `{"clientId":"{client}","supportItem":"07_002_0106_8_3","date":"2026-11-04","durationMinutes":60,"rate":"100.00"}`},
	"GET /v1/tasks":                       {role: viewer},
	"GET /v1/tasks/{id}":                  {role: viewer},
	"PATCH /v1/tasks/{id}":                {role: coordinator, body: `{"rate":"110.00"}`},
	"DELETE /v1/tasks/{id}":               {role: coordinator},
	"GET /v1/ndis/price-limits":           {role: viewer},
	"GET /v1/ndis/provider":               {role: viewer},
	"PUT /v1/ndis/provider":               {role: admin, body: `{"registrationNumber":"4050012345"}`},
	"PUT /v1/ndis/price-limits":           {role: admin, body: `{"items":[]}`},
	"POST /v1/sessions":                   {role: coordinator, body: `{"clientId":"{client}","start":"2026-11-05T10:00:00+11:00","durationMinutes":45,"service":{"description":"Therapy","price":"150.00"}}`},
	"GET /v1/sessions":                    {role: viewer},
	"GET /v1/sessions/{id}":               {role: viewer},
	"POST /v1/sessions/{id}/attendance":   {role: coordinator, body: `{"status":"no_show"}`},
	"POST /v1/cases":                      {role: coordinator, body: `{"clientId":"{client}","doctor":"Dr Okafor","eventDate":"2026-11-02","products":[{"description":"Insert","manufacturer":"Acme","quantity":"1","rate":"10.00"}]}`},
	"GET /v1/cases":                       {role: viewer},
	"GET /v1/cases/pending-po":            {role: viewer},
	"GET /v1/cases/{id}":                  {role: viewer},
	"PUT /v1/cases/{id}":                  {role: coordinator, body: `{"clientId":"{client}","doctor":"Dr Okafor","eventDate":"2026-11-02","products":[{"description":"Insert","manufacturer":"Acme","quantity":"1","rate":"10.00"}]}`},
	"PUT /v1/cases/{id}/purchase-orders":  {role: coordinator, body: `{"all":"PO-1"}`},
	"POST /v1/cases/{id}/invoice":         {role: coordinator},
	"GET /v1/cases/{id}/invoice.csv":      {role: viewer}, // one case's invoices, not a bulk export
	"POST /v1/cases/{id}/uninvoice":       {role: coordinator, body: `{"reason":"Wrong PO"}`},
	"POST /v1/cases/{id}/invoice-paid":    {role: coordinator},
	"POST /v1/cases/{id}/commission-paid": {role: coordinator, body: `{"date":"2026-11-20"}`},

	"POST /v1/invoice-runs":                          {role: coordinator, body: `{"periodStart":"2026-02-01","periodEnd":"2026-02-28","dryRun":true}`},
	"GET /v1/invoice-runs":                           {role: viewer},
	"GET /v1/invoice-runs/blockers":                  {role: viewer},
	"GET /v1/invoice-runs/{id}":                      {role: viewer},
	"POST /v1/invoice-runs/{id}/requeue":             {role: coordinator, body: `{"clientIds":["{client}"]}`},
	"GET /v1/invoice-runs/{id}/ndia-bulk-upload.csv": {role: admin}, // an export
	"POST /v1/invoice-runs/{id}/ndia-results":        {role: coordinator, body: `{"fileName":"results.csv","csv":"Claim Reference,Payment Request Status,Error Message,Paid Total Amount,Capped Price\n"}`},
	"POST /v1/invoice-runs/{id}/reclaims":            {role: coordinator, body: `{"claimReference":"INV-00001-01"}`},
	"POST /v1/invoice-runs/{id}/ndia-remittance":     {role: coordinator, body: `{"fileName":"remit.csv","csv":"PayReqDocDate,ProvClaimRef,AmountClaimed,AmountPaid,BulkClmId\n"}`},
}

const recurringChargeBody = `{"description":"Weekly check-in","amount":"50.00","frequency":"weekly","weekday":"monday","start":"2027-01-04"}`

// publicRoutes take no token: sign-in, the API's description, and the
// payment function's pay-link checkout and Stripe webhook (each checked
// by its own secret).
var publicRoutes = []string{"POST /auth/signup", "POST /auth/login", "POST /auth/logout", "GET /v1/openapi.json",
	"POST /pay/{token}/checkout", "POST /pay-all/{token}/checkout", "POST /webhooks/stripe"}

var roleRank = map[string]int{viewer: 0, coordinator: 1, admin: 2}

// TestIsolationFromTheRouteTable walks every route the coordinator
// functions (invoicing, payments, documents) register. For each
// signed-in route: no token is 401; another org's
// admin naming this org's objects gets 404 and none of its data (a
// route naming no object answers only the other org's own data); every
// invited member below the route's least role gets 403, and a member
// with that role is admitted (neither 401, 403 nor 404).
func TestIsolationFromTheRouteTable(t *testing.T) {
	t.Parallel()
	c := newCardAPI(t)
	a := c.api
	own := a.signup("Isolation Care")
	tag := strings.ToLower(strings.ReplaceAll(t.Name(), "/", ""))

	// This org's objects, one of each kind a route can name.
	cid := own.must(201, "POST", "/v1/clients", map[string]any{"name": "Isolated Client", "contacts": []map[string]any{{"name": "Iso", "email": "iso@example.com", "phone": "+61412345678"}}}).str("id")
	iid := own.must(201, "POST", "/v1/invoices", fmt.Sprintf(novemberInvoice, cid)).str("id")
	own.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
	did := own.must(201, "POST", "/v1/invoices", fmt.Sprintf(novemberInvoice, cid)).str("id")
	today := own.must(200, "GET", "/v1/invoices/"+iid, nil).str("issueDate")
	pid := own.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "100.00", "date": today, "method": "cash"}).str("id")
	cnid := own.must(201, "POST", "/v1/credit-notes", map[string]any{"invoiceId": iid, "amount": "10.00", "reason": "Goodwill"}).str("id")
	sesid := bookSession(own, cid, "2026-11-03T10:00:00+11:00", map[string]any{"description": "Therapy", "price": "150.00"})
	caseid := own.must(201, "POST", "/v1/cases", surgicalCase(cid, "2026-11-01")).str("id")
	taskid := own.must(201, "POST", "/v1/tasks", map[string]any{"clientId": cid, "supportItem": "07_002_0106_8_3", "date": "2026-11-03", "durationMinutes": 30, "rate": "100.00"}).str("id")
	own.must(200, "PUT", "/v1/clients/"+cid+"/ndis-plan", map[string]any{"start": "2026-07-01", "end": "2027-06-30", "remoteness": "national", "budgets": map[string]string{"07": "500.00"}})
	cycles := own.must(200, "GET", "/v1/billing-cycles", nil).list()
	if len(cycles) == 0 {
		t.Fatal("no billing cycle")
	}
	cycid := cycles[0]["id"].(string)
	chargeid := own.must(201, "POST", "/v1/clients/"+cid+"/recurring-charges", recurringChargeBody).str("id")
	// A run of a month with nothing to bill: nothing waits on the worker.
	runid := own.must(202, "POST", "/v1/invoice-runs", map[string]any{"periodStart": "2026-01-01", "periodEnd": "2026-01-31"}).str("id")
	// A card payment in another currency than the client's is parked.
	orgid := own.must(200, "GET", "/v1/org", nil).str("id")
	intent := newIntent()
	usd := cardpaytest.Payment{SessionID: "cs_iso_" + intent, IntentID: intent, OrgID: orgid, InvoiceID: iid, Currency: "usd", Amount: 500, Fee: "0.00"}
	event := usd.SessionCompleted("evt_iso_"+intent, time.Now())
	if w := c.deliver(event, cardpaytest.Sign(event, cardpaytest.Secret, time.Now())); w.status != http.StatusOK || w.body["parked"] != true {
		t.Fatalf("parking a USD card payment: %d %s", w.status, w.raw)
	}

	// Invited members, one per role, and one to re-role and remove.
	for _, m := range []string{"coordinator", "viewer", "spare"} {
		role := m
		if m == "spare" {
			role = viewer
		}
		own.must(201, "POST", "/v1/users", map[string]any{"email": m + "-" + tag + "@example.com", "role": role})
	}
	members := map[string]*session{admin: own, coordinator: a.acceptInvitation("coordinator-" + tag + "@example.com"),
		viewer: a.acceptInvitation("viewer-" + tag + "@example.com")}
	spare := ""
	for _, m := range own.must(200, "GET", "/v1/users", nil).list() {
		if strings.HasPrefix(m["email"].(string), "spare-") {
			spare = m["id"].(string)
		}
	}
	if spare == "" {
		t.Fatal("the invited spare member is not listed")
	}

	// The path and body of each route, naming this org's objects.
	// No statement can be made here (a cycle closes only when it is due):
	// statement routes (sending one and its deliveries too) name a
	// well-formed id of none, and so are only proven to answer 401, 403
	// and 404 like the rest.
	idOf := map[string]string{"statements": id.New(id.Statement, time.Now()), "clients": cid, "invoices": iid, "payments": pid, "credit-notes": cnid, "sessions": sesid,
		"cases": caseid, "tasks": taskid, "billing-cycles": cycid, "users": spare, "invoice-runs": runid}
	fill := strings.NewReplacer("{client}", cid, "{invoice}", iid, "{draft}", did, "{payment}", pid, "{credit}", cnid,
		"{session}", sesid, "{case}", caseid, "{task}", taskid, "{member}", spare, "{today}", today, "{tag}", tag)
	secrets := []string{cid, iid, did, pid, cnid, sesid, caseid, taskid, chargeid, runid, intent, "Isolated Client", "Isolation Care", "iso@example.com"}
	type call struct{ pattern, method, path, body string }
	var calls []call
	routes := c.routes()
	slices.Sort(routes)
	routes = slices.Compact(routes)
	for _, pattern := range routes {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok || slices.Contains(publicRoutes, pattern) {
			continue
		}
		rule, ok := accessRules[pattern]
		if !ok {
			t.Errorf("route %q has no entry in accessRules (isolation_test.go): give it its least role and a valid body", pattern)
			continue
		}
		if strings.Contains(path, "{id}") {
			seg := strings.Split(strings.TrimPrefix(path, "/v1/"), "/")[0]
			target := idOf[seg]
			if seg == "invoices" && (strings.HasSuffix(path, "{id}") && method != http.MethodGet || strings.HasSuffix(path, "/finalize")) {
				target = did // draft-only changes
			}
			if strings.HasPrefix(path, "/v1/payments/parked/") {
				target = intent // a parked payment is named by its payment intent
			}
			if target == "" {
				t.Errorf("route %q names a kind of object (%s) this test does not create", pattern, seg)
				continue
			}
			path = strings.Replace(path, "{id}", target, 1)
		}
		path = strings.Replace(path, "{charge}", chargeid, 1)
		if strings.HasPrefix(pattern, "GET /v1/clients/{id}/statement") {
			path += "?kind=outstanding"
		}
		if pattern == "GET /v1/credit-notes" {
			path += "?invoiceId=" + iid
		}
		calls = append(calls, call{pattern, method, path, fill.Replace(rule.body)})
	}
	for p := range accessRules {
		if !slices.Contains(routes, p) {
			t.Errorf("accessRules has %q, which no function serves", p)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	other := a.signup("Elsewhere Care")
	anon := a.anon()
	send := func(s *session, c call) reply {
		var body any
		if c.body != "" {
			body = c.body
		}
		return s.do(c.method, c.path, body)
	}
	for _, c := range calls {
		if r := send(anon, c); r.status != http.StatusUnauthorized {
			t.Errorf("%s without a token = %d %s, want 401", c.pattern, r.status, r.raw)
		}
		r := send(other, c)
		if containsAny(c.path+c.body, secrets) && r.status != http.StatusNotFound {
			t.Errorf("%s by another org with this org's ids = %d %s, want 404", c.pattern, r.status, r.raw)
		}
		if leaked := containsAnyOf(r.raw, secrets); leaked != "" {
			t.Errorf("%s by another org answers this org's %q: %s", c.pattern, leaked, r.raw)
		}
		for role, s := range members {
			if roleRank[role] >= roleRank[accessRules[c.pattern].role] {
				continue
			}
			if r := send(s, c); r.status != http.StatusForbidden {
				t.Errorf("%s by a %s = %d %s, want 403 (least role %s)", c.pattern, role, r.status, r.raw, accessRules[c.pattern].role)
			}
		}
	}
	// Admitted: each route by a member with its least role, deletions
	// last so that every other route still finds what it names.
	slices.SortStableFunc(calls, func(x, y call) int {
		return boolRank(x.method == http.MethodDelete) - boolRank(y.method == http.MethodDelete)
	})
	for _, c := range calls {
		role := accessRules[c.pattern].role
		r := send(members[role], c)
		if r.status == http.StatusUnauthorized || r.status == http.StatusForbidden || r.status == http.StatusNotFound && !strings.Contains(c.pattern, "/statements/{id}") {
			t.Errorf("%s by a %s (its least role) = %d %s, want it admitted", c.pattern, role, r.status, r.raw)
		}
	}
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func containsAny(s string, subs []string) bool { return containsAnyOf(s, subs) != "" }

func containsAnyOf(s string, subs []string) string {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return sub
		}
	}
	return ""
}
