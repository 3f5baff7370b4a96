package web_test

import (
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/money"
)

var accounts atomic.Int64

// signup creates an org from the sign-up page, lands on the dashboard (the
// app's home) and opens the client list.
func (b *browser) signup(org string) {
	b.t.Helper()
	b.open("/app/signup")
	email := fmt.Sprintf("admin%d-%s@example.com", accounts.Add(1), strings.ToLower(strings.Fields(org)[0]))
	b.fill("[name=orgName]", org)
	b.fill("[name=email]", email)
	b.fill("[name=password]", "Correct-Horse-9")
	b.click("[data-signup-form] [type=submit]")
	b.waitFor("the dashboard", `location.pathname === '/app/dashboard'`)
	b.waitText("[data-org-name]", org)
	b.open("/app/clients")
}

// TestCoordinatorJourney drives the hosted UI in Chromium the way the
// Primary Record guide describes a coordinator's day: sign up, add a
// client, build an invoice of 40 hours at $50, 20 miles at $0.25 and a $50
// consulting fee, see the API's $2,055.00 subtotal and $205.50 tax,
// finalize it as INV-00001, void it; a second org sees none of it.
func TestCoordinatorJourney(t *testing.T) {
	t.Parallel()
	base := newSite(t)
	b := newBrowser(t, base)

	// Signed out, the app sends the browser to sign in, remembering where it was going.
	b.open("/")
	b.waitFor("the sign-in page", `location.pathname === '/app/login'`)
	if got := b.path(); got != "/app/login?next=%2Fapp%2Fdashboard" {
		t.Fatalf("redirected to %q", got)
	}
	b.click(`a[href="/app/signup"]`)
	b.waitFor("the sign-up page", `location.pathname === '/app/signup' && document.querySelector('[name=orgName]')`)
	b.signup("Alpha Care")
	b.waitText("[data-empty]", "No clients yet. Add your first client to start invoicing.")

	// The session cookie is Secure; Chromium keeps it on http://127.0.0.1 and
	// keeps it from scripts, and it is the only cookie: there is no CSRF
	// token for a script to read (the cross-origin guard does that work).
	if c := eval[string](b, `document.cookie`); c != "" {
		t.Fatalf("document.cookie = %q", c)
	}

	// Settings: the legal name and ABN invoices carry; a wrong ABN is refused at its field.
	b.open("/app/settings")
	b.waitFor("the settings form", `!document.querySelector('[data-settings-form] [data-submit]').disabled`)
	if got := eval[string](b, `['currency','taxRate','timezone','numberPrefix'].map(n => document.querySelector('[name='+n+']').value).join(' ')`); got != "AUD 10 Australia/Sydney INV-" {
		t.Fatalf("settings show %q", got)
	}
	b.fill("[name=legalName]", "Alpha Care Pty Ltd")
	b.fill("[name=taxId]", "51 824 753 557")
	b.click("[data-settings-form] [data-submit]")
	b.waitFor("the ABN error", `document.querySelector('[name=taxId]').getAttribute('aria-invalid') === 'true'`)
	b.fill("[name=taxId]", "51 824 753 556")
	b.set("[name=sendStatementsAtClose]", "email")
	b.click("[data-settings-form] [data-submit]")
	b.waitText("[data-save-state]", "All changes saved")
	b.screenshot("settings", 1280, 900)
	// Statements sent at close: the choice is kept.
	b.open("/app/settings")
	b.waitFor("the settings form again", `!document.querySelector('[data-settings-form] [data-submit]').disabled`)
	if got := eval[string](b, `document.querySelector('[name=sendStatementsAtClose]').value`); got != "email" {
		t.Fatalf("statements at close reads %q after saving email", got)
	}
	b.open("/app/clients")

	// Add a client; a bad email is reported next to the contact's email.
	b.click("[data-add-client]")
	b.waitFor("the client dialog", `document.querySelector('[data-client-dialog]').open`)
	b.fill("[data-client-form] [name=name]", "Zoë Müller-Ng")
	b.fill("[data-contacts] [data-k=name]", "Zoë Müller-Ng")
	b.fill("[data-contacts] [data-k=email]", "zoe-at-example")
	b.fill("[data-contacts] [data-k=phone]", "+61412345678")
	b.set("[data-client-form] [name=fundingType]", "self_managed")
	b.fill("[data-client-form] [name=ndisNumber]", "430000001")
	b.click("[data-client-form] [data-submit]")
	b.waitFor("the email error", `document.querySelector('[data-k=email]').getAttribute('aria-invalid') === 'true'`)
	if got := b.text("[data-contacts] .field-error"); !strings.Contains(got, "email address") {
		t.Fatalf("email error reads %q", got)
	}
	b.screenshot("client-dialog", 1280, 900)
	b.fill("[data-contacts] [data-k=email]", "zoe@example.com")
	b.click("[data-client-form] [data-submit]")
	b.waitFor("the client page", `location.pathname.startsWith('/app/clients/cli_')`)
	clientPath := b.path()
	b.waitText("[data-name]", "Zoë Müller-Ng")
	b.waitText("[data-owing]", "$0.00")
	b.waitText("[data-invoices-empty]", "No invoices yet.")
	if got := b.text("[data-billing]"); !strings.Contains(got, "zoe@example.com") {
		t.Fatalf("billing contact reads %q", got)
	}

	// Build the invoice.
	b.click("[data-invoice]")
	b.waitFor("the builder", `location.pathname === '/app/invoices/new' && !document.querySelector('[data-builder]').hidden`)
	b.waitFor("the bill-to panel", `document.querySelector('[data-bill-to]').textContent.includes('zoe@example.com')`)
	b.fill("[name=name]", "Client Invoice – November")
	b.click(`[data-add="variable"]`)
	line := func(n int, f string) string { return fmt.Sprintf(".line:nth-child(%d) [data-f=%s]", n, f) }
	b.fill(line(1, "description"), "Support coordination")
	b.set(line(1, "periodStart"), "2026-11-01")
	b.set(line(1, "periodEnd"), "2026-11-30")
	b.fill(line(1, "quantity"), "40")
	b.fill(line(1, "rate"), "5O") // a letter O: the API's message lands under the rate
	b.waitFor("the rate error", fmt.Sprintf(`document.querySelector(%s).getAttribute('aria-invalid') === 'true'`, js(line(1, "rate"))))
	b.waitFor("the save state", `document.querySelector('[data-save-state]').dataset.kind === 'error'`)
	b.fill(line(1, "rate"), "50")
	b.click(`[data-add="variable"]`)
	b.fill(line(2, "description"), "Travel")
	b.fill(line(2, "quantity"), "20")
	b.set(line(2, "unit"), "miles")
	b.fill(line(2, "rate"), "0.25")
	b.click(`[data-add="fixed"]`)
	b.fill(line(3, "description"), "Consulting services")
	b.fill(line(3, "amount"), "50")
	b.waitText("[data-subtotal] dd", "$2,055.00")
	b.waitText("[data-save-state]", "All changes saved")
	for sel, want := range map[string]string{
		"[data-tax-total] dt": "Tax (10%)", "[data-tax-total] dd": "$205.50", "[data-total] dd": "$2,260.50",
		".line:nth-child(1) [data-line-total]": "$2,000.00", ".line:nth-child(2) [data-line-total]": "$5.00",
		".line:nth-child(3) [data-line-total]": "$50.00",
	} {
		if got := b.text(sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if n := eval[int](b, `document.querySelectorAll('.field-error').length`); n != 0 {
		t.Errorf("%d errors still shown after a good save", n)
	}
	editPath := b.path()
	if !regexp.MustCompile(`^/app/invoices/inv_[0-9a-z]{26}/edit$`).MatchString(editPath) {
		t.Fatalf("builder address after the first save: %q", editPath)
	}
	invoicePath := strings.TrimSuffix(editPath, "/edit")
	b.screenshot("builder", 1280, 900)
	b.screenshot("builder-phone", 390, 844)

	// The draft reloads as it was saved.
	b.open(editPath)
	b.waitText("[data-subtotal] dd", "$2,055.00")
	if got := eval[string](b, `[...document.querySelectorAll('.line')].map(li => li.querySelector('[data-f=description]').value + '|' + (li.querySelector('[data-f=unit]')?.value ?? '')).join(',')`); got != "Support coordination|hours,Travel|miles,Consulting services|" {
		t.Fatalf("reloaded lines: %q", got)
	}

	// Review and finalize.
	b.click("[data-review]")
	b.waitFor("the invoice page", fmt.Sprintf(`location.pathname === %s`, js(invoicePath)))
	b.waitText("[data-number]", "Draft")
	b.waitText(".doc [data-subtotal] dd", "$2,055.00")
	b.click(`[data-action="finalize"]`)
	b.waitFor("the confirm dialog", `document.querySelector('[data-confirm-dialog]').open`)
	b.click("[data-confirm-ok]")
	b.waitText("[data-number]", "INV-00001")
	b.waitText("[data-status-chip]", "Open")
	for sel, want := range map[string]string{
		"[data-title]": "INV-00001", ".doc-kind": "Tax invoice", ".doc [data-tax-total] dd": "$205.50",
		".doc [data-total] dd": "$2,260.50", ".doc [data-balance] dd": "$2,260.50",
		".doc-org": "Alpha Care Pty Ltd", ".doc-org + p": "ABN 51 824 753 556",
	} {
		if got := b.text(sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if got := eval[string](b, `['edit','delete','finalize','paylink','pdf','void'].filter(a => !document.querySelector('[data-action="'+a+'"]').hidden).join(',')`); got != "paylink,pdf,void" {
		t.Fatalf("actions shown on an open invoice: %s", got)
	}
	b.waitFor("the activity log", `document.querySelectorAll('[data-activity] li').length >= 2`)
	if got := eval[string](b, `fetch(document.querySelector('[data-action="pdf"]').href).then(r => r.status + ' ' + r.headers.get('content-type'))`); got != "200 application/pdf" {
		t.Errorf("Download PDF answers %q", got)
	}
	b.screenshot("invoice", 1280, 900)
	b.screenshot("invoice-phone", 390, 844)

	// A finalized invoice has no builder any more.
	b.open(editPath)
	b.waitFor("the builder to hand over", fmt.Sprintf(`location.pathname === %s`, js(invoicePath)))
	b.waitText("[data-number]", "INV-00001")

	b.click(`[data-action="paylink"]`)
	b.waitFor("the pay link", fmt.Sprintf(`document.querySelector('[data-paylink-url]').value.startsWith(%s)`, js(base+"/pay/")))

	// Void needs a reason.
	b.click(`[data-action="void"]`)
	b.waitFor("the void dialog", `document.querySelector('[data-void-dialog]').open`)
	b.click("[data-void-form] [type=submit]")
	b.waitFor("the reason error", `document.querySelector('[data-void-form] .field-error')`)
	b.fill("[data-void-form] [name=reason]", "Issued in error")
	b.click("[data-void-form] [type=submit]")
	b.waitText("[data-status-chip]", "Void")
	if got := b.text("[data-notice]"); !strings.Contains(got, "Issued in error") {
		t.Errorf("notice reads %q", got)
	}
	if got := eval[string](b, `['paylink','void'].filter(a => !document.querySelector('[data-action="'+a+'"]').hidden).join(',')`); got != "" {
		t.Errorf("actions still shown on a void invoice: %s", got)
	}

	// The lists agree.
	b.open("/app/invoices?status=void")
	b.waitFor("the void invoice row", `document.querySelector('[data-rows] tr')?.textContent.includes('INV-00001')`)
	b.waitFor("the client's name", `document.querySelector('[data-rows] tr').textContent.includes('Zoë Müller-Ng')`)
	if got := b.text(`[data-rows] tr .chip`); got != "Void" {
		t.Errorf("status chip %q", got)
	}
	if got := eval[string](b, `document.querySelector('[role=tab][aria-selected=true]').textContent`); got != "Void" {
		t.Errorf("selected tab %q", got)
	}
	b.click(`[role=tab][data-status="open"]`)
	b.waitText("[data-empty]", "No open invoices yet.")
	b.fill("[data-search]", "INV-00001")
	b.click(`[role=tab][data-status=""]`)
	b.waitFor("the search result", `document.querySelectorAll('[data-rows] tr').length === 1`)
	b.screenshot("invoices", 1280, 900)
	b.open(clientPath)
	b.waitFor("the client's invoices", `document.querySelector('[data-invoices]').textContent.includes('INV-00001')`)
	b.waitText("[data-owing]", "$0.00")
	b.waitFor("the client's activity", `document.querySelectorAll('[data-activity] li').length >= 3`)
	b.screenshot("client", 1280, 900)
	b.screenshot("client-phone", 390, 844)

	// Edit the client: plan-managed needs a plan manager, who then receives invoices.
	b.click("[data-edit]")
	b.waitFor("the edit dialog", `document.querySelector('[data-client-dialog]').open`)
	if got := eval[string](b, `document.querySelector('[data-client-form] [name=name]').value + '|' + document.querySelector('[data-contacts] [data-k=email]').value`); got != "Zoë Müller-Ng|zoe@example.com" {
		t.Fatalf("edit dialog shows %q", got)
	}
	b.set("[data-client-form] [name=fundingType]", "plan_managed")
	b.click("[data-client-form] [data-submit]")
	b.waitFor("the plan manager error", `document.querySelector('[name=pmName]').getAttribute('aria-invalid') === 'true'`)
	b.fill("[name=pmName]", "Harbour Plan Partners")
	b.fill("[name=pmEmail]", "invoices@harbourplan.example")
	b.click("[data-client-form] [data-submit]")
	b.waitFor("the dialog to close", `!document.querySelector('[data-client-dialog]').open`)
	b.waitText("[data-funding]", "Plan-managed · NDIS 430000001")
	if got := b.text("[data-billing]"); !strings.Contains(got, "invoices@harbourplan.example") {
		t.Errorf("billing contact after the edit: %q", got)
	}

	// "New invoice" without a client asks for one first.
	b.open("/app/invoices/new")
	b.waitFor("the client picker", `!document.querySelector('[data-client-picker]').hidden`)
	b.fill("[data-client-search]", "Zoë")
	b.waitFor("the match", `document.querySelectorAll('[data-client-results] a').length === 1`)
	b.click("[data-client-results] a")
	b.waitFor("the builder for Zoë", `!document.querySelector('[data-builder]').hidden && document.querySelector('[data-client-link]').textContent === 'Zoë Müller-Ng'`)

	// The page formats amounts exactly as money.Display does.
	b.checkFormatter()

	// Signing out ends the session.
	b.click("[data-signout]")
	b.waitFor("the sign-in page", `location.pathname === '/app/login'`)
	if status := eval[int](b, `fetch('/v1/clients').then(r => r.status)`); status != 401 {
		t.Fatalf("GET /v1/clients after signing out: %d", status)
	}

	// Another org sees no clients, and not Alpha's client by address.
	b.signup("Beta Support")
	b.waitText("[data-empty]", "No clients yet. Add your first client to start invoicing.")
	if n := eval[int](b, `document.querySelectorAll('[data-rows] tr').length`); n != 0 {
		t.Fatalf("Beta sees %d clients", n)
	}
	b.open(clientPath)
	b.waitText("[data-name]", "Client not found")
	b.open("/app/invoices/new")
	b.waitFor("the empty picker", `document.querySelector('[data-client-results]').textContent.includes('No clients yet.')`)
}

// TestSignInErrors checks the sign-in page's messages and its refusal to
// send anyone off-site after signing in.
func TestSignInErrors(t *testing.T) {
	t.Parallel()
	b := newBrowser(t, newSite(t))
	b.signup("Gamma Therapy")
	if name := eval[string](b, `fetch('/v1/org').then(r => r.json()).then(o => o.name)`); name != "Gamma Therapy" {
		t.Fatalf("org %q", name)
	}
	b.click("[data-signout]")
	b.waitFor("the sign-in page", `location.pathname === '/app/login'`)

	b.open("/app/login?next=" + "https%3A%2F%2Fevil.example%2F")
	b.click("[data-login-form] [type=submit]")
	b.waitText("[data-login-form] .field-error", "Enter your email address.")
	b.fill("[name=email]", "nobody@example.com")
	b.fill("[name=password]", "Wrong-Password-1")
	b.click("[data-login-form] [type=submit]")
	b.waitText("[data-form-alert]", "The email or password is wrong")
	if got := b.path(); !strings.HasPrefix(got, "/app/login") {
		t.Fatalf("left the sign-in page for %q", got)
	}
}

// checkFormatter compares format.js's money() with money.Display, the one
// server formatter, for every currency the page describes and a spread of
// amounts, including the negative and the large.
func (b *browser) checkFormatter() {
	b.t.Helper()
	amounts := []string{"0", "0.5", "5", "50.25", "999.99", "1000", "2055", "2055.5", "-2055.5", "1234567.891", "1000000000"}
	codes := []string{"AUD", "USD", "GBP", "EUR", "JPY", "INR", "CHF", "NZD"}
	var cases []string
	want := map[string]string{}
	for _, code := range codes {
		cur := money.MustCurrency(code)
		for _, a := range amounts {
			// The API sends amounts with exactly the currency's minor units.
			wire := cur.String(decimal.RequireFromString(a))
			key := code + " " + wire
			cases = append(cases, key)
			want[key] = cur.Display(decimal.RequireFromString(a))
		}
	}
	got := eval[map[string]string](b, fmt.Sprintf(`(async () => {
		const src = document.querySelector('script[type=module]').src;
		const { money } = await import(src.slice(0, src.lastIndexOf('/js/')) + '/js/format.js');
		const out = {};
		for (const k of %s) { const [code, amount] = k.split(' '); out[k] = money(amount, code); }
		return out;
	})()`, jsList(cases)))
	for _, k := range cases {
		if got[k] != want[k] {
			b.t.Errorf("money(%s) = %q in the browser, %q from money.Display", k, got[k], want[k])
		}
	}
}

func jsList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = js(s)
	}
	return "[" + strings.Join(q, ",") + "]"
}
