package portal_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/carebill/carebill/internal/browsertest"
	"github.com/carebill/carebill/internal/testenv"
)

// phone is the viewport the browser test reads pages at (an iPhone 14's CSS pixels).
const phoneWidth, phoneHeight = 390, 844

// TestPhoneBrowser opens a pay link in headless Chromium at a phone's
// size, then signs in to the portal through the form and the emailed
// link, as a client on their phone would. The pages must render with the
// org's colour and logo, fit the screen, raise no console error (a CSP
// violation is one), and show the right balance. Screenshots go to
// $CAREBILL_SCREENSHOTS when set.
func TestPhoneBrowser(t *testing.T) {
	testenv.Require(t, "chromium")
	t.Parallel()
	s := newSite(t)
	logo := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		fmt.Fprint(w, `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" rx="12" fill="#ffffff"/><circle cx="32" cy="32" r="18" fill="#0B7A75"/></svg>`)
	}))
	t.Cleanup(logo.Close)

	co := s.signup("Harbour Therapy")
	co.must(200, "PATCH", "/v1/org", map[string]any{
		"legalName": "Harbour Therapy Pty Ltd", "taxId": "51 824 753 556", "email": "accounts@harbour.example", "phone": "+61290000000",
		"branding": map[string]any{"colour": "#0B7A75", "logoUrl": logo.URL + "/logo.svg"},
	})
	email := unique("zoe") + "@example.com"
	zoe := co.client("Zoë Müller-Ng", email)
	iid, number := co.finalized(zoe, "Client Invoice – November")
	co.must(201, "POST", "/v1/payments", map[string]any{"clientId": zoe, "amount": "1000.00", "date": "2026-11-20", "method": "bank_transfer"})
	link := co.payLink(iid, false)
	stm := s.issueStatement(co.orgID, zoe)

	b := newBrowser(t)
	b.open(link)
	b.waitFor("the balance", `document.querySelector('[data-balance]')`)
	if got := b.text("[data-balance]"); got != "$1,260.50" {
		t.Fatalf("balance reads %q, want $1,260.50", got)
	}
	if got := b.text("[data-number]"); got != number {
		t.Fatalf("number reads %q", got)
	}
	b.checkLayout("pay page")
	b.waitFor("the logo", `document.querySelector('.logo')?.complete && document.querySelector('.logo').naturalWidth > 0`)
	if bg := eval[string](b, `getComputedStyle(document.querySelector('.masthead')).backgroundColor`); bg != "rgb(11, 122, 117)" {
		t.Errorf("masthead is %s, not the org's colour", bg)
	}
	if bg := eval[string](b, `getComputedStyle(document.querySelector('[data-pay]')).backgroundColor`); bg != "rgb(11, 122, 117)" {
		t.Errorf("pay button is %s, not the org's colour", bg)
	}
	b.screenshot("pay-phone")

	// The portal, through its form and the emailed link.
	b.open(link[:strings.Index(link, "/pay/")] + "/portal/" + co.orgID)
	b.waitFor("the sign-in form", `document.querySelector('#email')`)
	b.do("type the email", chromedp.SendKeys(chromedp.CSS("#email"), email))
	b.do("submit", chromedp.Click(chromedp.CSS("button[type=submit]")))
	b.waitFor("the check-your-email page", `document.querySelector('[data-check-email]')`)
	s.deliver()
	mails := mailsTo(t, email)
	if len(mails) != 1 {
		t.Fatalf("%d sign-in emails", len(mails))
	}
	b.open(linkRE.FindString(mails[0]))
	b.waitFor("the invoice list", `document.querySelector('[data-owing]')`)
	if got := b.text("[data-owing]"); got != "Balance due: $1,260.50" {
		t.Fatalf("owing reads %q", got)
	}
	if c := eval[string](b, `document.cookie`); strings.Contains(c, "carebill_portal") {
		t.Fatalf("the session cookie is readable by scripts: %q", c)
	}
	b.checkLayout("invoice list")
	b.screenshot("portal-phone")

	// The client's statements, and Pay all: one payment of everything open.
	if href := eval[string](b, `document.querySelector('[data-statement-pdf]')?.getAttribute('href') || ''`); href != "/portal/"+co.orgID+"/statements/"+stm+"/pdf" {
		t.Fatalf("statement PDF link %q", href)
	}
	list := eval[string](b, `location.href`)
	b.do("pay all", chromedp.Click(chromedp.CSS("[data-pay-all]")))
	b.waitFor("the pay-all page", `document.querySelector('[data-total]')`)
	if got := b.text("[data-total]"); got != "$1,260.50" {
		t.Fatalf("pay-all total reads %q, want $1,260.50", got)
	}
	if got := b.text("[data-pay-all]"); got != "Pay $1,260.50 now" {
		t.Fatalf("pay-all button reads %q", got)
	}
	b.checkLayout("pay-all page")
	b.screenshot("pay-all-phone")
	b.open(list)
	b.waitFor("the invoice list again", `document.querySelector('[data-logout]')`)
	b.do("sign out", chromedp.Click(chromedp.CSS("[data-logout]")))
	b.waitFor("the signed-out page", `location.search === '?signedout' && document.querySelector('#email')`)
}

// browser is one headless Chromium tab of the shared kit
// (internal/browsertest) emulating a phone. Uncaught exceptions and
// console errors (a CSP violation is one) fail the test.
type browser struct {
	*browsertest.Browser
	t *testing.T
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	kit := browsertest.New(t, browsertest.Options{Width: phoneWidth, Height: phoneHeight, Phone: true,
		IgnoreCertErrors: true, // the test's logo server has a self-signed certificate
		Timeout:          2 * time.Minute})
	return &browser{Browser: kit, t: t}
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.Do(what, steps...)
}

func (b *browser) open(url string) { b.t.Helper(); b.Open(url) }

// eval runs a JavaScript expression in the page and decodes its value.
func eval[T any](b *browser, js string) T { b.t.Helper(); return browsertest.Eval[T](b.Browser, js) }

// waitFor polls a JavaScript condition until it holds, across page loads.
func (b *browser) waitFor(what, js string) { b.t.Helper(); b.WaitFor(what, js) }

// text is an element's text with its whitespace collapsed.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(document.querySelector(%s)?.textContent ?? '').replace(/\s+/g, ' ').trim()`, browsertest.JS(sel)))
}

// checkLayout fails when the page is wider than the phone (sideways
// scrolling) or its stylesheet did not apply.
func (b *browser) checkLayout(what string) {
	b.t.Helper()
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > phoneWidth {
		b.fail("%s is %dpx wide on a %dpx screen", what, w, phoneWidth)
	}
	if m := eval[string](b, `getComputedStyle(document.querySelector('main')).maxWidth`); m == "none" {
		b.fail("%s: the stylesheet did not apply", what)
	}
}

// screenshot saves the whole page as PNG in $CAREBILL_SCREENSHOTS, else
// in the test's temp dir.
func (b *browser) screenshot(name string) { b.t.Helper(); b.Screenshot(name, 0, 0) }

func (b *browser) fail(format string, args ...any) { b.t.Helper(); b.Fail(format, args...) }
