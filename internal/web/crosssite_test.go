package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/carebill/carebill/internal/browsertest"
	"github.com/carebill/carebill/internal/teststack"
)

// seen is one write the API received: the Sec-Fetch-Site the browser sent
// and the status the API answered.
type seen struct {
	site   string
	status int
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

// TestCrossSiteWritesRefusedInChromium is the evidence, in a real
// browser, that the cross-origin guard alone (no CSRF token) protects the
// signed-in coordinator: a page on another site (localhost, against the
// API on 127.0.0.1) that posts to the API, by fetch and by a form, is
// marked cross-site by Chromium and refused 403, and no client is
// created; the app's own page writes with the session cookie alone and is
// marked same-origin.
func TestCrossSiteWritesRefusedInChromium(t *testing.T) {
	t.Parallel()
	st := teststack.New(t, moto)
	srv := st.Site(t)
	h := siteHandler(t, st)
	var mu sync.Mutex
	var writes []seen
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/clients" {
			h.ServeHTTP(w, r)
			return
		}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		mu.Lock()
		writes = append(writes, seen{r.Header.Get("Sec-Fetch-Site"), rec.status})
		mu.Unlock()
	})
	srv.Start()

	target := srv.URL + "/v1/clients"
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Win a prize</title>
<form id="f" method="post" action="%s" enctype="text/plain"><input name='{"name":"Forged by form","x":"' value='"}'></form>
<script>
fetch(%q, {method: 'POST', mode: 'no-cors', credentials: 'include', headers: {'Content-Type': 'text/plain'}, body: '{"name":"Forged by fetch"}'})
  .finally(() => { document.title = 'fetched'; });
</script>`, target, target)
	}))
	t.Cleanup(evil.Close)
	evilURL := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1) // another site than 127.0.0.1

	b := &browser{Browser: browsertest.New(t, browsertest.Options{Base: srv.URL}), t: t}
	b.signup("Cross Site Care")
	b.call(201, "POST", "/v1/clients", `{"name":"Own page client"}`)

	b.open(evilURL)
	b.waitFor("the other site's fetch", `document.title === 'fetched'`)
	eval[bool](b, `(document.getElementById('f').submit(), true)`)
	b.waitFor("the form's answer", `location.href.startsWith(`+js(target)+`)`)

	b.open("/app/clients")
	names := fmt.Sprint(b.call(200, "GET", "/v1/clients", "")["data"])
	if strings.Contains(names, "Forged") || !strings.Contains(names, "Own page client") {
		t.Fatalf("clients after the other site's posts: %s", names)
	}
	mu.Lock()
	defer mu.Unlock()
	var own, refused int
	for _, w := range writes {
		switch {
		case w.site == "same-origin" && w.status == http.StatusCreated:
			own++
		case w.site == "cross-site" && w.status == http.StatusForbidden:
			refused++
		default:
			t.Errorf("a write marked Sec-Fetch-Site %q answered %d", w.site, w.status)
		}
	}
	if own != 1 || refused != 2 {
		t.Fatalf("%d own writes and %d refused cross-site writes, want 1 and 2: %v", own, refused, writes)
	}
}
