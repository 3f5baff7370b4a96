package web_test

import (
	"fmt"
	"strings"
	"testing"
)

// call sends one API request from the signed-in page, as the UI's api.js
// would (the session cookie alone), and returns the decoded JSON; a
// status other than want fails the test.
func (b *browser) call(want int, method, path string, body string) map[string]any {
	b.t.Helper()
	if body == "" {
		body = "undefined"
	}
	res := eval[map[string]any](b, fmt.Sprintf(`(async () => {
		const body = %s;
		const res = await fetch(%s, {method: %s, credentials: 'same-origin',
			headers: {'Content-Type': 'application/json'},
			body: body === undefined ? undefined : JSON.stringify(body)});
		const text = await res.text();
		return {status: res.status, body: text ? JSON.parse(text) : null};
	})()`, body, js(path), js(method)))
	if got := int(res["status"].(float64)); got != want {
		b.fail("%s %s: status %d, want %d: %v", method, path, got, want, res["body"])
	}
	out, _ := res["body"].(map[string]any)
	return out
}

// finalizedInvoice makes and finalizes an invoice of one fixed untaxed line.
func (b *browser) finalizedInvoice(clientID, amount string) string {
	b.t.Helper()
	iid := b.call(201, "POST", "/v1/invoices", fmt.Sprintf(`{clientId: %s, name: 'Support', lineItems: [{type: 'fixed', description: 'Support coordination', amount: %s, taxRate: '0'}]}`, js(clientID), js(amount)))["id"].(string)
	b.call(200, "POST", "/v1/invoices/"+iid+"/finalize", "")
	return iid
}

// visible lists which of the invoice page's actions are showing.
func (b *browser) visibleActions() string {
	b.t.Helper()
	return eval[string](b, `[...document.querySelectorAll('[data-action]')].filter(el => !el.hidden).map(el => el.dataset.action).join(' ')`)
}

// TestReverseRefundAndLedger drives the money-undoing half of issue 9 in
// Chromium: the invoice page offers exactly the API's availableActions; an
// overpayment's credit pays a second invoice, so reversing it is refused
// with the API's credit_spent message in the dialog; un-applying that
// credit, refunding part of the payment from the client page and
// reversing it from the invoice page each refresh the balances; the
// client's ledger shows every entry with its running balance, oldest first,
// paged with "Show more".
func TestReverseRefundAndLedger(t *testing.T) {
	t.Parallel()
	base := newSite(t)
	b := newBrowser(t, base)
	b.signup("Undo Care")
	cid := b.call(201, "POST", "/v1/clients", `{name: 'Jo Undo', contacts: [{name: 'Jo Undo', email: 'jo.undo@example.com'}]}`)["id"].(string)

	// A draft offers what a draft allows; the finalized, unsent invoice
	// what the API says, with "Send" for its first sending.
	draft := b.call(201, "POST", "/v1/invoices", fmt.Sprintf(`{clientId: %s, name: 'Support', lineItems: [{type: 'fixed', description: 'Support coordination', amount: '100.00', taxRate: '0'}]}`, js(cid)))["id"].(string)
	b.open("/app/invoices/" + draft)
	b.waitText("[data-title]", "Draft invoice")
	if got := b.visibleActions(); got != "edit delete send finalize" {
		t.Fatalf("draft actions: %q", got)
	}
	b.call(200, "POST", "/v1/invoices/"+draft+"/finalize", "")
	first := draft
	b.open("/app/invoices/" + first)
	b.waitText("[data-title]", "INV-00001")
	if got := b.visibleActions(); got != "send record-payment credit-note paylink pdf lock void" {
		t.Fatalf("open invoice actions: %q", got)
	}

	// $150 against a $100 invoice: $50 credit, which the next $40 invoice
	// takes when it is finalized.
	pay := b.call(201, "POST", "/v1/payments", fmt.Sprintf(`{clientId: %s, amount: '150.00', method: 'cash', reference: 'counter'}`, js(cid)))
	pid := pay["id"].(string)
	if pay["left"] != "150.00" {
		t.Fatalf("payment left %v", pay["left"])
	}
	second := b.finalizedInvoice(cid, "40.00")

	// Paid in full (and never sent), the first invoice can no longer be
	// voided or take payments; its payment
	// offers Refund and Reverse. Reversing would take credit the client has
	// spent: the dialog says so in the API's words and nothing changes.
	b.open("/app/invoices/" + first)
	b.waitFor("the payment on the invoice", `document.querySelector('[data-invoice-payments] [data-reverse-payment]')`)
	if got := b.visibleActions(); got != "send credit-note pdf lock" {
		t.Fatalf("paid invoice actions: %q", got)
	}
	b.click("[data-invoice-payments] [data-reverse-payment]")
	b.waitFor("the reverse dialog", `document.querySelector('[data-undo-dialog]').open`)
	b.waitText("[data-undo-title]", "Reverse receipt "+pay["receiptNumber"].(string))
	b.fill("[data-undo-form] [name=reason]", "Entered twice")
	b.click("[data-undo-submit]")
	b.waitFor("the credit_spent refusal", `/used the credit this payment left/.test(document.querySelector('[data-undo-form] [data-form-alert]').textContent)`)
	if !eval[bool](b, `document.querySelector('[data-undo-dialog]').open`) {
		t.Fatal("the dialog closed on a refusal")
	}
	b.click("[data-undo-form] [data-cancel]")
	b.waitText("[data-balance] dd", "$0.00")

	// Un-apply the credit on the second invoice: it owes $40 again.
	b.open("/app/invoices/" + second)
	b.waitFor("Un-apply credit", `!document.querySelector('[data-action="unapply-credit"]').hidden`)
	b.click(`[data-action="unapply-credit"]`)
	b.waitFor("the confirm dialog", `document.querySelector('[data-confirm-dialog]').open`)
	b.click("[data-confirm-ok]")
	b.waitText("[data-toast]", "Credit un-applied: it is back with the client.")
	b.waitText("[data-balance] dd", "$40.00")
	b.waitFor("Un-apply credit gone", `document.querySelector('[data-action="unapply-credit"]').hidden`)

	// The payment dialog's hint says what is wrong with an amount, in the
	// API's words (it used to say only "Enter an amount").
	b.click(`[data-action="record-payment"]`)
	b.waitFor("the payment dialog", `document.querySelector('[data-payment-dialog]').open`)
	for amount, want := range map[string]string{
		"abc":    `Check the amount: "abc" is not a plain decimal number.`,
		"12.345": `Check the amount: it has more decimal places than AUD allows.`,
	} {
		b.fill("[data-payment-form] [name=amount]", amount)
		b.waitText("[data-payment-preview] [data-preview-problem]", want)
	}
	b.click("[data-payment-form] [data-cancel]")

	// Refund $20 from the client page: it comes out of the $50 credit.
	b.open("/app/clients/" + cid)
	b.waitFor("the payment row's Refund", `document.querySelector('[data-payments] [data-refund-payment]')`)
	b.waitText("[data-credit]", "$50.00")
	b.click("[data-payments] [data-refund-payment]")
	b.waitFor("the refund dialog", `document.querySelector('[data-undo-dialog]').open`)
	if got := eval[string](b, `document.querySelector('[data-undo-form] [name=amount]').value`); got != "150.00" {
		t.Fatalf("refund prefilled with %q, want what is left", got)
	}
	b.fill("[data-undo-form] [name=amount]", "$200")
	b.fill("[data-undo-form] [name=reason]", "Overpaid at the counter")
	b.click("[data-undo-submit]")
	b.waitFor("the over-refund refusal", `document.querySelector('[data-undo-form] [data-form-alert]:not([hidden]), [data-undo-form] .field-error')`)
	b.fill("[data-undo-form] [name=amount]", "$20")
	b.click("[data-undo-submit]")
	b.waitText("[data-toast]", "Refunded: receipt "+pay["receiptNumber"].(string)+" now has $130.00 left.")
	b.waitText("[data-credit]", "$30.00")
	b.waitText(`[data-payments] [data-payment-state="refunded"]`, "Refunded $20.00")

	// Reverse it from the first invoice's page: the invoice owes $100
	// again, the rest of the credit is gone, and the payment stays on the
	// card stamped Reversed, with nothing left to undo (from a new user's
	// trial: it used to vanish from the invoice while the client page kept it).
	b.open("/app/invoices/" + first)
	b.waitFor("the payment on the invoice", `document.querySelector('[data-invoice-payments] [data-reverse-payment]')`)
	b.click("[data-invoice-payments] [data-reverse-payment]")
	b.waitFor("the reverse dialog", `document.querySelector('[data-undo-dialog]').open`)
	b.fill("[data-undo-form] [name=reason]", "Entered twice")
	b.click("[data-undo-submit]")
	b.waitText("[data-toast]", "Receipt "+pay["receiptNumber"].(string)+" reversed.")
	b.waitText("[data-balance] dd", "$100.00")
	b.waitText(`[data-invoice-payments] [data-payment="`+pid+`"] [data-payment-state="reversed"]`, "Reversed")
	if eval[bool](b, `document.querySelector('[data-payments-card]').hidden`) {
		t.Fatal("the payments card hid the reversed payment")
	}
	if got := eval[string](b, `document.querySelector('[data-invoice-payments] [data-payment] .strong').textContent`); got != "$100.00" {
		t.Fatalf("the reversed payment shows %q on the invoice, want the $100.00 it had paid", got)
	}
	if eval[bool](b, `!!document.querySelector('[data-invoice-payments] [data-reverse-payment], [data-invoice-payments] [data-refund-payment]')`) {
		t.Fatal("a reversed payment still offers Reverse or Refund")
	}
	if got := b.visibleActions(); got != "send record-payment credit-note paylink pdf lock void" {
		t.Fatalf("reopened invoice actions: %q", got)
	}
	if got := b.call(200, "GET", "/v1/payments/"+pid, ""); got["reversed"] != true || got["left"] != "0.00" {
		t.Fatalf("payment after reversal: %v", got)
	}

	// The ledger, oldest first: each entry with the balance after it.
	b.open("/app/clients/" + cid)
	b.waitFor("the ledger", `document.querySelectorAll('[data-ledger] [data-ledger-entry]').length === 7`)
	rows := func() string {
		return eval[string](b, `[...document.querySelectorAll('[data-ledger] tr')].map(tr => (tr.dataset.ledgerEntry || 'opening') + ' ' + [...tr.cells].slice(2).map(td => td.textContent.trim()).join(' ')).join('\n')`)
	}
	want := strings.Join([]string{
		"opening  $0.00",
		"invoice_finalized $100.00 $100.00",
		"payment_received -$150.00 $50.00 credit",
		"invoice_finalized $40.00 $10.00 credit",
		"credit_applied $0.00 $10.00 credit",
		"credit_returned $0.00 $10.00 credit",
		"payment_refunded $20.00 $10.00",
		"payment_reversed $130.00 $140.00",
	}, "\n")
	if got := rows(); got != want {
		t.Fatalf("ledger rows:\n%s\nwant:\n%s", got, want)
	}
	b.waitText("[data-ledger-closing]", "Balance now: $140.00")
	b.waitFor("the reversal in the activity", `[...document.querySelectorAll('[data-activity] li')].some(li => li.textContent.startsWith('Payment on invoice INV-00001 reversed: receipt RCT-00001 for $150.00, entered in error'))`)
	if !eval[bool](b, `document.querySelector('[data-ledger-more]').hidden`) {
		t.Fatal("Show more offered on a short ledger")
	}
	b.screenshot("client-ledger-1280", 1280, 900)
	b.screenshot("client-ledger-375", 375, 800)

	// Past a page (20 entries): "Show more" brings the rest, and the last
	// running balance is the closing balance.
	for i := 0; i < 14; i++ {
		b.call(201, "POST", "/v1/payments", fmt.Sprintf(`{clientId: %s, amount: '1.00', method: 'cash'}`, js(cid)))
	}
	b.open("/app/clients/" + cid)
	b.waitFor("a full first page", `document.querySelectorAll('[data-ledger] [data-ledger-entry]').length === 20 && !document.querySelector('[data-ledger-more]').hidden`)
	b.click("[data-ledger-more]")
	b.waitFor("the rest", `document.querySelectorAll('[data-ledger] [data-ledger-entry]').length === 21 && document.querySelector('[data-ledger-more]').hidden`)
	b.waitText("[data-ledger-closing]", "Balance now: $126.00")
	if got := b.text("[data-ledger] tr:last-child [data-ledger-balance]"); got != "$126.00" {
		t.Fatalf("last running balance %q", got)
	}
}
