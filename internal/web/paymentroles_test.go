package web_test

import (
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"
)

// shown lists which of the controls sels (CSS selectors, keyed by a
// name) the page shows (laid out: not hidden, not display:none), as
// "name name ...", in the order given.
func (b *browser) shown(sels [][2]string) string {
	b.t.Helper()
	sj, err := json.Marshal(sels)
	if err != nil {
		b.t.Fatal(err)
	}
	js := `(() => { const out = []; for (const [name, sel] of ` + string(sj) + `) {
	  if ([...document.querySelectorAll(sel)].some((el) => el.getClientRects().length > 0)) out.push(name); }
	  return out.join(' '); })()`
	return eval[string](b, js)
}

// TestTrial5PagesHideWhatTheRoleMayNotDo is new-user trial 5 item 6 in
// Chromium at 375 px: an invited coordinator sees Email receipt but no
// Refund or Reverse on a payment (client page and invoice page); an
// invited viewer sees none of Edit, Record payment, Invoice, Set initial
// balance, Email receipt, Refund, Reverse, nor Log task or Preview run; an
// admin sees them all. The pages follow GET /v1/me and the payment's
// availableActions.
func TestTrial5PagesHideWhatTheRoleMayNotDo(t *testing.T) {
	t.Parallel()
	base, st := newSiteOn(t)
	b := newBrowser(t, base)
	b.signup("Hidden Care")
	cid := b.call(201, "POST", "/v1/clients", `{name: 'Ava Hide', contacts: [{name: 'Ava Hide', email: 'ava.hide@example.com'}]}`)["id"].(string)
	iid := b.finalizedInvoice(cid, "80.00")
	b.call(201, "POST", "/v1/payments", `{clientId: `+js(cid)+`, amount: '30.00', date: '2026-11-26', method: 'cash'}`)
	coordinator, viewer := b.invite(st, "coordinator"), b.invite(st, "viewer")
	b.Do("phone width", chromedp.EmulateViewport(375, 800))

	clientControls := [][2]string{
		{"edit", "[data-edit]"}, {"record-payment", "[data-record-payment]"}, {"invoice", "[data-invoice]"},
		{"initial-balance", "[data-initial-form] [data-submit]"},
		{"email-receipt", "[data-email-receipt]"}, {"refund", "[data-refund-payment]"}, {"reverse", "[data-reverse-payment]"},
	}
	paymentControls := clientControls[4:]
	ready := func() {
		t.Helper()
		b.waitFor("the role", `document.documentElement.dataset.may !== undefined`)
	}
	check := func(who string, client, invoice, tasks, runs string) {
		t.Helper()
		b.open("/app/tasks")
		ready()
		// The log form waits for a participant to be chosen: what counts
		// is that the role's rule does not take it away.
		if got := eval[string](b, `getComputedStyle(document.querySelector('[aria-labelledby=log-title]')).display === 'none' ? '' : 'log-task'`); got != tasks {
			b.fail("%s on the tasks page sees %q, want %q", who, got, tasks)
		}
		b.open("/app/runs")
		ready()
		if got := b.shown([][2]string{{"preview-run", "[data-preview]"}}); got != runs {
			b.fail("%s on the runs page sees %q, want %q", who, got, runs)
		}
		b.open("/app/clients/" + cid)
		ready()
		b.waitFor("the payment", `!!document.querySelector('[data-receipt]')`)
		b.waitFor("the initial balance loaded", `!document.querySelector('[data-initial-form]').hidden`)
		if got := b.shown(clientControls); got != client {
			b.fail("%s on the client page sees %q, want %q", who, got, client)
		}
		b.open("/app/invoices/" + iid)
		ready()
		b.waitFor("the payment", `!!document.querySelector('.undo-controls')`)
		if got := b.shown(paymentControls); got != invoice {
			b.fail("%s on the invoice's payments sees %q, want %q", who, got, invoice)
		}
	}
	check("admin", "edit record-payment invoice initial-balance email-receipt refund reverse", "email-receipt refund reverse", "log-task", "preview-run")
	b.signInInvited(coordinator)
	check("coordinator", "edit record-payment invoice initial-balance email-receipt", "email-receipt", "log-task", "preview-run")
	b.signInInvited(viewer)
	check("viewer", "", "", "", "")
}
