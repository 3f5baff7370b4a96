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
	if m := mailsTo(t, email); len(m) != 0 {
		t.Fatalf("a cross-site sign-in request sent %d emails", len(m))
	}
	if ok := s.post("/portal/"+co.orgID+"/login", "", map[string]string{"email": email}); ok.status != 200 {
		t.Fatalf("same-site sign-in = %d", ok.status)
	}
}
