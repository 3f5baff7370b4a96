// Package browsertest is the one headless Chromium harness of carebill's
// UI tests (internal/web, internal/portal, infra/local): a tab with a
// fresh profile, steps that fail the test saying where the page was, a
// click that waits for the page to settle, and console errors as test
// failures. Tests drive it through chromedp's actions and a few helpers.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/carebill/carebill/internal/testenv"
)

// Options shape a browser; the zero value is a 1280×900 desktop tab.
type Options struct {
	// Base prefixes every Open path that starts with "/".
	Base string
	// Width and Height are the window's size (1280×900 when zero).
	Width, Height int64
	// Phone emulates a phone's screen at that size: scale 2, mobile, touch.
	Phone bool
	// IgnoreCertErrors accepts self-signed certificates (a test's logo server).
	IgnoreCertErrors bool
	// NetworkErrorsFail also fails the test on console errors of failed
	// requests; leave it off for journeys that provoke API errors.
	NetworkErrorsFail bool
	// Wait bounds WaitFor (15 s when zero); Timeout the whole tab (4 min).
	Wait, Timeout time.Duration
	// ShotDir is where Screenshot saves: $CAREBILL_SCREENSHOTS, else the
	// test's temp dir, when empty.
	ShotDir string
}

// Browser is one headless Chromium tab. Uncaught exceptions and console
// errors (a CSP violation is one) fail the test when it ends.
type Browser struct {
	T    testing.TB
	Ctx  context.Context
	opts Options

	mu       sync.Mutex
	problems []string
}

// New starts Chromium for t; it is stopped when t ends. A machine without
// chromium fails the test saying so (make test installs it).
func New(t testing.TB, opts Options) *Browser {
	t.Helper()
	testenv.Require(t, "chromium")
	exe, _ := exec.LookPath("chromium")
	if opts.Width == 0 {
		opts.Width, opts.Height = 1280, 900
	}
	if opts.Wait == 0 {
		opts.Wait = 15 * time.Second
	}
	if opts.Timeout == 0 {
		opts.Timeout = 4 * time.Minute
	}
	if opts.ShotDir == "" {
		opts.ShotDir = os.Getenv("CAREBILL_SCREENSHOTS")
	}
	profile := t.TempDir() // removed after the browser has exited (cleanups run in reverse)
	flags := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.UserDataDir(profile),
		chromedp.WindowSize(int(opts.Width), int(opts.Height)),
	}
	if opts.IgnoreCertErrors {
		flags = append(flags, chromedp.Flag("ignore-certificate-errors", true))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), flags...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, opts.Timeout)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	var start []chromedp.Action[chromedp.Void]
	if opts.Phone {
		start = append(start, chromedp.EmulateViewport(opts.Width, opts.Height, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	}
	if err := chromedp.Do(ctx, start...); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b := &Browser{T: t, Ctx: ctx, opts: opts}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleException || (m.Type == chromedp.ConsoleError && (opts.NetworkErrorsFail || m.Source != "network")) {
				b.mu.Lock()
				b.problems = append(b.problems, fmt.Sprintf("%s %s %s (%s:%d)", m.Type, m.Source, m.Text, m.URL, m.Line))
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

// Do runs chromedp steps; what names them in a failure.
func (b *Browser) Do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.T.Helper()
	if err := chromedp.Do(b.Ctx, steps...); err != nil {
		b.Fail("%s: %v", what, err)
	}
}

// Open navigates to u, a full URL or a path under Options.Base.
func (b *Browser) Open(u string) {
	b.T.Helper()
	if len(u) > 0 && u[0] == '/' {
		u = b.opts.Base + u
	}
	b.Do("open "+u, chromedp.Navigate(u))
}

// Eval runs a JavaScript expression (awaiting a promise) and decodes its
// value into T.
func Eval[T any](b *Browser, js string) T {
	b.T.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.Fail("evaluate %s: %v", js, err)
	}
	return v
}

// WaitFor polls a JavaScript condition (a promise is awaited) until it
// holds, for Options.Wait. It survives page loads in between, which
// chromedp's Poll does not.
func (b *Browser) WaitFor(what, js string) {
	b.T.Helper()
	deadline := time.Now().Add(b.opts.Wait)
	for {
		ok, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool]("(async () => Boolean(await ("+js+")))()", chromedp.EvalAwaitPromise))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.Fail("waited %s for %s (%s); last error %v", b.opts.Wait, what, js, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Text is an element's trimmed textContent, "" when it is missing.
func (b *Browser) Text(sel string) string {
	b.T.Helper()
	return Eval[string](b, fmt.Sprintf(`(document.querySelector(%s)?.textContent ?? '').trim()`, JS(sel)))
}

// WaitText waits until the element's trimmed text is want.
func (b *Browser) WaitText(sel, want string) {
	b.T.Helper()
	b.WaitFor(fmt.Sprintf("%s to read %q", sel, want),
		fmt.Sprintf(`(document.querySelector(%s)?.textContent ?? '').trim() === %s`, JS(sel), JS(want)))
}

// WaitTextContains waits until the element's text contains want.
func (b *Browser) WaitTextContains(sel, want string) {
	b.T.Helper()
	b.WaitFor(fmt.Sprintf("%s to contain %q", sel, want),
		fmt.Sprintf(`(document.querySelector(%s)?.textContent ?? '').includes(%s)`, JS(sel), JS(want)))
}

// Click presses the element once the page has settled (Settle).
func (b *Browser) Click(sel string) {
	b.T.Helper()
	b.Settle(sel)
	b.Do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// Settle waits until the page has no API call in flight (the pages count
// them on <html data-pending>), the element is shown and enabled, and it
// stands still for two animation frames. chromedp.Click presses the mouse
// at the element's coordinates, so a section still loading above it would
// move it and the press would land on something else.
func (b *Browser) Settle(sel string) {
	b.T.Helper()
	b.WaitFor(sel+" to settle", fmt.Sprintf(`new Promise((done) => {
		const el = document.querySelector(%s);
		if (!el || el.disabled || Number(document.documentElement.dataset.pending || 0) > 0) return done(false);
		const at = () => { const r = el.getBoundingClientRect(); return r.width > 0 && [r.x, r.y, r.width, r.height].join(); };
		const before = at();
		requestAnimationFrame(() => requestAnimationFrame(() => done(before !== false && before === at() && el.isConnected)));
	})`, JS(sel)))
}

// Fill replaces a text field's content by typing, as a person would.
func (b *Browser) Fill(sel, value string) {
	b.T.Helper()
	b.Do("focus "+sel, chromedp.Focus(chromedp.CSS(sel)))
	Eval[bool](b, fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.select(); return true })()`, JS(sel)))
	if value == "" {
		b.Do("clear "+sel, chromedp.KeyEvent("\b"))
		return
	}
	b.Do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), value))
}

// Set gives a date input or a select its value and fires the events a
// person's choice would.
func (b *Browser) Set(sel, value string) {
	b.T.Helper()
	Eval[bool](b, fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		el.value = %s;
		el.dispatchEvent(new Event('input', {bubbles: true}));
		el.dispatchEvent(new Event('change', {bubbles: true}));
		return el.value === %[2]s;
	})()`, JS(sel), JS(value)))
}

// Path is the page's path and query.
func (b *Browser) Path() string {
	b.T.Helper()
	return Eval[string](b, `location.pathname + location.search`)
}

// Screenshot saves the whole page as PNG name+".png" in Options.ShotDir
// and returns the file. With a width it first resizes the viewport to
// width×height and back after; without, it shoots the page as it is.
func (b *Browser) Screenshot(name string, width, height int64) string {
	b.T.Helper()
	dir := b.opts.ShotDir
	if dir == "" {
		dir = b.T.TempDir()
	}
	if width > 0 {
		b.Do("resize", chromedp.EmulateViewport(width, height))
		Eval[bool](b, `(document.activeElement?.blur(), window.scrollTo(0, 0), true)`)
		time.Sleep(150 * time.Millisecond) // let the layout settle
	}
	png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.Fail("screenshot %s: %v", name, err)
	}
	if width > 0 {
		b.Do("resize back", chromedp.EmulateViewport(b.opts.Width, b.opts.Height))
	}
	if len(png) < 1000 || string(png[1:4]) != "PNG" {
		b.Fail("screenshot %s: not a PNG (%d bytes)", name, len(png))
	}
	file := filepath.Join(dir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.Fail("save screenshot: %v", err)
	}
	b.T.Logf("screenshot %s", file)
	return file
}

// Fail stops the test, saying where the browser was and what it showed.
func (b *Browser) Fail(format string, args ...any) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 3*time.Second)
	defer cancel()
	where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + '\n' + document.body.innerText.slice(0, 2000)`))
	b.T.Fatalf(format+"\n--- page: %s", append(args, where)...)
}

// JS quotes a Go string as a JavaScript string literal.
func JS(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}
