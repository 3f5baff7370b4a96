package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	notifierwire "github.com/carebill/carebill/internal/wire/notifier"
)

// TestCoordinatorDayInTheBrowser drives the local stack in Chromium as a
// coordinator's day goes: sign in, add a client from the client list,
// invoice them, send by email and text with the preview, see the email
// fail and resend it, follow the emailed link as the client, pay on the
// local test checkout and see Paid; then record a partial cash payment and
// an overpayment and see the balance and credit; search the activity and
// the invoices by the client's name. Screenshots at 1280 and 375 px.
func TestCoordinatorDayInTheBrowser(t *testing.T) {
	t.Parallel()
	f := newFullStack(t)
	ctx := context.Background()
	good := f.notifier.Handle
	// A notifier whose sender SES has not verified fails every email, and
	// with one receive allowed, fails it for good at once.
	env, err := f.s.env("NotifierFunction")
	if err != nil {
		t.Fatal(err)
	}
	bad, err := notifierwire.New(ctx, func(k string) string {
		switch k {
		case "SENDER_EMAIL":
			return "nobody-" + unique() + "@unverified.example"
		case "DELIVERY_MAX_RECEIVES":
			return "1"
		}
		return env(k)
	}, f.s.aws, f.s.log)
	if err != nil {
		t.Fatal(err)
	}
	deliver := func() {
		t.Helper()
		for {
			n, err := f.notifier.Once(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
		}
	}

	b := newBrowser(t, f.site.URL)
	b.open("/app/invoices")
	b.waitFor("the sign-in page", `location.pathname === '/app/login'`)
	b.fill("[name=email]", f.email)
	b.fill("[name=password]", "Correct-Horse-9")
	b.click("[type=submit]")
	b.waitFor("the invoices", `location.pathname === '/app/invoices'`)
	b.open("/app/clients")

	// A client with an email and a mobile, from the client list.
	surname := "Quoll" + unique()[:4]
	clientEmail := "kim-" + unique() + "@example.com"
	b.click("[data-add-client]")
	b.waitFor("the client dialog", `document.querySelector('[data-client-dialog]').open`)
	b.fill("[data-client-form] [name=name]", "Kim "+surname)
	b.fill("[data-contacts] [data-k=name]", "Kim "+surname)
	b.fill("[data-contacts] [data-k=email]", clientEmail)
	b.fill("[data-contacts] [data-k=phone]", "+61412345678")
	b.click("[data-client-form] [data-submit]")
	b.waitFor("the client page", `location.pathname.startsWith('/app/clients/cli_')`)
	clientID := strings.TrimPrefix(eval[string](b, `location.pathname`), "/app/clients/")

	// Editing without touching the billing contact keeps it.
	before := f.call("GET", "/v1/clients/"+clientID, nil)["billingContactId"]
	b.click("[data-edit]")
	b.waitFor("the edit dialog", `document.querySelector('[data-client-dialog]').open`)
	b.fill("[data-client-form] [name=paymentTermsDays]", "14")
	b.click("[data-client-form] [data-submit]")
	b.waitFor("the dialog to close", `!document.querySelector('[data-client-dialog]').open`)
	if got := f.call("GET", "/v1/clients/"+clientID, nil); got["billingContactId"] != before || got["paymentTermsDays"] != float64(14) {
		t.Errorf("after an edit: billing contact %v (was %v), terms %v", got["billingContactId"], before, got["paymentTermsDays"])
	}

	// Invoice them from their page and send it from the builder.
	b.click("[data-invoice]")
	b.waitFor("the builder", `!document.querySelector('[data-builder]').hidden`)
	b.click(`[data-add="fixed"]`)
	b.fill(".line:nth-child(1) [data-f=description]", "Support coordination, November")
	b.fill(".line:nth-child(1) [data-f=amount]", "300")
	b.waitText("[data-total]", "$330.00")
	b.click("[data-send-invoice]")
	b.waitFor("the send dialog", `document.querySelector('[data-send-dialog]').open`)
	b.waitText("[data-preview-to]", clientEmail)
	b.waitText("[data-send-preview]", "$330.00")
	b.click(`[data-channel="sms"]`)
	b.waitFor("the text preview", `document.querySelectorAll('.preview-message').length === 2`)
	b.waitText("[data-send-preview]", "+61412345678")
	b.shoot("send-dialog")
	f.notifier.Handle = bad.Handle
	b.click("[data-send-submit]")
	b.waitFor("the invoice page", `/^\/app\/invoices\/inv_[^/]+$/.test(location.pathname)`)
	invoicePath := eval[string](b, `location.pathname`)
	b.waitText("[data-toast]", "INV-00001 sent by email to "+clientEmail+" and text message to +61412345678")
	b.waitText("[data-status-chip]", "Open")
	b.waitText("[data-sent-at]", "Sent")

	// The email fails, the text goes; Resend beside the failed email.
	deliver()
	b.waitFor("the failed email", `document.querySelector('[data-delivery=email]')?.dataset.status === 'failed'`)
	b.waitFor("the sent text", `document.querySelector('[data-delivery=sms]')?.dataset.status === 'sent'`)
	if why := b.text("[data-delivery=email] [data-delivery-error]"); why == "" {
		t.Errorf("the failed email gives no reason")
	}
	b.shoot("invoice-failed-delivery")
	f.notifier.Handle = good
	b.click("[data-resend-delivery]")
	b.waitFor("the resend dialog", `document.querySelector('[data-send-dialog]').open && document.querySelector('[data-send-title]').textContent === 'Resend invoice'`)
	b.waitText("[data-preview-to]", clientEmail)
	if eval[bool](b, `document.querySelector('[data-channel=sms]').checked`) {
		t.Errorf("Resend beside the failed email also chose the text")
	}
	b.click("[data-send-submit]")
	b.waitFor("the resent email", `document.querySelectorAll('[data-delivery=email]').length === 2`)
	b.waitFor("the toast", fmt.Sprintf(`document.querySelector('[data-toast]').textContent === %s`, jsq("INV-00001 sent by email to "+clientEmail+".")))
	deliver()
	b.waitFor("the resent email", `document.querySelector('[data-delivery=email]')?.dataset.status === 'sent'`)

	// The client opens the emailed link and pays on the local checkout.
	b.open("/dev/outbox")
	link := eval[string](b, fmt.Sprintf(`[...document.querySelectorAll('article')].find((a) => a.textContent.includes(%s))?.querySelector('a[href*="/pay/"]')?.href ?? ''`, jsq(clientEmail)))
	if link == "" {
		b.fail("no emailed pay link to %s in the outbox", clientEmail)
	}
	b.open(link)
	b.click("[data-pay]")
	b.waitFor("the local checkout", `document.querySelector('[data-local-test-page]')`)
	b.waitText("[data-total]", "$330.00")
	b.shoot("local-checkout")
	b.click("form [data-decline]")
	b.waitFor("the decline", `document.querySelector('[data-declined]')`)
	b.click("form [data-pay]")
	b.waitFor("the pay page again", `location.search === '?checkout=success'`)
	b.waitText("[data-status]", "Paid")
	b.shoot("pay-page-paid")

	b.open(invoicePath)
	b.waitText("[data-status-chip]", "Paid")
	b.waitFor("the card payment's receipt", `document.querySelector('[data-invoice-payments] [data-receipt^="RCT-"]')`)

	// A second invoice, paid partly in cash, then overpaid.
	inv2 := f.call("POST", "/v1/invoices", map[string]any{"clientId": clientID, "name": "December",
		"lineItems": []any{map[string]any{"type": "fixed", "description": "Sessions", "amount": "200"}}})["id"].(string)
	f.call("POST", "/v1/invoices/"+inv2+"/finalize", map[string]any{})
	b.open("/app/clients/" + clientID)
	b.waitText("[data-owing]", "$220.00")
	b.click("[data-record-payment]")
	b.waitFor("the payment dialog", `document.querySelector('[data-payment-dialog]').open`)
	b.fill("[data-payment-form] [name=amount]", "$50")
	eval[bool](b, `(() => { const s = document.querySelector('[data-payment-form] [name=method]'); s.value = 'cash'; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)
	b.waitText("[data-preview-allocations]", "$50.00 to INV-00002")
	b.waitText("[data-preview-credit]", "$0.00")
	b.click("[data-payment-submit]")
	b.waitText("[data-toast]", "Payment recorded: receipt RCT-")
	b.waitText("[data-owing]", "$170.00")
	b.click("[data-record-payment]")
	b.waitFor("the payment dialog", `document.querySelector('[data-payment-dialog]').open`)
	b.fill("[data-payment-form] [name=amount]", "1,000.00")
	b.waitText("[data-preview-allocations]", "$170.00 to INV-00002")
	b.waitText("[data-preview-credit]", "Kept as client credit: $830.00")
	b.shoot("record-payment")
	b.click("[data-payment-submit]")
	b.waitText("[data-credit]", "$830.00")
	b.waitText("[data-owing]", "$0.00")
	b.waitFor("three receipts", `document.querySelectorAll('[data-payments] [data-receipt]').length === 3`)
	b.shoot("client-payments")

	// The activity feed and the invoice list find the client by name.
	b.open("/app/activity")
	b.fill("[data-activity-search]", surname)
	b.waitFor("the client's events", fmt.Sprintf(`[...document.querySelectorAll('[data-activity] li')].length >= 5 && [...document.querySelectorAll('[data-activity] li')].every((li) => li.textContent.includes(%s))`, jsq(surname)))
	b.fill("[data-activity-search]", "INV-00002")
	b.waitFor("the invoice's events", `[...document.querySelectorAll('[data-activity] li')].length >= 2 && [...document.querySelectorAll('[data-activity] li')].every((li) => li.textContent.includes('INV-00002'))`)
	if !regexp.MustCompile(`q=INV-00002$`).MatchString(eval[string](b, `location.search`)) {
		t.Errorf("the search is not kept in the address: %s", eval[string](b, `location.search`))
	}
	b.shoot("activity")
	b.open("/app/invoices")
	b.fill("[data-search]", strings.ToLower(surname))
	b.waitFor("both invoices", `document.querySelectorAll('[data-rows] tr').length === 2`)
	b.shoot("invoices")
	b.open(invoicePath)
	b.waitText("[data-status-chip]", "Paid")
	b.shoot("invoice-paid")
}
