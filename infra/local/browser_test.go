package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/carebill/carebill/internal/browsertest"
	"github.com/carebill/carebill/internal/testenv"
)

// browser is one headless Chromium tab of the shared kit
// (internal/browsertest) over the local stack. Any console error or
// uncaught exception fails the test, network ones included: the journeys
// below provoke no failing request.
type browser struct {
	*browsertest.Browser
	t    *testing.T
	shot string // where screenshots go
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
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
	kit := browsertest.New(t, browsertest.Options{Base: base, NetworkErrorsFail: true, Wait: 20 * time.Second, ShotDir: dir})
	return &browser{Browser: kit, t: t, shot: dir}
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.Do(what, steps...)
}

// open navigates to a full URL or a path on the local stack.
func (b *browser) open(u string) { b.t.Helper(); b.Open(u) }

func eval[T any](b *browser, js string) T { b.t.Helper(); return browsertest.Eval[T](b.Browser, js) }

// waitFor polls a JavaScript condition, across page loads, for 20 s.
func (b *browser) waitFor(what, js string) { b.t.Helper(); b.WaitFor(what, js) }

func (b *browser) text(sel string) string { b.t.Helper(); return b.Text(sel) }

// waitText waits until the element's text contains want.
func (b *browser) waitText(sel, want string) { b.t.Helper(); b.WaitTextContains(sel, want) }

// click presses sel once no API call is in flight and it stands still.
func (b *browser) click(sel string) { b.t.Helper(); b.Click(sel) }

// fill types into a field as a person would, replacing what it held.
func (b *browser) fill(sel, value string) { b.t.Helper(); b.Fill(sel, value) }

// shoot saves the page at 1280 and at 375 px wide, and checks that at
// 375 px nothing sticks out sideways.
func (b *browser) shoot(name string) {
	b.t.Helper()
	for _, w := range []int64{1280, 375} {
		b.do("resize", chromedp.EmulateViewport(w, 900))
		time.Sleep(150 * time.Millisecond)
		png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
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

func (b *browser) fail(format string, args ...any) { b.t.Helper(); b.Fail(format, args...) }

func jsq(s string) string { return browsertest.JS(s) }
