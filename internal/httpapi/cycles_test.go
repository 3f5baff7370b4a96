package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The cycle and statement routes as a coordinator meets them: the org's
// billing cycle set and shown, the running cycle listed and not yet
// closable, a statement on demand as JSON and PDF, and bad input refused
// with the field named, changing nothing.
func TestCyclesAndStatementsAPI(t *testing.T) {
	a := newAPI(t)
	s := a.signup("Cycle Care")
	o := s.must(200, "GET", "/v1/org", nil)
	if bc := o.body["billingCycle"].(map[string]any); bc["frequency"] != "monthly" || bc["dayOfMonth"] != float64(1) {
		t.Fatalf("default billing cycle %v", bc)
	}
	if r := o.body["reminders"].(map[string]any); r["enabled"] != false || len(r["steps"].([]any)) != 5 {
		t.Fatalf("default reminders %v", r)
	}
	if got := o.str("sendStatementsAtClose"); got != "off" {
		t.Fatalf("statements are sent at close by default: %q", got)
	}
	for _, bad := range []struct{ body, field string }{
		{`{"billingCycle":{"frequency":"daily","graceDays":0}}`, "billingCycle"},
		{`{"billingCycle":{"frequency":"monthly","dayOfMonth":31,"graceDays":0}}`, "billingCycle"},
		{`{"billingCycle":{"frequency":"weekly","weekday":"funday","graceDays":0}}`, "billingCycle.weekday"},
		{`{"billingCycle":{"frequency":"monthly","graceDays":30}}`, "billingCycle"},
		{`{"reminders":{"enabled":true,"steps":[{"days":7,"channels":["fax"]}],"hours":{"from":9,"to":17}}}`, "reminders"},
		{`{"reminders":{"enabled":true,"steps":[],"hours":{"from":18,"to":9}}}`, "reminders"},
		{`{"lockingPolicy":"sometimes"}`, "lockingPolicy"},
		{`{"sendStatementsAtClose":"fax"}`, "sendStatementsAtClose"},
	} {
		r := s.must(400, "PATCH", "/v1/org", bad.body)
		if got := r.str("error", "field"); got != bad.field {
			t.Errorf("%s: field %q, want %q (%s)", bad.body, got, bad.field, r.raw)
		}
	}
	if again := s.must(200, "GET", "/v1/org", nil); again.raw != o.raw {
		t.Fatalf("a refused PATCH changed the org:\n%s\n%s", o.raw, again.raw)
	}
	if got := s.must(200, "PATCH", "/v1/org", `{"sendStatementsAtClose":"email_and_text"}`).str("sendStatementsAtClose"); got != "email_and_text" {
		t.Fatalf("statements at close after PATCH: %q", got)
	}
	if got := s.must(200, "PATCH", "/v1/org", `{"sendStatementsAtClose":null}`).str("sendStatementsAtClose"); got != "off" {
		t.Fatalf("statements at close after null: %q", got)
	}
	o = s.must(200, "PATCH", "/v1/org", `{"billingCycle":{"frequency":"fortnightly","weekday":"monday","graceDays":3},"lockingPolicy":"on_statement",
		"reminders":{"enabled":true,"steps":[{"days":-2,"channels":["email","sms"]},{"days":10,"channels":["email"]}],"hours":{"from":8,"to":18}}}`)
	if bc := o.body["billingCycle"].(map[string]any); bc["frequency"] != "fortnightly" || bc["weekday"] != "monday" || bc["graceDays"] != float64(3) {
		t.Fatalf("billing cycle after PATCH %v", bc)
	}

	// The running cycle keeps the schedule it started with: still monthly.
	cycles := s.must(200, "GET", "/v1/billing-cycles", nil).list()
	now := time.Now().In(mustZone(t, "Australia/Sydney"))
	wantID := fmt.Sprintf("cyc_%04d%02d01", now.Year(), now.Month())
	if len(cycles) != 1 || cycles[0]["id"] != wantID || cycles[0]["status"] != "open" {
		t.Fatalf("cycles %v, want the running month %s", cycles, wantID)
	}
	r := s.must(422, "POST", "/v1/billing-cycles/"+wantID+"/close", nil)
	if r.str("error", "code") != "cycle_not_due" {
		t.Fatalf("close of the running cycle: %s", r.raw)
	}
	s.must(404, "POST", "/v1/billing-cycles/cyc_19990101/close", nil)
	s.must(404, "POST", "/v1/billing-cycles/nonsense/statements", nil)

	// A statement on demand for a client with an invoice.
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Nguyễn Thị Hằng", "contacts": []map[string]any{{"name": "Hằng", "email": "hang@example.com"}}}).str("id")
	iid := s.must(201, "POST", "/v1/invoices", fmt.Sprintf(novemberInvoice, cid)).str("id")
	s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
	today := now.Format("2006-01-02")
	st := s.must(200, "GET", "/v1/clients/"+cid+"/statement?kind=outstanding&asAt="+today, nil)
	if st.str("closingBalance") != "2260.50" || len(st.body["openInvoices"].([]any)) != 1 || st.body["aging"].(map[string]any)["current"] != "2260.50" {
		t.Fatalf("outstanding statement %s", st.raw)
	}
	act := s.must(200, "GET", "/v1/clients/"+cid+"/statement?kind=activity&from="+today[:8]+"01&to="+today, nil)
	if act.str("openingBalance") != "0.00" || act.str("closingBalance") != "2260.50" || len(act.body["lines"].([]any)) != 1 {
		t.Fatalf("activity statement %s", act.raw)
	}
	txt := pdfText(t, s, "/v1/clients/"+cid+"/statement?kind=outstanding&format=pdf")
	for _, want := range []string{"Statement", "Nguyễn Thị Hằng", "$2,260.50", "Current"} {
		if !strings.Contains(txt, want) {
			t.Errorf("statement PDF lacks %q:\n%s", want, txt)
		}
	}
	for _, q := range []string{"?kind=weekly", "?kind=activity", "?kind=outstanding&from=2026-01-01", "?kind=activity&from=2026-13-01", "?format=xml&kind=outstanding"} {
		s.must(400, "GET", "/v1/clients/"+cid+"/statement"+q, nil)
	}

	// Another org sees none of it.
	other := a.signup("Other Care")
	other.must(404, "GET", "/v1/clients/"+cid+"/statement?kind=outstanding", nil)
	other.must(404, "GET", "/v1/statements/stm_0000000000000000000000000a", nil)
	other.must(404, "GET", "/v1/statements?clientId="+cid, nil)
	if l := other.must(200, "GET", "/v1/statements", nil); len(l.list()) != 0 {
		t.Fatalf("another org lists statements: %s", l.raw)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
