package portal_test

import (
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/clientauth"
)

// TestPortalAccessFollowsTheClientsContacts is the probe's finding 4 for
// the portal: a session kept showing a client's invoices after its email
// was removed from the client. Access is re-checked on every request.
func TestPortalAccessFollowsTheClientsContacts(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	co := s.signup("Access Care")
	email := unique("access") + "@example.com"
	cid := co.client("Access Client", email)
	_, number := co.finalized(cid, "October sessions")
	in := s.get(s.signInLink(co.orgID, email), "")
	cookie := sessionCookie(t, in)
	if list := s.get("/portal/"+co.orgID+"/invoices", cookie); list.status != 200 || !strings.Contains(list.body, number) {
		t.Fatalf("invoices while on file: %d", list.status)
	}
	co.must(200, "PATCH", "/v1/clients/"+cid, map[string]any{"contacts": []map[string]any{{"name": "Someone Else", "email": unique("else") + "@example.com"}}})
	list := s.get("/portal/"+co.orgID+"/invoices", cookie)
	if list.status != 303 || list.header.Get("Location") != "/portal/"+co.orgID || strings.Contains(list.body, number) {
		t.Fatalf("invoices after the email was removed: %d %v %.300s", list.status, list.header, list.body)
	}
}

// TestPortalSignInLimitsPerSource is the probe's finding 5: sign-in
// requests were limited only per address, so one source could try every
// address it liked. Each source address now gets MaxRequestsPerSource
// requests per window, for any emails, and then the same page with no
// email sent.
func TestPortalSignInLimitsPerSource(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	co := s.signup("Limit Care")
	email := unique("limit") + "@example.com"
	co.client("Limit Client", email)
	want := s.post("/portal/"+co.orgID+"/login", "", map[string]string{"email": unique("nobody") + "@example.com"})
	for i := 1; i < clientauth.MaxRequestsPerSource; i++ {
		if p := s.post("/portal/"+co.orgID+"/login", "", map[string]string{"email": unique("probe") + "@example.com"}); p.status != 200 || p.body != want.body {
			t.Fatalf("request %d: %d", i, p.status)
		}
	}
	p := s.post("/portal/"+co.orgID+"/login", "", map[string]string{"email": email})
	if p.status != 200 || p.body != want.body {
		t.Fatalf("throttled request answers %d, not the same page", p.status)
	}
	s.deliver()
	if m := mailsTo(t, email); len(m) != 0 {
		t.Fatalf("%d emails sent past the per-source limit", len(m))
	}
}
