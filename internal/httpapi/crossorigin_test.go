package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/crossorigin"
)

// TestLoginCannotBeForgedCrossSite is the probe's finding 3: a page on
// another site posted text/plain to /auth/login and /auth/signup and so
// signed a browser into the attacker's org. Both the media type and the
// cross-origin write are refused now, on every cookie-authenticated route.
func TestLoginCannotBeForgedCrossSite(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := a.signup("Origin Care")
	email := "forged-" + strings.ToLower(t.Name()) + "@example.com"
	creds := `{"orgName":"Attacker","email":"` + email + `","password":"Correct-Horse-9"}`

	// A plain <form enctype="text/plain"> post: no preflight, no JSON type.
	anon := a.anon()
	anon.header = map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
	for _, path := range []string{"/auth/signup", "/auth/login"} {
		if r := anon.do("POST", path, creds); r.status != http.StatusForbidden || r.str("error", "code") != "cross_origin" {
			t.Errorf("cross-site text/plain %s = %d %s, want 403 cross_origin", path, r.status, r.raw)
		}
	}
	// The same post from the same site, but not JSON: 415.
	anon.header = map[string]string{"Content-Type": "text/plain", "Sec-Fetch-Site": "same-origin"}
	if r := anon.do("POST", "/auth/login", creds); r.status != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain login = %d %s, want 415", r.status, r.raw)
	}
	// A cross-site fetch that managed to send JSON is refused too, and
	// an older browser sending only Origin is judged by it.
	for _, h := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site"},
		{"Origin": "https://evil.example"},
	} {
		anon.header = h
		if r := anon.do("POST", "/auth/login", `{"email":"`+email+`","password":"Correct-Horse-9"}`); r.status != http.StatusForbidden {
			t.Errorf("login with %v = %d %s, want 403", h, r.status, r.raw)
		}
		admin.header = h
		if r := admin.do("PATCH", "/v1/org", `{"name":"Pwned"}`); r.status != http.StatusForbidden {
			t.Errorf("PATCH /v1/org with %v = %d %s, want 403", h, r.status, r.raw)
		}
	}
	admin.header = nil
	if got := admin.must(200, "GET", "/v1/org", nil); got.str("name") != "Origin Care" {
		t.Fatalf("org renamed by a cross-site write: %s", got.raw)
	}
	// The same page's own requests, and API clients, still work; every
	// answer tells browsers to use HTTPS only.
	anon.header = map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": a.srv.URL}
	r := anon.must(201, "POST", "/auth/signup", creds)
	if got := r.header.Get("Strict-Transport-Security"); got != crossorigin.HSTS {
		t.Errorf("Strict-Transport-Security %q", got)
	}
	anon.header = nil
	anon.must(200, "POST", "/auth/login", `{"email":"`+email+`","password":"Correct-Horse-9"}`)
}

// TestCookieWritesAreGuardedByOrigin: the session cookie is the only
// ambient credential a page on another site could borrow, and the one
// cross-origin guard is what stops it (there is no second, double-submit
// token). A cookie-authenticated write from another origin, or from a
// sibling subdomain, or from an older browser that sends only Origin, is
// refused 403 and changes nothing; the page's own write passes with the
// cookie alone, and bearer-token API clients are untouched.
func TestCookieWritesAreGuardedByOrigin(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := a.signup("Cookie Care")
	login := a.anon().must(200, "POST", "/auth/login", map[string]string{"email": a.email(admin), "password": "Correct-Horse-9"})
	cookie := cookieHeader(login)
	for _, h := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
		{"Sec-Fetch-Site": "same-site", "Origin": "https://evil." + strings.TrimPrefix(a.srv.URL, "http://")},
		{"Origin": "https://evil.example"},
	} {
		h["Cookie"] = cookie
		browser := &session{a: a, client: http.DefaultClient, header: h}
		for _, w := range []struct{ method, path string }{{"POST", "/v1/clients"}, {"PATCH", "/v1/org"}, {"POST", "/auth/logout"}} {
			if r := browser.do(w.method, w.path, map[string]any{"name": "Forged"}); r.status != http.StatusForbidden || r.str("error", "code") != "cross_origin" {
				t.Errorf("cookie %s %s with %v = %d %s, want 403 cross_origin", w.method, w.path, h, r.status, r.raw)
			}
		}
	}
	if l := admin.must(200, "GET", "/v1/clients", nil).list(); len(l) != 0 {
		t.Fatalf("cross-site cookie writes created %d clients", len(l))
	}
	if got := admin.must(200, "GET", "/v1/org", nil).str("name"); got != "Cookie Care" {
		t.Fatalf("org renamed to %q by a cross-site write", got)
	}

	// The session cookie still works (the forged logout did not end it),
	// from the page itself (a modern browser, or an older one sending a
	// matching Origin) and from a client that is no browser at all.
	host := a.srv.URL
	for i, h := range []map[string]string{
		{"Sec-Fetch-Site": "same-origin", "Origin": host},
		{"Origin": host},
		{},
	} {
		h["Cookie"] = cookie
		page := &session{a: a, client: http.DefaultClient, header: h}
		page.must(201, "POST", "/v1/clients", map[string]any{"name": fmt.Sprintf("Own page %d", i)})
	}
	admin.must(201, "POST", "/v1/clients", map[string]any{"name": "Bearer client"})
	if l := admin.must(200, "GET", "/v1/clients", nil).list(); len(l) != 4 {
		t.Fatalf("%d clients after four admitted writes, want 4", len(l))
	}
}

// TestLinksNeverComeFromHost is the probe's finding 6: with no base URL
// set, pay links used the request's Host, so a forged Host pointed them
// elsewhere. Links now come only from PUBLIC_BASE_URL, which is required.
func TestLinksNeverComeFromHost(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Host Care")
	_, iid := finalizedInvoice(s, "Host Client")
	s.header = map[string]string{"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
	link := s.must(200, "GET", "/v1/invoices/"+iid+"/pay-link", nil).str("url")
	if !strings.HasPrefix(link, a.srv.URL+"/pay/") {
		t.Fatalf("pay link %q does not start with the configured %s", link, a.srv.URL)
	}
}
