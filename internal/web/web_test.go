package web

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func newUI(t *testing.T) http.Handler {
	t.Helper()
	h, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func get(t *testing.T, h http.Handler, method, target string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	req.AddCookie(&http.Cookie{Name: "carebill_session", Value: "signed-in"})
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const (
	clientID  = "cli_01jd5v0g8m3x2c9h7t4r6y1kzq"
	invoiceID = "inv_01jd5v0g8m3x2c9h7t4r6y1kzq"
	caseID    = "case_01jd5v0g8m3x2c9h7t4r6y1kzq"
)

func TestRoutes(t *testing.T) {
	t.Parallel()
	h := newUI(t)
	for _, tc := range []struct {
		path, script string
		status       int
		id           string
	}{
		{"/app/", "js/dashboard.js", 200, ""},
		{"/app/dashboard", "js/dashboard.js", 200, ""},
		{"/app/sessions", "js/sessions.js", 200, ""},
		{"/app/tasks", "js/tasks.js", 200, ""},
		{"/app/cases", "js/cases.js", 200, ""},
		{"/app/cases/" + caseID, "js/case.js", 200, caseID},
		{"/app/cases/" + clientID, "js/layout.js", 404, ""},
		{"/app/exports", "js/exports.js", 200, ""},
		{"/app/clients", "js/clients.js", 200, ""},
		{"/app/clients/" + clientID, "js/client.js", 200, clientID},
		{"/app/invoices", "js/invoices.js", 200, ""},
		{"/app/invoices/new?client=" + clientID, "js/builder.js", 200, ""},
		{"/app/invoices/" + invoiceID, "js/invoice.js", 200, invoiceID},
		{"/app/invoices/" + invoiceID + "/edit", "js/builder.js", 200, invoiceID},
		{"/app/settings", "js/settings.js", 200, ""},
		{"/app/activity", "js/feed.js", 200, ""},
		{"/app/login", "js/login.js", 200, ""},
		{"/app/signup", "js/signup.js", 200, ""},
		{"/app/clients/" + invoiceID, "js/layout.js", 404, ""}, // an id of the wrong kind
		{"/app/invoices/inv_nope", "js/layout.js", 404, ""},
		{"/app/nowhere", "js/layout.js", 404, ""},
		{"/favicon.ico", "js/layout.js", 404, ""},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res := get(t, h, "GET", tc.path)
			html := body(t, res)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			want := regexp.MustCompile(`<script type="module" src="/static/[0-9a-f]{12}/` + regexp.QuoteMeta(tc.script) + `"></script>`)
			if !want.MatchString(html) {
				t.Errorf("page does not load %s:\n%s", tc.script, html)
			}
			hasID := strings.Contains(html, `data-id="`+tc.id+`"`)
			if tc.id != "" && !hasID || tc.id == "" && strings.Contains(html, "data-id=") {
				t.Errorf("data-id: want %q in\n%s", tc.id, html)
			}
			if strings.Contains(html, "<script>") || strings.Contains(html, " style=") || strings.Contains(html, "<style") {
				t.Error("inline script or style: the CSP forbids them")
			}
		})
	}
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	h := newUI(t)
	for _, path := range []string{"/", "/app"} {
		res := get(t, h, "GET", path)
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != home {
			t.Errorf("GET %s = %d → %q, want 302 → %s", path, res.StatusCode, res.Header.Get("Location"), home)
		}
	}
}

// TestSignedOutPagesGoToSignIn: without the session cookie a page sends
// the browser to sign in and back at once, instead of serving a page whose
// first API call is refused 401 (a console error the new-user trial met).
func TestSignedOutPagesGoToSignIn(t *testing.T) {
	t.Parallel()
	h := newUI(t)
	req := httptest.NewRequest("GET", "/app/clients/"+clientID+"?tab=ledger", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	want := "/app/login?next=" + url.QueryEscape("/app/clients/"+clientID+"?tab=ledger")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != want {
		t.Errorf("signed out = %d → %q, want 303 → %s", rec.Code, rec.Header().Get("Location"), want)
	}
	// A link from another site (an email) arrives without the Strict
	// cookie even when signed in: the page is served and its API calls
	// carry the cookie.
	req = httptest.NewRequest("GET", "/app/invoices/"+invoiceID, nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("link from another site = %d, want 200", rec.Code)
	}
	req = httptest.NewRequest("GET", "/app/login", nil)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("sign-in page signed out = %d, want 200", rec.Code)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	h := newUI(t)
	for _, path := range []string{"/", "/app/clients", "/app/nowhere", "/static/x/app.css"} {
		res := get(t, h, "GET", path)
		got := map[string]string{}
		for _, k := range []string{"Content-Security-Policy", "X-Frame-Options", "Referrer-Policy", "X-Content-Type-Options"} {
			got[k] = res.Header.Get(k)
		}
		want := map[string]string{
			"Content-Security-Policy": csp, "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin", "X-Content-Type-Options": "nosniff",
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s headers (-want +got):\n%s", path, d)
		}
	}
	if !strings.HasPrefix(csp, "default-src 'self';") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q must start from default-src 'self' and allow nothing unsafe", csp)
	}
}

func TestHeadHasNoBody(t *testing.T) {
	t.Parallel()
	res := get(t, newUI(t), "HEAD", "/app/clients")
	if res.StatusCode != 200 || body(t, res) != "" {
		t.Fatalf("HEAD: %d with a body", res.StatusCode)
	}
}

// TestEveryAssetLinked renders each page and fetches every /static/ URL it
// names, so a renamed file cannot leave a page with a broken link.
func TestEveryAssetLinked(t *testing.T) {
	t.Parallel()
	h := newUI(t)
	link := regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`)
	seen := map[string]bool{}
	for name := range pages {
		path := map[string]string{
			"client": "/app/clients/" + clientID, "invoice": "/app/invoices/" + invoiceID,
			"editor": "/app/invoices/" + invoiceID + "/edit", "builder": "/app/invoices/new",
			"notfound": "/app/nowhere", "case": "/app/cases/" + caseID,
		}[name]
		if path == "" {
			path = "/app/" + name
		}
		for _, m := range link.FindAllStringSubmatch(body(t, get(t, h, "GET", path)), -1) {
			seen[m[1]] = true
		}
	}
	if len(seen) < 5 {
		t.Fatalf("only %d assets linked: %v", len(seen), seen)
	}
	for u := range seen {
		if res := get(t, h, "GET", u); res.StatusCode != 200 {
			t.Errorf("GET %s = %d", u, res.StatusCode)
		}
	}
}

func TestAssets(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("export const x = 1;\n", 200)
	fsys := fstest.MapFS{
		"app.css":     {Data: []byte("body{margin:0}")},
		"js/api.js":   {Data: []byte(big)},
		"favicon.svg": {Data: []byte("<svg/>")},
	}
	a, err := newAssets(fsys)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := newAssets(fsys)
	if a.version != again.version || len(a.version) != 12 {
		t.Fatalf("version %q then %q: must be stable and 12 hex digits", a.version, again.version)
	}
	fsys["app.css"] = &fstest.MapFile{Data: []byte("body{margin:1px}")}
	changed, _ := newAssets(fsys)
	if changed.version == a.version {
		t.Fatal("version did not change with a file's content")
	}

	if got := a.url("js/api.js"); got != "/static/"+a.version+"/js/api.js" {
		t.Fatalf("url = %q", got)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("url of a missing file did not panic")
			}
		}()
		a.url("js/missing.js")
	}()

	for _, tc := range []struct {
		path, accept, ctype, cache, encoding string
		status                               int
	}{
		{"/static/" + a.version + "/js/api.js", "", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "", 200},
		{"/static/" + a.version + "/js/api.js", "br, gzip", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "gzip", 200},
		{"/static/" + a.version + "/js/api.js", "gzip;q=0", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "", 200},
		{"/static/" + a.version + "/app.css", "gzip", "text/css; charset=utf-8", "public, max-age=31536000, immutable", "", 200}, // too small to compress
		{"/static/0123456789ab/app.css", "", "text/css; charset=utf-8", "no-cache", "", 200},                                     // a page from before a deploy
		{"/static/" + a.version + "/favicon.svg", "", "image/svg+xml", "public, max-age=31536000, immutable", "", 200},
		{"/static/" + a.version + "/nope.js", "", "", "", "", 404},
		{"/static/" + a.version + "/js", "", "", "", "", 404},
		{"/static/app.css", "", "", "", "", 404},
	} {
		res := get(t, a, "GET", tc.path, "Accept-Encoding", tc.accept)
		if res.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.path, res.StatusCode, tc.status)
			continue
		}
		if tc.status != 200 {
			continue
		}
		got := []string{res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"), res.Header.Get("Content-Encoding")}
		if d := cmp.Diff([]string{tc.ctype, tc.cache, tc.encoding}, got); d != "" {
			t.Errorf("%s accept %q (-want +got):\n%s", tc.path, tc.accept, d)
		}
		var r io.Reader = res.Body
		if tc.encoding == "gzip" {
			zr, err := gzip.NewReader(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		}
		b, _ := io.ReadAll(r)
		name := tc.path[strings.Index(tc.path[len("/static/"):], "/")+len("/static/")+1:]
		if string(b) != string(fsys[name].Data) && name != "app.css" {
			t.Errorf("%s: body differs from the file", tc.path)
		}
	}

	// Revalidation by ETag answers 304.
	first := get(t, a, "GET", "/static/"+a.version+"/js/api.js")
	if res := get(t, a, "GET", "/static/"+a.version+"/js/api.js", "If-None-Match", first.Header.Get("ETag")); res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", res.StatusCode)
	}
	zipped := get(t, a, "GET", "/static/"+a.version+"/js/api.js", "Accept-Encoding", "gzip")
	if zipped.Header.Get("ETag") == first.Header.Get("ETag") {
		t.Error("the gzip and identity bodies share an ETag")
	}
}

func TestNoStaticFiles(t *testing.T) {
	t.Parallel()
	if _, err := newAssets(fstest.MapFS{}); err == nil {
		t.Fatal("no error for an empty static tree")
	}
}

func TestCurrencyTable(t *testing.T) {
	t.Parallel()
	js, err := currencyTable([]string{"AUD", "JPY", "CHF", "KWD", "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]currencyFormat
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]currencyFormat{
		"AUD": {"$", 2}, "JPY": {"¥", 0}, "CHF": {"CHF ", 2}, "KWD": {"KWD ", 3}, "EUR": {"€", 2},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("table (-want +got):\n%s", d)
	}
	if _, err := currencyTable([]string{"AUD", "XYZ"}); err == nil {
		t.Fatal("no error for an unknown currency")
	}
	if _, err := currencyTable(offeredCurrencies); err != nil {
		t.Fatalf("offered currencies: %v", err)
	}
}

// TestCurrenciesReachThePage checks the table survives attribute escaping.
func TestCurrenciesReachThePage(t *testing.T) {
	t.Parallel()
	html := body(t, get(t, newUI(t), "GET", "/app/clients"))
	m := regexp.MustCompile(`data-currencies="([^"]*)"`).FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no data-currencies attribute")
	}
	unescaped := strings.NewReplacer("&#34;", `"`, "&quot;", `"`).Replace(m[1])
	var table map[string]currencyFormat
	if err := json.Unmarshal([]byte(unescaped), &table); err != nil {
		t.Fatalf("data-currencies %q: %v", m[1], err)
	}
	if table["AUD"].Prefix != "$" {
		t.Fatalf("AUD: %+v", table["AUD"])
	}
}
