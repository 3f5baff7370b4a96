package web_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/browsertest"
)

// literal writes v as the JavaScript literal call takes (JSON is one).
func literal(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

// shots saves the page at desktop and phone widths.
func (b *browser) shots(name string) {
	b.t.Helper()
	b.screenshot(name+"-1280", 1280, 900)
	b.screenshot(name+"-375", 375, 800)
}

func sydneyToday(t *testing.T) string {
	t.Helper()
	loc, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	return time.Now().In(loc).Format("2006-01-02")
}

// TestTherapistSessionJourney: with auto-invoicing on, a therapist books
// a session on the day list, marks it attended and sees its invoice and
// the client's balance owing; a short-notice cancellation carries its
// NDIS reason; the dashboard, the app's home, shows the open invoice.
func TestTherapistSessionJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t, newSite(t))
	b.signup("Zencare Therapy")
	b.call(200, "PATCH", "/v1/org", literal(map[string]any{"autoInvoice": map[string]any{"enabled": true, "mode": "finalize", "send": false}}))
	cid := b.call(201, "POST", "/v1/clients", literal(map[string]any{"name": "Jo Rivera", "contacts": []map[string]any{{"name": "Jo Rivera", "email": "jo@example.com"}}}))["id"].(string)

	b.open("/app/sessions")
	b.waitText("[data-auto-invoice]", "Marking a session attended issues its invoice at once.")
	b.waitText("[data-sessions-empty]", "No sessions on this day.")
	if got := eval[string](b, `document.querySelector('[data-day]').value`); got != sydneyToday(t) {
		t.Fatalf("day list opens on %q, want today in the org's zone", got)
	}
	b.waitFor("the client picker", fmt.Sprintf(`document.querySelector('[name=clientId] option[value=%s]')`, js(cid)))
	book := func(at, rate string) {
		b.set("[data-book-form] [name=clientId]", cid)
		b.set("[data-book-form] [name=time]", at)
		b.fill("[data-book-form] [name=durationMinutes]", "60")
		b.fill("[data-book-form] [name=description]", "Occupational therapy")
		b.fill("[data-book-form] [name=rate]", rate)
		b.click("[data-book-form] [data-submit]")
	}
	book("09:00", "1O0") // a letter O: the API's message lands under the rate
	b.waitFor("the rate error", `document.querySelector('[data-book-form] [name=rate]').getAttribute('aria-invalid') === 'true'`)
	book("09:00", "$193.99")
	b.waitFor("the session", `document.querySelectorAll('[data-session]').length === 1`)
	book("11:00", "193.99")
	b.waitFor("two sessions", `document.querySelectorAll('[data-session]').length === 2`)
	if got := b.text("[data-session] .session-time strong"); got != "09:00" {
		t.Fatalf("first session at %q, want 09:00 in the org's zone", got)
	}
	b.shots("sessions")

	// Attended: the invoice is issued at once and the balance shows.
	b.click("[data-session]:first-child [data-attend=attended]")
	b.waitFor("the invoice", `document.querySelector('[data-session]:first-child .session-invoice')`)
	inv := b.text("[data-session]:first-child .session-invoice a")
	if !strings.HasPrefix(inv, "INV-00001 · $213.39") {
		t.Fatalf("invoice shown as %q", inv)
	}
	b.waitText("[data-session]:first-child [data-owing]", "Jo Rivera owes $213.39")
	if got := b.text("[data-session]:first-child [data-attendance]"); got != "Attended" {
		t.Fatalf("attendance reads %q", got)
	}
	cl := b.call(200, "GET", "/v1/clients/"+cid, "")
	if owing := cl["balance"].(map[string]any)["owing"]; owing != "213.39" {
		t.Fatalf("API balance owing %v", owing)
	}
	b.shots("session-attended")

	// Two presses at once make one invoice.
	sid := eval[string](b, `document.querySelector('[data-session]:first-child').dataset.session`)
	for range 2 {
		eval[bool](b, fmt.Sprintf(`(fetch('/v1/sessions/%s/attendance', {method: 'POST', headers: {'Content-Type': 'application/json',
			'X-CSRF-Token': decodeURIComponent(document.cookie.match(/carebill_csrf=([^;]+)/)[1])}, body: '{"status":"attended"}'}), true)`, sid))
	}
	b.waitFor("both presses answered", `new Promise((done) => setTimeout(() => done(true), 500))`)
	if list := b.call(200, "GET", "/v1/invoices?clientId="+cid, "")["data"].([]any); len(list) != 1 {
		t.Fatalf("%d invoices after pressing again", len(list))
	}

	// A short-notice cancellation keeps its NDIS reason.
	b.click("[data-session]:nth-child(2) [data-attend=cancelled]")
	b.waitFor("the cancel dialog", `document.querySelector('[data-cancel-dialog]').open`)
	b.set("[data-cancel-form] [name=cancellationReason]", "NSDH")
	b.click("[data-cancel-ok]")
	b.waitText("[data-session]:nth-child(2) [data-attendance]", "Cancelled")
	b.waitText("[data-session]:nth-child(2) .tag", "NSDH")

	// The dashboard is home: the brand and "/" lead there.
	b.click(".brand")
	b.waitFor("the dashboard", `location.pathname === '/app/dashboard'`)
	b.waitText("[data-tile=open] [data-value]", "$213.39")
	b.waitText("[data-tile=open] [data-note]", "1 invoice")
	b.waitText("[data-tile=paid] [data-value]", "$0.00")
	b.waitFor("recent activity", `document.querySelectorAll('[data-recent] li').length > 0`)
	if got := b.text("[data-alerts-empty]"); got != "Nothing needs attention." {
		t.Fatalf("alerts read %q", got)
	}
	b.shots("dashboard")
}

// TestCoordinatorTaskJourney: a support coordinator records a
// participant's plan, logs a task priced above the NDIS limit and sees
// the alert and why; a task at the limit is ready to invoice.
func TestCoordinatorTaskJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t, newSite(t))
	b.signup("Pilot Coordination")
	cid := b.call(201, "POST", "/v1/clients", literal(map[string]any{"name": "Sam Participant", "contacts": []map[string]any{{"name": "Sam", "email": "sam@example.com"}},
		"funding": map[string]any{"type": "plan_managed", "ndisNumber": "430000001", "planManager": map[string]any{"name": "Plan Partners", "email": "invoices@planpartners.example"}}}))["id"].(string)
	b.call(200, "PUT", "/v1/ndis/price-limits", literal(map[string]any{"items": []map[string]any{
		{"supportItem": "07_002_0106_8_3", "from": "2024-07-01", "national": "100.14", "remote": "140.20", "veryRemote": "150.21"}}}))

	b.open("/app/tasks")
	b.waitFor("the participant picker", fmt.Sprintf(`document.querySelector('[data-participant] option[value=%s]')`, js(cid)))
	b.set("[data-participant]", cid)
	b.waitFor("the participant's work", `!document.querySelector('[data-work]').hidden`)
	b.waitFor("the plan view", `document.querySelector('[data-plan]').children.length > 0 && !document.querySelector('[data-plan-empty]').hidden`)
	if got := b.text("[data-plan]"); !strings.Contains(got, "Plan-managed · NDIS 430000001") || !strings.Contains(got, "Plan Partners") {
		t.Fatalf("plan view reads %q", got)
	}
	today := sydneyToday(t)
	year := today[:4]
	b.click("[data-plan-edit] summary")
	b.set("[data-plan-form] [name=start]", year+"-01-01")
	b.set("[data-plan-form] [name=end]", year+"-12-31")
	b.set("[data-plan-form] [name=remoteness]", "national")
	b.fill("[data-plan-form] [name=budget07]", "5000")
	b.click("[data-plan-form] [data-submit]")
	b.waitFor("the saved plan", `document.querySelector('[data-plan]').textContent.includes('$5,000.00')`)

	logTask := func(rate string) {
		b.fill("[data-task-form] [name=supportItem]", "07_002_0106_8_3")
		b.set("[data-task-form] [name=start]", "10:00")
		b.set("[data-task-form] [name=end]", "11:30")
		b.fill("[data-task-form] [name=rate]", rate)
		b.click("[data-task-form] [data-submit]")
	}
	logTask("120.00")
	b.waitFor("the task", `document.querySelectorAll('[data-task]').length === 1`)
	alert := b.text("[data-task] [data-code=above_price_limit]")
	if alert != "rate $120.00 is above the national price limit of $100.14 for 07_002_0106_8_3" {
		t.Fatalf("price-limit alert reads %q (all: %q)", alert, b.text("[data-task]"))
	}
	if got := b.text("[data-task] td[data-label=Amount]"); got != "$180.00" {
		t.Fatalf("90 minutes at $120 shows %q", got)
	}
	logTask("100.14")
	b.waitFor("two tasks", `document.querySelectorAll('[data-task]').length === 2`)
	if got := b.text("[data-task]:nth-child(2) td[data-label='Ready?']"); got != "Ready" {
		t.Fatalf("a task at the limit reads %q", got)
	}
	// The budget counts both tasks (180.00 + 150.21) as committed.
	b.waitText("[data-budget-category='07'] [data-k=committed]", "$330.21")
	// An attended session (60 min at 100.14) the org's own session
	// invoicing billed at once is spent, not also committed; one only
	// booked counts nowhere.
	for i, attend := range []bool{true, false} {
		ses := b.call(201, "POST", "/v1/sessions", literal(map[string]any{"clientId": cid, "start": today + fmt.Sprintf("T1%d:00:00+11:00", 4+i), "durationMinutes": 60,
			"service": map[string]any{"description": "Coordination session", "rate": "100.14", "supportItem": "07_002_0106_8_3"}}))["id"].(string)
		if attend {
			got := b.call(200, "POST", "/v1/sessions/"+ses+"/attendance", literal(map[string]any{"status": "attended"}))
			if s, _ := got["session"].(map[string]any); s == nil || s["invoiceId"] == nil {
				t.Fatalf("attendance with the org's default auto-invoicing made no invoice: %v", got)
			}
		}
	}
	b.open("/app/tasks?client=" + cid)
	b.waitText("[data-budget-category='07'] [data-k=spent]", "$100.14")
	if c, r := b.text("[data-budget-category='07'] [data-k=committed]"), b.text("[data-budget-category='07'] [data-k=remaining]"); c != "$330.21" || r != "$4,569.65" {
		t.Fatalf("budget reads committed %q, remaining %q", c, r)
	}
	b.shots("tasks")
}

// TestRepCaseJourney: a device rep opens a case with two manufacturers'
// products, sees it in the pending-PO panel, enters one PO per
// manufacturer, invoices (two invoices), marks Invoice Paid and
// Commission Paid; then both accounting exports of the month download.
func TestRepCaseJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t, newSite(t))
	b.signup("ConnectSx Reps")
	cid := b.call(201, "POST", "/v1/clients", literal(map[string]any{"name": "St Vincent's Theatre"}))["id"].(string)
	today := sydneyToday(t)

	b.open("/app/cases")
	b.waitText("[data-pending-summary]", "Every case has its PO.")
	b.click("[data-new-case]")
	b.waitFor("the case dialog", fmt.Sprintf(`document.querySelector('[data-case-dialog]').open && document.querySelector('[data-case-form] [name=clientId] option[value=%s]')`, js(cid)))
	b.set("[data-case-form] [name=clientId]", cid)
	b.fill("[data-case-form] [name=doctor]", "Dr Okafor")
	b.set("[data-case-form] [name=eventDate]", today)
	product := func(n int, desc, maker, qty, rate string) {
		row := fmt.Sprintf("[data-products] li:nth-child(%d) ", n)
		b.fill(row+"[data-k=description]", desc)
		b.fill(row+"[data-k=manufacturer]", maker)
		b.fill(row+"[data-k=quantity]", qty)
		b.fill(row+"[data-k=rate]", rate)
	}
	product(1, "Tibial insert", "Acme", "2", "1500")
	b.click("[data-add-product]")
	product(2, "Bone cement", "Zimmer", "x", "800")
	b.click("[data-case-form] [data-submit]")
	b.waitFor("the quantity error", `document.querySelector('[data-products] li:nth-child(2) [data-k=quantity]').getAttribute('aria-invalid') === 'true'`)
	b.fill("[data-products] li:nth-child(2) [data-k=quantity]", "1")
	b.fill("[data-case-form] [name=billingNotes]", "Knee, left")
	b.shots("case-new")
	b.click("[data-case-form] [data-submit]")
	b.waitFor("the case page", `location.pathname.startsWith('/app/cases/case_')`)
	b.waitText("[data-fact=Status]", "Pending PO")
	casePath := b.path()

	b.open("/app/cases")
	b.waitText("[data-pending-summary]", "1 case worth $3,800.00 before tax, oldest first.")
	b.shots("cases")
	b.click("[data-pending-list] a")
	b.waitFor("the case page", fmt.Sprintf(`location.pathname === %s`, js(casePath)))

	// One PO per manufacturer makes one invoice each.
	b.waitFor("the PO form", `document.querySelectorAll('[data-po-each] input').length === 2`)
	b.click("[name=poMode][value=each]")
	b.fill("[data-po-each] input[data-manufacturer=Acme]", "PO-A1")
	b.fill("[data-po-each] input[data-manufacturer=Zimmer]", "PO-Z9")
	b.click("[data-po-form] [data-submit]")
	b.waitText("[data-fact=Status]", "Ready to invoice")
	b.click("[data-action=invoice]")
	b.waitText("[data-fact=Status]", "Invoiced")
	rows := eval[[]string](b, `[...document.querySelectorAll('[data-invoices] tr')].map(r => [...r.cells].map(c => c.textContent.trim()).join(' | '))`)
	want := []string{"INV-00001 | Acme | PO-A1 | Open | $3,300.00 | $3,300.00", "INV-00002 | Zimmer | PO-Z9 | Open | $880.00 | $880.00"}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Fatalf("case invoices:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	b.shots("case-invoiced")

	b.click("[data-action=invoice-paid]")
	b.waitText("[data-fact=Status]", "Invoice paid")
	b.click("[data-commission-form] [data-submit]")
	b.waitFor("commission paid", `document.querySelector('[data-fact=Commission]').textContent.startsWith('Paid ')`)
	c := b.call(200, "GET", "/v1/cases/"+strings.TrimPrefix(casePath, "/app/cases/"), "")
	if c["status"] != "invoice_paid" || c["commissionPaid"] != true || c["commissionPaidDate"] != today {
		t.Fatalf("case after the marks: %v", c)
	}

	// Both exports of the month download with their formats' headers and
	// one row per line item.
	b.open("/app/exports")
	b.waitFor("the export link", `document.querySelector('[data-download]').href.includes('from=')`)
	b.shots("exports")
	for format, header := range map[string]string{"xero": "*ContactName", "quickbooks": "*InvoiceNo"} {
		b.click(fmt.Sprintf("[name=format][value=%s]", format))
		href := eval[string](b, `document.querySelector('[data-download]').getAttribute('href')`)
		if !strings.Contains(href, "format="+format) || !strings.Contains(href, "from="+today[:8]+"01") || !strings.Contains(href, "to="+today) {
			t.Fatalf("%s export link %q", format, href)
		}
		got := eval[string](b, fmt.Sprintf(`fetch(%s).then(async r => r.status + ' ' + r.headers.get('Content-Disposition') + '\n' + await r.text())`, js(href)))
		head, body, _ := strings.Cut(got, "\n")
		if !strings.HasPrefix(head, "200 attachment") {
			t.Fatalf("%s export answered %q", format, head)
		}
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || len(recs) != 3 || recs[0][0] != header {
			t.Fatalf("%s export: %v\n%s", format, err, body)
		}
	}
}

// TestRecurringChargeOnClientPage: the client page sets the account's
// initial balance (an invoice without a number); a charge added there bills
// what is due ("Bill now": the month before and this month, one invoice
// each, shown in the client's invoices), a second press bills nothing,
// and it pauses and resumes.
func TestRecurringChargeOnClientPage(t *testing.T) {
	t.Parallel()
	b := newBrowser(t, newSite(t))
	b.signup("Room Hire Co")
	cid := b.call(201, "POST", "/v1/clients", literal(map[string]any{"name": "Studio Tenant"}))["id"].(string)
	today := sydneyToday(t)
	thisMonth, err := time.Parse("2006-01-02", today[:8]+"01")
	if err != nil {
		t.Fatal(err)
	}
	lastMonth := thisMonth.AddDate(0, -1, 0).Format("2006-01-02")

	b.open("/app/clients/" + cid)
	b.waitText("[data-charges-empty]", "No recurring charges.")

	// The account's initial balance: an invoice without a number, owed at once.
	b.waitFor("the initial balance form", `!document.querySelector('[data-initial-form]').hidden`)
	b.fill("[data-initial-form] [name=amount]", "100")
	b.click("[data-initial-form] [data-submit]")
	b.waitFor("the initial balance", `document.querySelector('[data-initial-shown]').textContent.startsWith('$100.00 as at ')`)
	b.waitText("[data-owing]", "$100.00")
	b.waitText("[data-invoices] tr a", "Initial balance")
	b.click("[data-charge-add] summary")
	b.fill("[data-charge-form] [name=description]", "Room hire")
	b.fill("[data-charge-form] [name=amount]", "$250")
	b.fill("[data-charge-form] [name=dayOfMonth]", "31")
	b.set("[data-charge-form] [name=start]", lastMonth)
	b.click("[data-charge-form] [data-submit]")
	b.waitFor("the day error", `document.querySelector('[data-charge-form] [name=dayOfMonth]').getAttribute('aria-invalid') === 'true'`)
	b.fill("[data-charge-form] [name=dayOfMonth]", "1")
	b.click("[data-charge-form] [data-submit]")
	b.waitFor("the charge", `document.querySelectorAll('[data-charge]').length === 1`)
	if got := b.text("[data-charge] .subtle"); !strings.HasPrefix(got, "Monthly on the 1st from ") {
		t.Fatalf("schedule reads %q", got)
	}
	b.click("[data-charge-action='Bill now']")
	b.waitFor("two bills", `document.querySelector('[data-charge-billed]')?.textContent.startsWith('Billed 2 times')`)
	b.waitFor("the invoices", `document.querySelectorAll('[data-invoices] tr').length === 3`)
	b.waitText("[data-owing]", "$650.00")
	b.click("[data-charge-action='Bill now']")
	b.waitText("[data-toast]", "Nothing is due yet.")
	if n := len(b.call(200, "GET", "/v1/invoices?clientId="+cid, "")["data"].([]any)); n != 3 {
		t.Fatalf("%d invoices after billing again", n)
	}
	b.click("[data-charge-action=Pause]")
	b.waitText("[data-charge-status]", "Paused")
	b.shots("client-recurring")
	b.click("[data-charge-action=Resume]")
	b.waitText("[data-charge-status]", "Active")
}

// TestTasksPageForParticipantWithoutPlan: the tasks page of a participant
// with no plan yet says so without a single failed request (the console
// stays clean of network errors too).
func TestTasksPageForParticipantWithoutPlan(t *testing.T) {
	t.Parallel()
	site := newSite(t)
	b := &browser{Browser: browsertest.New(t, browsertest.Options{Base: site, NetworkErrorsFail: true}), t: t}
	b.signup("Planless Coordination")
	cid := b.call(201, "POST", "/v1/clients", literal(map[string]any{"name": "Pat Planless", "contacts": []map[string]any{{"name": "Pat", "email": "pat@example.com"}},
		"funding": map[string]any{"type": "self_managed", "ndisNumber": "430000002"}}))["id"].(string)
	b.open("/app/tasks?client=" + cid)
	b.waitFor("the participant's work", `!document.querySelector('[data-work]').hidden`)
	b.waitFor("the no-plan note", `!document.querySelector('[data-plan-empty]').hidden`)
	if got := b.text("[data-plan]"); !strings.Contains(got, "NDIS 430000002") {
		t.Fatalf("plan view reads %q", got)
	}
}
