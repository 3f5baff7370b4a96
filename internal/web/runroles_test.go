package web_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestRunPagesHideWhatTheRoleMayNotDo: on the invoice runs pages an admin
// sees the run form (Preview run, then Start invoice run), and on a run
// with a parked participant and a left-out one, Re-queue, Add to this run
// and the NDIA reconciliation uploads; an invited viewer, on the same
// pages, sees none of them (GET /v1/me through can.js, data-needs="bill"),
// nor the "NDIA bulk upload:" line, an admin's export (trial 6 item 9).
// At 375 px.
func TestRunPagesHideWhatTheRoleMayNotDo(t *testing.T) {
	t.Parallel()
	base, worker, st := runSiteOn(t)
	b := newBrowser(t, base)
	b.signup("Runroles Care")
	b.call(200, "PATCH", "/v1/org", `{legalName: 'Runroles Care Pty Ltd', taxId: '51824753556'}`)
	b.call(200, "PUT", "/v1/ndis/provider", `{registrationNumber: '4050012345'}`)
	first := time.Now().UTC().AddDate(0, -1, 0)
	first = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
	on := func(d int) string { return first.AddDate(0, 0, d-1).Format("2006-01-02") }
	planEnd := first.AddDate(1, 0, 0).Format("2006-01-02")
	plan := func(id, budget string) {
		b.call(200, "PUT", "/v1/clients/"+id+"/ndis-plan", fmt.Sprintf(`{start: %s, end: %s, remoteness: 'national', budgets: {'07': %s}}`, js(on(1)), js(planEnd), js(budget)))
	}
	participant := func(name, funding, rate string) string {
		id := b.call(201, "POST", "/v1/clients", fmt.Sprintf(`{name: %s, contacts: [{name: %s, email: 'p@example.com'}], funding: %s}`, js(name), js(name), funding))["id"].(string)
		plan(id, "5000.00")
		b.call(201, "POST", "/v1/tasks", fmt.Sprintf(`{clientId: %s, supportItem: '07_002_0106_8_3', date: %s, durationMinutes: 60, rate: %s}`, js(id), js(on(5)), rate))
		return id
	}
	participant("Ada Role", `{type: 'self_managed', ndisNumber: '431234567'}`, "'100.14'")
	participant("Cal Role", `{type: 'ndia_managed', ndisNumber: '431234569'}`, "'100.14'")
	parked := participant("Eve Role", `{type: 'self_managed', ndisNumber: '431234571'}`, "'100.14'")
	left := participant("Dee Role", `{type: 'plan_managed', ndisNumber: '431234570', planManager: {name: 'PM', email: 'pm@example.com'}}`, "undefined")
	viewer := b.invite(st, "viewer")
	b.Do("phone width", chromedp.EmulateViewport(375, 800))
	ready := func() {
		t.Helper()
		b.waitFor("the role", `document.documentElement.dataset.may !== undefined`)
	}
	runsControls := [][2]string{{"form", "[data-run-form]"}, {"preview", "[data-preview]"}, {"start", "[data-start]"}}
	runControls := [][2]string{{"requeue", "[data-requeue]"}, {"add", "[data-add]"},
		{"upload-results", `[data-upload="ndia-results"] [type=submit]`}, {"upload-remittance", `[data-upload="ndia-remittance"] [type=submit]`}, {"ndia-file", "[data-files]"}}

	// The admin previews (Dee's alert left out) and starts the run; Eve's
	// budget, cut while the run waits on the queue, parks her.
	b.open("/app/runs")
	ready()
	b.set("[name=periodStart]", on(1))
	b.set("[name=periodEnd]", first.AddDate(0, 1, -1).Format("2006-01-02"))
	b.click("[data-preview]")
	b.waitFor("the alerts", `!document.querySelector('[data-blocked]').hidden`)
	b.click("[data-exclude]")
	b.waitFor("the preview", `!document.querySelector('[data-start]').hidden`)
	if got := b.shown(runsControls); got != "form preview start" {
		b.fail("admin on the runs page sees %q, want %q", got, "form preview start")
	}
	worker.paused.Store(true)
	b.click("[data-start]")
	b.waitFor("the run page", `location.pathname.startsWith('/app/runs/run_')`)
	run := b.path()
	plan(parked, "10.00")
	worker.paused.Store(false)
	b.waitFor("the run to complete", `document.querySelector('[data-run-summary]').dataset.status === 'complete_with_parked'`)
	runReady := func() {
		t.Helper()
		ready()
		b.waitFor("the run", `document.querySelector('[data-run-summary]').dataset.status === 'complete_with_parked'`)
		b.waitFor("the parked participant", `!!document.querySelector('[data-client=`+js(parked)+`]')`)
		b.waitFor("the left-out participant", `!!document.querySelector('[data-excluded-client=`+js(left)+`]')`)
		b.waitFor("the NDIA file", `!document.querySelector('[data-recon]').hidden`)
	}
	runReady()
	if got, want := b.shown(runControls), "requeue add upload-results upload-remittance ndia-file"; got != want {
		b.fail("admin on the run page sees %q, want %q", got, want)
	}

	b.signInInvited(viewer)
	b.open("/app/runs")
	ready()
	b.waitFor("the run listed", `document.querySelectorAll('[data-runs] tr').length === 1`)
	if got := b.shown(runsControls); got != "" {
		b.fail("viewer on the runs page sees %q, want none", got)
	}
	b.open(run)
	runReady()
	if got := b.shown(runControls); got != "" {
		b.fail("viewer on the run page sees %q, want none", got)
	}
}
