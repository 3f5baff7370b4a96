package web_test

import (
	"fmt"
	"regexp"
	"testing"
)

// TestInvoicePageListsCreditNotesAfterReload is the trial's finding 6: a
// credit note issued from the invoice page is listed there from the API
// (GET /v1/credit-notes?invoiceId=) with its number, date, amount, reason
// and a link to its PDF, and still is after a reload, not only in the
// banner shown right after issuing it; a voided note stays listed, marked
// void.
func TestInvoicePageListsCreditNotesAfterReload(t *testing.T) {
	t.Parallel()
	b := newBrowser(t, newSite(t))
	b.signup("Credit Page Care")
	cid := b.call(201, "POST", "/v1/clients", `{name: 'Cy Credit', contacts: [{name: 'Cy Credit', email: 'cy.credit@example.com'}]}`)["id"].(string)
	iid := b.finalizedInvoice(cid, "100.00")

	b.open("/app/invoices/" + iid)
	b.waitFor("the invoice", `!document.querySelector('[data-action="credit-note"]').hidden`)
	if !eval[bool](b, `document.querySelector('[data-credit-notes-card]').hidden`) {
		b.fail("an invoice with no credit notes shows a credit notes card")
	}
	b.click(`[data-action="credit-note"]`)
	b.waitFor("the credit dialog", `document.querySelector('[data-credit-dialog]').open`)
	b.fill("[data-credit-form] [name=amount]", "20.00")
	b.fill("[data-credit-form] [name=reason]", "Session started late")
	b.click("[data-credit-form] [type=submit]")
	b.waitFor("the banner", `document.querySelector('[data-credit-note-pdf]')`)

	b.open("/app/invoices/" + iid)
	b.waitFor("the credit note listed after a reload", `document.querySelectorAll('[data-credit-note]').length === 1`)
	row := b.text("[data-credit-note]")
	if !regexp.MustCompile(`^−\$20\.00Credit note CN-\d+\d{1,2} [A-Z][a-z]{2} \d{4}.* · Session started late$`).MatchString(row) {
		t.Fatalf("the credit note row reads %q", row)
	}
	href := eval[string](b, `document.querySelector('[data-credit-note] a').getAttribute('href')`)
	if !regexp.MustCompile(`^/v1/credit-notes/crn_[A-Za-z0-9]+/pdf$`).MatchString(href) {
		t.Fatalf("the credit note links %q, not its PDF", href)
	}
	got := eval[map[string]any](b, fmt.Sprintf(`fetch(%s, {credentials: 'same-origin'}).then(async (r) => ({status: r.status, type: r.headers.get('Content-Type'), head: (await r.text()).slice(0, 5)}))`, js(href)))
	if got["status"] != float64(200) || got["type"] != "application/pdf" || got["head"] != "%PDF-" {
		t.Fatalf("the credit note's PDF link answers %v", got)
	}

	// Voided (through the API), the note stays listed, stamped void.
	noteID := regexp.MustCompile(`crn_[A-Za-z0-9]+`).FindString(href)
	b.call(200, "POST", "/v1/credit-notes/"+noteID+"/void", `{reason: 'Issued in error'}`)
	b.open("/app/invoices/" + iid)
	b.waitFor("the voided note", `document.querySelector('[data-credit-note].reversed')`)
	if row := b.text("[data-credit-note]"); !regexp.MustCompile(`· Void: Issued in error$`).MatchString(row) {
		t.Fatalf("the voided credit note reads %q", row)
	}
}
