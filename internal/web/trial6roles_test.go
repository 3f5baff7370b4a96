package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/chromedp/chromedp"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/cycle"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/teststack"
)

// closeThisCycle marks the cycle issueStatement claimed (this month so
// far) closed, as the close that wrote its statements would, so that the
// cycles page offers it Regenerate.
func closeThisCycle(t *testing.T, st *teststack.Stack, orgID string) {
	t.Helper()
	ctx := context.Background()
	store, err := dynamo.New(dynamodb.NewFromConfig(st.AWS), st.Env(t, "InvoicingFunction")("TABLE_NAME"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := store.GetOrg(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	today := o.Today(time.Now())
	per := cycle.Period{Start: calendar.Of(today.Year(), today.Month(), 1), End: today}
	if err := store.FinishCycle(ctx, orgID, per, "test", time.Now()); err != nil {
		t.Fatalf("close the cycle: %v", err)
	}
}

// TestInvitedMemberChoosesTheirPasswordOnTheLoginPage is new-user trial
// 6 item 1 in Chromium: an invited member signing in with the temporary
// password is asked to choose their own (POST /auth/login answered 409
// new_password_required), a too-short one is refused under its field,
// and a good one signs them in and into the app; the temporary password
// no longer works and their own does.
func TestInvitedMemberChoosesTheirPasswordOnTheLoginPage(t *testing.T) {
	t.Parallel()
	base, st := newSiteOn(t)
	b := newBrowser(t, base)
	b.signup("Password Care")
	member := b.invite(st, "coordinator")
	b.call(204, "POST", "/auth/logout", "")

	b.open("/app/login?next=%2Fapp%2Fclients")
	if !eval[bool](b, `document.querySelector('[data-new-password]').hidden`) {
		b.fail("the login page asks for a new password before any sign-in")
	}
	b.fill("[name=email]", member)
	b.fill("[name=password]", "Temporary-Pass-1")
	b.click("[data-login-form] [data-submit]")
	b.waitFor("the choose-your-password step", `!document.querySelector('[data-new-password]').hidden`)
	b.waitFor("the password rules", `document.querySelector('[data-new-password]').textContent.includes('Choose your password')
		&& document.querySelector('[data-new-password]').textContent.includes('At least 10 characters')`)
	if p := b.path(); p != "/app/login?next=%2Fapp%2Fclients" {
		b.fail("the 409 left the login page for %q", p)
	}

	b.fill("[name=newPassword]", "short")
	b.click("[data-login-form] [data-submit]")
	b.waitFor("the new password's error", `(document.querySelector('[name=newPassword]').closest('.field').querySelector('.field-error')?.textContent ?? '').includes('at least 10 characters')`)
	if p := b.path(); p != "/app/login?next=%2Fapp%2Fclients" {
		b.fail("a too-short password signed in, at %q", p)
	}

	b.fill("[name=newPassword]", "Member-Own-Pass-9")
	b.click("[data-login-form] [data-submit]")
	b.waitFor("the page that asked for the sign-in", `location.pathname === '/app/clients'`)
	if got := b.call(200, "GET", "/v1/me", "")["role"]; got != "coordinator" {
		b.fail("signed in as role %v, want the invited coordinator", got)
	}

	b.call(204, "POST", "/auth/logout", "")
	b.call(401, "POST", "/auth/login", fmt.Sprintf(`{email: %s, password: 'Temporary-Pass-1'}`, js(member)))
	b.call(200, "POST", "/auth/login", fmt.Sprintf(`{email: %s, password: 'Member-Own-Pass-9'}`, js(member)))
}

// TestTrial6PagesHideWhatTheRoleMayNotDo is new-user trial 6 items 2 and
// 3 in Chromium at 375 px: an invited viewer sees no Edit or Delete on a
// task, no Add charge, no Send… on a statement, no Regenerate or Close
// now on a cycle; an invited coordinator sees Edit, Delete, Add charge
// and Send… but none of the admins' Delete and reopen the cycle,
// Regenerate, Download CSV or Save settings (the exports page says only
// an admin can download instead); the admin sees them all. The pages
// follow GET /v1/me (can.js, data-needs).
func TestTrial6PagesHideWhatTheRoleMayNotDo(t *testing.T) {
	t.Parallel()
	base, st := newSiteOn(t)
	b := newBrowser(t, base)
	b.signup("Trial Six Care")
	orgID := b.call(200, "GET", "/v1/org", "")["id"].(string)
	cid := b.call(201, "POST", "/v1/clients", `{name: 'Ivy Role', contacts: [{name: 'Ivy Role', email: 'ivy@example.com'}],
		funding: {type: 'self_managed', ndisNumber: '431234567'}}`)["id"].(string)
	b.call(200, "PUT", "/v1/clients/"+cid+"/ndis-plan", `{start: '2026-07-01', end: '2027-06-30', remoteness: 'national', budgets: {'07': '5000.00'}}`)
	b.call(201, "POST", "/v1/tasks", `{clientId: `+js(cid)+`, supportItem: '07_002_0106_8_3', date: '2026-11-04', durationMinutes: 60, rate: '100.14'}`)
	b.finalizedInvoice(cid, "80.00")
	sid := issueStatement(t, st, orgID, cid)
	closeThisCycle(t, st, orgID)
	coordinator, viewer := b.invite(st, "coordinator"), b.invite(st, "viewer")
	b.Do("phone width", chromedp.EmulateViewport(375, 800))

	ready := func() {
		t.Helper()
		b.waitFor("the role", `document.documentElement.dataset.may !== undefined`)
	}
	type page struct {
		path, loaded string // the page, and a script true once it shows its records
		controls     [][2]string
	}
	pages := []page{
		{"/app/tasks?client=" + cid, `!!document.querySelector('[data-task-action]')`,
			[][2]string{{"task-edit", `[data-task-action="Edit"]`}, {"task-delete", `[data-task-action="Delete"]`}}},
		{"/app/clients/" + cid, `!!document.querySelector('[data-charges-empty]') && document.querySelector('[data-charges-empty]').textContent !== 'Loading…'`,
			[][2]string{{"add-charge", "[data-charge-add] summary"}}},
		{"/app/statements/" + sid, `!document.querySelector('[data-statement-delete]').hidden`,
			[][2]string{{"statement-send", "[data-statement-send]"}, {"statement-delete", "[data-statement-delete]"}}},
		{"/app/cycles", `!!document.querySelector('[data-cycles] tr [data-needs]')`,
			[][2]string{{"cycle-action", "[data-cycles] button[data-needs]"}}},
		{"/app/exports", `document.documentElement.dataset.may.split(' ').includes('export') === document.querySelector('[data-export-admins]').hidden`, [][2]string{{"export-download", "[data-download]"}, {"admins-only", "[data-export-admins]"}}},
		{"/app/settings", `!document.querySelector('[data-settings-form] [data-submit]').disabled`,
			[][2]string{{"save-settings", "[data-settings-form] [data-submit]"}}},
	}
	check := func(who, want string) {
		t.Helper()
		got := ""
		for _, p := range pages {
			b.open(p.path)
			ready()
			b.waitFor(p.path+" loaded", p.loaded)
			if s := b.shown(p.controls); s != "" {
				got += " " + s
			}
		}
		if got != want {
			b.fail("%s sees%q, want%q", who, got, want)
		}
	}

	check("admin", " task-edit task-delete add-charge statement-send statement-delete cycle-action export-download save-settings")
	b.signInInvited(coordinator)
	check("coordinator", " task-edit task-delete add-charge statement-send admins-only")
	b.signInInvited(viewer)
	check("viewer", " admins-only")
}
