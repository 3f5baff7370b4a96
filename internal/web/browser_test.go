package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/teststack"
	invoicingwire "github.com/carebill/carebill/internal/wire/invoicing"
)

var moto *testenv.Moto

func TestMain(m *testing.M) { testenv.MainWithMoto(m, &moto) }

// newSite serves functions/invoicing (API and UI, as wire builds it) over a
// fresh copy of the stack in moto, on 127.0.0.1.
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
	h, err := invoicingwire.New(context.Background(), st.Env(t, "InvoicingFunction"), st.AWSFor("InvoicingFunction"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	return srv.URL, st
}

// browser is one headless Chromium tab with a fresh profile. Uncaught
// exceptions and console errors fail the test (a CSP violation is one);
// failed network requests do not, since the journey provokes API errors.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string

	mu       sync.Mutex
	problems []string
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	testenv.Require(t, "chromium")
	exe, _ := exec.LookPath("chromium")
	profile := t.TempDir() // removed after the browser has exited (cleanups run in reverse)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b := &browser{t: t, ctx: ctx, base: base}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleException || (m.Type == chromedp.ConsoleError && m.Source != "network") {
				b.mu.Lock()
				b.problems = append(b.problems, fmt.Sprintf("%s %s (%s:%d)", m.Type, m.Text, m.URL, m.Line))
				b.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, p := range b.problems {
			t.Errorf("browser console: %s", p)
		}
	})
	return b
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.fail("%s: %v", what, err)
	}
}

func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path))
}

// eval runs a JavaScript expression and decodes its value into T.
func eval[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail("evaluate %s: %v", js, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds. It survives page
// loads in between, which chromedp's Poll does not.
func (b *browser) waitFor(what, js string) {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool]("(async () => Boolean(await ("+js+")))()", chromedp.EvalAwaitPromise))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.fail("waited 15s for %s (%s); last error %v", what, js, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// text is an element's trimmed textContent, "" when it is missing.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(document.querySelector(%s)?.textContent ?? '').trim()`, js(sel)))
}

// waitText waits until the element's trimmed text is want.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf("%s to read %q", sel, want),
		fmt.Sprintf(`(document.querySelector(%s)?.textContent ?? '').trim() === %s`, js(sel), js(want)))
}

func (b *browser) click(sel string) {
	b.t.Helper()
	b.settle(sel)
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// settle waits until the page has no API call in flight and the element
// stands still for two animation frames. chromedp.Click presses the mouse
// at the element's coordinates, so a section still loading above it would
// move it and the press would land on something else.
func (b *browser) settle(sel string) {
	b.t.Helper()
	b.waitFor(sel+" to settle", fmt.Sprintf(`new Promise((done) => {
		const el = document.querySelector(%s);
		if (!el || Number(document.documentElement.dataset.pending || 0) > 0) return done(false);
		const at = () => { const r = el.getBoundingClientRect(); return r.width > 0 && [r.x, r.y, r.width, r.height].join(); };
		const before = at();
		requestAnimationFrame(() => requestAnimationFrame(() => done(before !== false && before === at() && el.isConnected)));
	})`, js(sel)))
}

// fill replaces a text field's content by typing, as a person would.
func (b *browser) fill(sel, value string) {
	b.t.Helper()
	b.do("focus "+sel, chromedp.Focus(chromedp.CSS(sel)))
	eval[bool](b, fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.select(); return true })()`, js(sel)))
	if value == "" {
		b.do("clear "+sel, chromedp.KeyEvent("\b"))
		return
	}
	b.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), value))
}

// set gives a date input or a select its value and fires the events a
// person's choice would.
func (b *browser) set(sel, value string) {
	b.t.Helper()
	eval[bool](b, fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		el.value = %s;
		el.dispatchEvent(new Event('input', {bubbles: true}));
		el.dispatchEvent(new Event('change', {bubbles: true}));
		return el.value === %[2]s;
	})()`, js(sel), js(value)))
}

func (b *browser) path() string {
	b.t.Helper()
	return eval[string](b, `location.pathname + location.search`)
}

// screenshot saves the whole page at the given viewport width as PNG, in
// $CAREBILL_SCREENSHOTS when set (to look at), else in the test's temp dir.
func (b *browser) screenshot(name string, width, height int64) string {
	b.t.Helper()
	dir := os.Getenv("CAREBILL_SCREENSHOTS")
	if dir == "" {
		dir = b.t.TempDir()
	}
	b.do("resize", chromedp.EmulateViewport(width, height))
	eval[bool](b, `(document.activeElement?.blur(), window.scrollTo(0, 0), true)`)
	time.Sleep(150 * time.Millisecond) // let the layout settle
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.fail("screenshot %s: %v", name, err)
	}
	b.do("resize back", chromedp.EmulateViewport(1280, 900))
	if len(png) < 1000 || string(png[1:4]) != "PNG" {
		b.fail("screenshot %s: not a PNG (%d bytes)", name, len(png))
	}
	file := filepath.Join(dir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.fail("save screenshot: %v", err)
	}
	b.t.Logf("screenshot %s", file)
	return file
}

// fail stops the test, saying where the browser was and what it showed.
func (b *browser) fail(format string, args ...any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + '\n' + document.body.innerText.slice(0, 2000)`))
	b.t.Fatalf(format+"\n--- page: %s", append(args, where)...)
}

// js quotes a Go string as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
