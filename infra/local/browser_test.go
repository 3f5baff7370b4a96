package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/carebill/carebill/internal/testenv"
)

// browser is one headless Chromium tab over the local stack. Any console
// error or uncaught exception fails the test, network ones included: the
// journeys below provoke no failing request.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	shot string // where screenshots go

	mu       sync.Mutex
	problems []string
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	testenv.Require(t, "chromium")
	exe, _ := exec.LookPath("chromium")
	profile := t.TempDir()
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// Screenshots go to the repository's git-ignored screenshots/ folder,
	// or $CAREBILL_SCREENSHOTS.
	dir := os.Getenv("CAREBILL_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(testenv.RepoRoot(t), "screenshots")
	}
	dir = filepath.Join(dir, t.Name())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, ctx: ctx, base: base, shot: dir}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleError {
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

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.fail("%s: %v", what, err)
	}
}

func (b *browser) open(u string) {
	b.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = b.base + u
	}
	b.do("open "+u, chromedp.Navigate(u))
}

func eval[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail("evaluate %s: %v", js, err)
	}
	return v
}

// waitFor polls a JavaScript condition, across page loads, for 20 s.
func (b *browser) waitFor(what, js string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool]("(async () => Boolean(await ("+js+")))()", chromedp.EvalAwaitPromise))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.fail("waited 20s for %s (%s); last error %v", what, js, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(document.querySelector(%s)?.textContent ?? '').trim()`, jsq(sel)))
}

// waitText waits until the element's text contains want.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf("%s to contain %q", sel, want),
		fmt.Sprintf(`(document.querySelector(%s)?.textContent ?? '').includes(%s)`, jsq(sel), jsq(want)))
}

func (b *browser) click(sel string) {
	b.t.Helper()
	// Clickable, no API call in flight, and standing still for two frames:
	// chromedp.Click presses at the element's coordinates, so a section
	// still loading above it would make the press land elsewhere.
	b.waitFor(sel+" to be clickable", fmt.Sprintf(`new Promise((done) => {
		const el = document.querySelector(%s);
		if (!el || el.disabled || el.offsetParent === null || Number(document.documentElement.dataset.pending || 0) > 0) return done(false);
		const at = () => { const r = el.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].join(); };
		const before = at();
		requestAnimationFrame(() => requestAnimationFrame(() => done(before === at() && el.isConnected)));
	})`, jsq(sel)))
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// fill types into a field as a person would, replacing what it held.
func (b *browser) fill(sel, value string) {
	b.t.Helper()
	b.do("focus "+sel, chromedp.Focus(chromedp.CSS(sel)))
	eval[bool](b, fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.select(); return true })()`, jsq(sel)))
	b.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), value))
}

// shoot saves the page at 1280 and at 375 px wide, and checks that at
// 375 px nothing sticks out sideways.
func (b *browser) shoot(name string) {
	b.t.Helper()
	for _, w := range []int64{1280, 375} {
		b.do("resize", chromedp.EmulateViewport(w, 900))
		time.Sleep(150 * time.Millisecond)
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.fail("screenshot %s: %v", name, err)
		}
		if len(png) < 1000 {
			b.fail("screenshot %s: %d bytes", name, len(png))
		}
		if err := os.WriteFile(filepath.Join(b.shot, fmt.Sprintf("%s-%d.png", name, w)), png, 0o644); err != nil {
			b.fail("save screenshot: %v", err)
		}
		if w == 375 {
			if over := eval[string](b, overflowJS); over != "" {
				b.t.Errorf("%s at 375 px: cut off at the right edge: %s", name, over)
			}
		}
	}
	b.do("resize back", chromedp.EmulateViewport(1280, 900))
}

// overflowJS names visible buttons and links that end beyond the
// viewport's right edge (clipped or off-screen at phone width).
const overflowJS = `(() => {
  const out = [];
  for (const el of document.querySelectorAll('button, a.btn, [role=tab]')) {
    if (el.offsetParent === null || el.closest('dialog:not([open])')) continue;
    const r = el.getBoundingClientRect();
    if (r.right > document.documentElement.clientWidth + 1) out.push((el.textContent || '').trim());
  }
  return out.join(', ');
})()`

func (b *browser) fail(format string, args ...any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + '\n' + document.body.innerText.slice(0, 2000)`))
	b.t.Fatalf(format+"\n--- page: %s", append(args, where)...)
}

func jsq(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
