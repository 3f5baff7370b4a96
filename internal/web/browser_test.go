package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/carebill/carebill/internal/browsertest"
	"github.com/carebill/carebill/internal/openapitest"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/teststack"
	invoicingwire "github.com/carebill/carebill/internal/wire/invoicing"
	webwire "github.com/carebill/carebill/internal/wire/web"
)

var moto *testenv.Moto

func TestMain(m *testing.M) { testenv.MainWithMoto(m, &moto) }

// newSite serves the coordinator's site (siteHandler) over a fresh copy of
// the stack in moto, on 127.0.0.1.
func newSite(t *testing.T) string {
	t.Helper()
	url, _ := newSiteOn(t)
	return url
}

// newSiteOn is newSite, with the stack it runs on.
func newSiteOn(t *testing.T) (string, *teststack.Stack) {
	t.Helper()
	st := teststack.New(t, moto)
	srv := st.Site(t)
	srv.Config.Handler = openapitest.Validate(t, siteHandler(t, st)) // what the pages send and get back matches the API's document
	srv.Start()
	return srv.URL, st
}

// siteHandler routes as template.yaml does: the PDF routes to
// functions/documents, /auth/ and /v1/ to functions/invoicing (the API),
// every other path to functions/web (the pages and static files), each
// built as its main builds it.
func siteHandler(t *testing.T, st *teststack.Stack) http.Handler {
	t.Helper()
	ctx, quiet := context.Background(), slog.New(slog.DiscardHandler)
	api, err := invoicingwire.New(ctx, st.Env(t, "InvoicingFunction"), st.AWSFor("InvoicingFunction"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	ui, err := webwire.New(ctx, st.Env(t, "WebFunction"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/auth/", api)
	mux.Handle("/v1/", api)
	mux.Handle("/", ui)
	return withDocuments(t, st, mux)
}

// browser is one headless Chromium tab of the shared kit
// (internal/browsertest), 1280×900. Uncaught exceptions and console errors
// fail the test (a CSP violation is one); failed network requests do not,
// since the journey provokes API errors. The methods below are the kit's,
// under the names these tests use (b.Do and b.Settle are the kit's own).
type browser struct {
	*browsertest.Browser
	t *testing.T
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	return &browser{Browser: browsertest.New(t, browsertest.Options{Base: base}), t: t}
}

func (b *browser) open(path string) { b.t.Helper(); b.Open(path) }

// eval runs a JavaScript expression and decodes its value into T.
func eval[T any](b *browser, js string) T { b.t.Helper(); return browsertest.Eval[T](b.Browser, js) }

// waitFor polls a JavaScript condition until it holds, across page loads.
func (b *browser) waitFor(what, js string) { b.t.Helper(); b.WaitFor(what, js) }

// text is an element's trimmed textContent, "" when it is missing.
func (b *browser) text(sel string) string { b.t.Helper(); return b.Text(sel) }

// waitText waits until the element's trimmed text is want.
func (b *browser) waitText(sel, want string) { b.t.Helper(); b.WaitText(sel, want) }

// click presses sel once no API call is in flight and it stands still.
func (b *browser) click(sel string) { b.t.Helper(); b.Click(sel) }

// fill replaces a text field's content by typing, as a person would.
func (b *browser) fill(sel, value string) { b.t.Helper(); b.Fill(sel, value) }

// set gives a date input or a select its value and fires its events.
func (b *browser) set(sel, value string) { b.t.Helper(); b.Set(sel, value) }

func (b *browser) path() string { b.t.Helper(); return b.Path() }

// screenshot saves the whole page at the given viewport width as PNG, in
// $CAREBILL_SCREENSHOTS when set (to look at), else in the test's temp dir.
func (b *browser) screenshot(name string, width, height int64) string {
	b.t.Helper()
	shot := b.Screenshot(name, width, height)
	// Nothing may push the page sideways at this width (a new-user trial
	// found "Sign out" 34 px past the edge at 1280 once the navigation grew).
	if over := eval[int](b, `document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
		b.fail("%s at %d px: the page is %d px wider than the window", name, width, over)
	}
	return shot
}

func (b *browser) fail(format string, args ...any) { b.t.Helper(); b.Fail(format, args...) }

// js quotes a Go string as a JavaScript string literal.
func js(s string) string { return browsertest.JS(s) }
