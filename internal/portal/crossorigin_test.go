package portal_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPortalRefusesCrossSiteForms: the portal's forms (sign-in, sign-out)
// posted from another site are refused with a page, by the same guard the
// coordinator API uses; the portal's own forms still work.
func TestPortalRefusesCrossSiteForms(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	co := s.signup("Gamma Care")
	email := unique("cross") + "@example.com"
	co.client("Cross Client", email)
	for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}} {
		for _, path := range []string{"/portal/" + co.orgID + "/login", "/portal/" + co.orgID + "/logout"} {
			req, _ := http.NewRequest("POST", s.url+path, strings.NewReader(url.Values{"email": {email}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range h {
				req.Header.Set(k, v)
			}
			res, err := noRedirects.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s with %v = %d, want 403", path, h, res.StatusCode)
			}
		}
	}
	s.deliver()
	if m := mailsTo(t, email); len(m) != 0 {
		t.Fatalf("a cross-site sign-in request sent %d emails", len(m))
	}
	if ok := s.post("/portal/"+co.orgID+"/login", "", map[string]string{"email": email}); ok.status != 200 {
		t.Fatalf("same-site sign-in = %d", ok.status)
	}
}

// TestPortalRefusesCrossSiteSessionForms: a signed-in client's session
// cookie is what a page on another site would borrow. The one cross-origin
// guard (the API's too; there is no per-form token) refuses Pay all and
// sign-out posted from another site, or from an older browser sending only
// a foreign Origin: 403 with the refusal page, no pay-all link, and the
// session lives on. The portal's own forms pass with the cookie alone.
func TestPortalRefusesCrossSiteSessionForms(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	co := s.signup("Delta Care")
	email := unique("sess") + "@example.com"
	cid := co.client("Session Client", email)
	co.finalized(cid, "Weekly review")
	cookie := sessionCookie(t, s.get(s.signInLink(co.orgID, email), ""))
	for _, h := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
		{"Sec-Fetch-Site": "same-site", "Origin": "https://evil.127.0.0.1"},
		{"Origin": "https://evil.example"},
	} {
		for _, path := range []string{"/portal/" + co.orgID + "/pay-all", "/portal/" + co.orgID + "/logout"} {
			p := s.postWith(h, path, cookie, map[string]string{"client": cid})
			if p.status != http.StatusForbidden || p.header.Get("Location") != "" || !strings.Contains(p.body, "came from another site") {
				t.Errorf("POST %s with %v = %d %v\n%.300s", path, h, p.status, p.header, p.body)
			}
		}
	}
	if p := s.get("/portal/"+co.orgID+"/invoices", cookie); p.status != http.StatusOK {
		t.Fatalf("a cross-site sign-out ended the session: %d", p.status)
	}
	if p := s.postFrom(s.url, "/portal/"+co.orgID+"/pay-all", cookie, map[string]string{"client": cid}); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), s.url+"/pay-all/") {
		t.Fatalf("the portal's own Pay all = %d %v", p.status, p.header)
	}
	if p := s.postWith(map[string]string{"Origin": s.url}, "/portal/"+co.orgID+"/logout", cookie, map[string]string{}); p.status != http.StatusSeeOther {
		t.Fatalf("the portal's own sign-out from an older browser (Origin only) = %d", p.status)
	}
}

// postFrom posts a form as a browser page at origin would: a modern
// browser's Sec-Fetch-Site (same-origin for the site's own pages,
// cross-site otherwise) and its Origin.
func (s *site) postFrom(origin, path, cookie string, form map[string]string) page {
	s.t.Helper()
	site := "cross-site"
	if origin == s.url {
		site = "same-origin"
	}
	return s.postWith(map[string]string{"Sec-Fetch-Site": site, "Origin": origin}, path, cookie, form)
}

// postWith posts a form with the given request headers and the cookie.
func (s *site) postWith(headers map[string]string, path, cookie string, form map[string]string) page {
	s.t.Helper()
	v := url.Values{}
	for k, val := range form {
		v.Set(k, val)
	}
	req, _ := http.NewRequest("POST", s.url+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	for k, val := range headers {
		req.Header.Set(k, val)
	}
	res, err := noRedirects.Do(req)
	if err != nil {
		s.t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, header: res.Header, body: string(b)}
}

// TestSignInLinksNeverComeFromHost is the probe's finding 6 for the
// portal: a sign-in requested with a forged Host still mails a link to the
// configured PUBLIC_BASE_URL.
func TestSignInLinksNeverComeFromHost(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	co := s.signup("Host Care")
	email := unique("host") + "@example.com"
	co.client("Host Client", email)
	req, _ := http.NewRequest("POST", s.url+"/portal/"+co.orgID+"/login", strings.NewReader(url.Values{"email": {email}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Host = "evil.example"
	req.Header.Set("X-Forwarded-Host", "evil.example")
	res, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sign-in request = %d", res.StatusCode)
	}
	s.deliver()
	mails := mailsTo(t, email)
	if len(mails) != 1 {
		t.Fatalf("%d sign-in emails, want 1", len(mails))
	}
	if link := linkRE.FindString(mails[0]); !strings.HasPrefix(link, s.url+"/portal/"+co.orgID+"/auth/") {
		t.Fatalf("sign-in link %q does not start with the configured %s", link, s.url)
	}
}
