package portal_test

import (
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
