package httpapi_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/httpapi"
	"github.com/carebill/carebill/internal/id"
)

// bodyProbe is, for one JSON body route, a body with a typo inside a
// nested object (and the path the error must name) and a body breaking
// the free-text rule in a one-line field.
type bodyProbe struct {
	typo, typoField string
	text, textField string
}

var voidish = bodyProbe{`{"reason":"x","reasn":"y"}`, "reasn", `{"reason":"x\ry"}`, "reason"}

var sendish = bodyProbe{
	`{"channels":["email"],"email":{"to":"a@example.com","subjet":"x"}}`, "email.subjet",
	`{"channels":["email"],"email":{"subject":"Invoice\r\nBcc: x@evil.example"}}`, "email.subject",
}

// bodyProbes has one entry per route that reads a JSON body; a new route
// fails TestEveryBodyIsStrict until it has one.
var bodyProbes = map[string]bodyProbe{
	"POST /auth/signup": {`{"orgName":"A","emial":"a@example.com"}`, "emial",
		`{"orgName":"A\r\nB","email":"a@example.com","password":"Correct-Horse-9"}`, "orgName"},
	"POST /auth/login": {`{"email":"a@example.com","pasword":"x"}`, "pasword",
		`{"email":"a@example.com\n","password":"x"}`, "email"},
	"PATCH /v1/org": {`{"feePolicy":{"mode":"pass_through","percnt":"5"}}`, "feePolicy.percnt",
		`{"name":"Alpha\r\nBcc: x@evil.example"}`, "name"},
	"POST /v1/clients": {`{"name":"Z","contacts":[{"name":"Z","emial":"z@example.com"}]}`, "contacts[0].emial",
		`{"name":"Z\u202egnp.exe"}`, "name"},
	"PATCH /v1/clients/{id}": {`{"funding":{"type":"plan_managed","planManager":{"name":"P","emial":"p@example.com"}}}`, "funding.planManager.emial",
		`{"contacts":[{"name":"Z\u0000"}]}`, "contacts[0].name"},
	"POST /v1/invoices": {`{"clientId":"cli_x","lineItems":[{"type":"fixed","description":"d","amount":"100.00","discont":"50.00"}]}`, "lineItems[0].discont",
		`{"lineItems":[{"description":"a\nb"}]}`, "lineItems[0].description"},
	"PATCH /v1/invoices/{id}": {`{"fees":[{"description":"f","amont":"1"}]}`, "fees[0].amont",
		`{"name":"a\u001b[31mb"}`, "name"},
	"POST /v1/invoices/{id}/void":   voidish,
	"POST /v1/invoices/{id}/lock":   voidish,
	"POST /v1/invoices/{id}/unlock": voidish,
	"POST /v1/invoices/{id}/send":   sendish,
	"POST /v1/invoices/{id}/resend": sendish,
	"POST /v1/payments": {`{"clientId":"cli_x","amount":"1","allocations":[{"invoiceId":"inv_x","amont":"1"}]}`, "allocations[0].amont",
		`{"reference":"a\nb"}`, "reference"},
	"POST /v1/credit-notes":                 {`{"invoiceId":"inv_x","amont":"1"}`, "amont", `{"reason":"a\u0085b"}`, "reason"},
	"POST /v1/invoices/{id}/apply-credit":   {`{"amont":"1"}`, "amont", `{"amount":"1\n"}`, "amount"},
	"POST /v1/users":                        {`{"email":"c@example.com","rol":"viewer"}`, "rol", `{"email":"c@example.com\r\nBcc: x@evil.example","role":"viewer"}`, "email"},
	"PATCH /v1/users/{id}":                  {`{"role":"viewer","rol":"admin"}`, "rol", `{"role":"viewer\u0000"}`, "role"},
	"POST /v1/invoices/{id}/reissue":        voidish,
	"POST /v1/invoices/{id}/send-preview":   sendish,
	"POST /v1/payments/{id}/reverse":        voidish,
	"POST /v1/payments/{id}/refund":         {`{"amount":"1","reasn":"y"}`, "reasn", `{"amount":"1","reason":"a\rb"}`, "reason"},
	"POST /v1/payments/parked/{id}/resolve": {`{"resolution":"handled","reasn":"x"}`, "reasn", `{"resolution":"handled","reason":"a\rb"}`, "reason"},
	"POST /v1/payments/{id}/email-receipt":  {`{"to":"a@example.com","mesage":"x"}`, "mesage", `{"to":"a@example.com\r\nBcc: x@evil.example"}`, "to"},
	"POST /v1/credit-notes/{id}/void":       voidish,
	"POST /v1/invoices/{id}/unapply-credit": {`{"amont":"1"}`, "amont", `{"amount":"1\n"}`, "amount"},
	"POST /v1/tasks":                        {`{"clientId":"cli_x","note":"x"}`, "note", `{"clientId":"cli_x","notes":"a\u202eb"}`, "notes"},
	"PATCH /v1/tasks/{id}":                  {`{"rat":"1"}`, "rat", `{"notes":"a\u202eb"}`, "notes"},
	"PUT /v1/clients/{id}/ndis-plan": {`{"start":"2026-01-01","end":"2026-12-31","remotness":"national"}`, "remotness",
		`{"start":"2026-01-01","end":"2026-12-31","remoteness":"national\n"}`, "remoteness"},
	"PUT /v1/ndis/price-limits": {`{"items":[{"supportItem":"07_002_0106_8_3","natinal":"100"}]}`, "items[0].natinal",
		`{"items":[{"supportItem":"07_002\u0000"}]}`, "items[0].supportItem"},
	"POST /v1/sessions": {`{"clientId":"cli_x","service":{"description":"d","prce":"1"}}`, "service.prce",
		`{"clientId":"cli_x","location":"a\nb"}`, "location"},
	"POST /v1/sessions/{id}/attendance": {`{"status":"attended","statu":"x"}`, "statu", `{"status":"attended\r"}`, "status"},
	"POST /v1/cases": {`{"clientId":"cli_x","products":[{"description":"d","manufactuer":"M"}]}`, "products[0].manufactuer",
		`{"clientId":"cli_x","doctor":"Dr\u001bX"}`, "doctor"},
	"PUT /v1/cases/{id}": {`{"clientId":"cli_x","products":[{"description":"d","lott":"1"}]}`, "products[0].lott",
		`{"clientId":"cli_x","patient":"a\nb"}`, "patient"},
	"PUT /v1/cases/{id}/purchase-orders":  {`{"all":"PO1","alll":"x"}`, "alll", `{"all":"PO\n1"}`, "all"},
	"POST /v1/cases/{id}/uninvoice":       voidish,
	"POST /v1/cases/{id}/commission-paid": {`{"date":"2026-11-01","dat":"x"}`, "dat", `{"date":"2026-11-01\n"}`, "date"},
	"POST /v1/statements/{id}/send": {`{"channels":["email"],"subjet":"x"}`, "subjet",
		`{"channels":["email"],"subject":"Statement\r\nBcc: x@evil.example"}`, "subject"},
	"POST /v1/clients/{id}/initial-balance": {`{"amount":"1","dat":"2026-01-01"}`, "dat", `{"amount":"1","date":"2026-01-01\n"}`, "date"},
	"POST /v1/clients/{id}/recurring-charges": {`{"description":"Rent","amont":"1"}`, "amont",
		`{"description":"Rent\nBcc: x@evil.example"}`, "description"},
	"PUT /v1/clients/{id}/recurring-charges/{charge}": {`{"description":"Rent","frequncy":"weekly"}`, "frequncy",
		`{"description":"Rent","weekday":"monday\u0000"}`, "weekday"},
	"POST /v1/invoice-runs": {`{"periodStart":"2026-11-01","periodEnd":"2026-11-30","dryrun":true}`, "dryrun",
		`{"periodStart":"2026-11-01\n","periodEnd":"2026-11-30"}`, "periodStart"},
	"POST /v1/invoice-runs/{id}/requeue":         {`{"clientIds":["cli_x"],"clientId":"x"}`, "clientId", `{"clientIds":["cli\nx"]}`, "clientIds[0]"},
	"POST /v1/invoice-runs/{id}/ndia-results":    {`{"fileName":"r.csv","csvv":"x"}`, "csvv", `{"fileName":"r\n.csv","csv":"a"}`, "fileName"},
	"POST /v1/invoice-runs/{id}/ndia-remittance": {`{"fileName":"r.csv","csvv":"x"}`, "csvv", `{"fileName":"r\u0000.csv","csv":"a"}`, "fileName"},
	"POST /v1/invoice-runs/{id}/reclaims":        {`{"claimReference":"INV-00001-01","suportItem":"x"}`, "suportItem", `{"claimReference":"INV-00001-01\n"}`, "claimReference"},
	"PUT /v1/ndis/provider":                      {`{"registrationNumber":"1","padHour":true}`, "padHour", `{"registrationNumber":"1\n"}`, "registrationNumber"},
}

// bodyless are the write routes that read no body.
var bodyless = []string{"POST /auth/logout", "DELETE /v1/invoices/{id}", "POST /v1/invoices/{id}/finalize", "DELETE /v1/users/{id}",
	"POST /v1/clients/{id}/ledger/verify", "POST /v1/billing-cycles/{id}/close", "POST /v1/billing-cycles/{id}/statements",
	"DELETE /v1/statements/{id}", "DELETE /v1/tasks/{id}", "POST /v1/cases/{id}/invoice", "POST /v1/cases/{id}/invoice-paid",
	"DELETE /v1/clients/{id}/recurring-charges/{charge}", "POST /v1/clients/{id}/recurring-charges/{charge}/pause",
	"POST /v1/clients/{id}/recurring-charges/{charge}/resume", "POST /v1/clients/{id}/recurring-charges/{charge}/bill"}

// TestEveryBodyIsStrict walks the API's route table and sends every write
// route a text/plain body, a typo in a nested object, a duplicate key, a
// case variant of a key, invalid UTF-8 and a line break or control
// character in a one-line field. Each is a 400 (415 for the media type)
// naming the field, from the one decoder every route shares.
func TestEveryBodyIsStrict(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := a.signup("Strict Care")
	ids := map[string]string{"invoices": id.Invoice, "clients": id.Client, "payments": id.Payment, "credit-notes": id.Credit,
		"statements": id.Statement, "sessions": "ses", "cases": "case", "invoice-runs": "run"}
	seen := map[string]bool{}
	for _, pattern := range httpapi.Patterns(a.h) {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok || method == http.MethodGet {
			continue
		}
		if m := regexp.MustCompile(`/([a-z-]+)/\{id\}`).FindStringSubmatch(path); m != nil {
			path = strings.Replace(path, "{id}", id.New(ids[m[1]], time.Now()), 1)
		}
		seen[pattern] = true
		t.Run(pattern, func(t *testing.T) {
			admin.header = map[string]string{"Content-Type": "text/plain"}
			r := admin.do(method, path, `{"reason":"x"}`)
			admin.header = nil
			if slices.Contains(bodyless, pattern) {
				if r.status == http.StatusUnsupportedMediaType {
					t.Fatalf("listed as bodyless but reads a body: %s", r.raw)
				}
				return
			}
			if r.status != http.StatusUnsupportedMediaType {
				t.Fatalf("text/plain body = %d %s, want 415", r.status, r.raw)
			}
			p, ok := bodyProbes[pattern]
			if !ok {
				t.Fatalf("route reads a JSON body but has no entry in bodyProbes")
			}
			key := strings.SplitN(strings.TrimPrefix(p.typo, `{"`), `"`, 2)[0]
			for _, c := range []struct{ name, body, field string }{
				{"nested typo", p.typo, p.typoField},
				{"duplicate key", `{"` + key + `":null,"` + key + `":null}`, key},
				{"case variant", `{"` + strings.ToUpper(key) + `":null}`, strings.ToUpper(key)},
				{"invalid UTF-8", `{"` + key + "\":\"a\xffb\"}", key},
				{"free text", p.text, p.textField},
			} {
				r := admin.do(method, path, c.body)
				if r.status != http.StatusBadRequest || r.str("error", "code") != "invalid_field" || r.str("error", "field") != c.field {
					t.Errorf("%s %s = %d %s, want 400 invalid_field naming %q", c.name, c.body, r.status, r.raw, c.field)
				}
			}
		})
	}
	for p := range bodyProbes {
		if !seen[p] {
			t.Errorf("bodyProbes has %s, which the API does not serve", p)
		}
	}
}
