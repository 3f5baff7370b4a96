package portal_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/clientauth"
	"github.com/carebill/carebill/internal/portal"
)

// portalRoute is how TestPortalIsolationFromTheRouteTable probes one of
// the portal's routes.
type portalRoute struct {
	// kind: "pay" (a pay link's token), "payall" (a pay-all link's token),
	// "session" (a signed-in client's page or form), "signin" (a sign-in
	// link's token) or "public" (no secret: the sign-in page and form, the
	// content-hashed assets, the not-found catch-all).
	kind string
	// names is what a session route's path or form names: "invoice",
	// "statement", "client" or "" (the session's own list, or sign-out).
	names string
}

// portalRoutes has one entry per route the portal registers; a new route
// fails TestPortalIsolationFromTheRouteTable, naming it, until it has one.
// The assets' patterns carry a content hash and are matched by prefix.
var portalRoutes = map[string]portalRoute{
	"GET /pay/{token}":                      {kind: "pay"},
	"GET /pay/{token}/pdf":                  {kind: "pay"},
	"GET /pay-all/{token}":                  {kind: "payall"},
	"GET /portal/assets/":                   {kind: "public"},
	"GET /portal/{org}":                     {kind: "public"},
	"POST /portal/{org}/login":              {kind: "public"},
	"GET /portal/{org}/auth/{token}":        {kind: "signin"},
	"GET /portal/{org}/invoices":            {kind: "session"},
	"GET /portal/{org}/invoices/{id}/pdf":   {kind: "session", names: "invoice"},
	"GET /portal/{org}/statements/{id}/pdf": {kind: "session", names: "statement"},
	"POST /portal/{org}/pay-all":            {kind: "session", names: "client"},
	"POST /portal/{org}/logout":             {kind: "session"},
	"/":                                     {kind: "public"},
}

// TestPortalIsolationFromTheRouteTable walks every route the portal
// function registers (portal.Patterns). For a pay or pay-all link: this
// org's id with another org's secret, a tampered token and a replaced one
// get the not-valid page (404) and no data. For a sign-in link: another
// org's link, a tampered one and an expired one get the not-valid page.
// For a signed-in page: no session goes to sign in; another org's
// session, on this org's path or its own org's path naming this org's
// ids, and another client's session of this org naming this client's ids
// get the sign-in page or the not-found page, never this client's data;
// an expired session goes to sign in. Each kind is also shown to work for
// its rightful holder, so the refusals are not a broken route.
func TestPortalIsolationFromTheRouteTable(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	own, other := s.signup("Walk Care"), s.signup("Elsewhere Care")
	email1, email2, emailB := unique("walk1")+"@example.com", unique("walk2")+"@example.com", unique("else")+"@example.com"
	c1 := own.client("Walker Prime", email1)
	own.client("Second Walker", email2)
	cb := other.client("Elsewhere Client", emailB)
	inv1, _ := own.finalized(c1, "Walk review")
	invB, _ := other.finalized(cb, "Elsewhere review")
	stm1 := s.issueStatement(own.orgID, c1)
	tok := func(link string) string { return link[strings.LastIndexByte(link, '/')+1:] }
	pay1, payB := tok(own.payLink(inv1, false)), tok(other.payLink(invB, false))
	sess1 := sessionCookie(t, s.get(s.signInLink(own.orgID, email1), ""))
	sess2 := sessionCookie(t, s.get(s.signInLink(own.orgID, email2), ""))
	sessB := sessionCookie(t, s.get(s.signInLink(other.orgID, emailB), ""))
	payAll := func(orgID, cookie, client string) string {
		p := s.postFrom(s.url, "/portal/"+orgID+"/pay-all", cookie, map[string]string{"client": client})
		if p.status != http.StatusSeeOther {
			t.Fatalf("pay all for %s: %d %s", client, p.status, p.body)
		}
		return tok(p.header.Get("Location"))
	}
	payAll1, payAllB := payAll(own.orgID, sess1, c1), payAll(other.orgID, sessB, cb)
	secrets := []string{c1, inv1, stm1, "Walker Prime", email1, "Walk review", secretOf(pay1), secretOf(payAll1)}

	// The walk: every registered route has an entry, and every entry a route.
	patterns := portal.Patterns(s.portal)
	key := func(p string) string {
		if strings.HasPrefix(p, "GET /portal/assets/") {
			return "GET /portal/assets/"
		}
		return p
	}
	seen := map[string]bool{}
	for _, p := range patterns {
		if _, ok := portalRoutes[key(p)]; !ok {
			t.Errorf("portal route %q has no entry in portalRoutes (isolation_test.go): say how its secret is checked", p)
		}
		seen[key(p)] = true
	}
	for p := range portalRoutes {
		if !seen[p] {
			t.Errorf("portalRoutes has %q, which the portal does not serve", p)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	notValid := func(what string, p page) {
		t.Helper()
		if p.status != http.StatusNotFound || !strings.Contains(p.body, "not valid") {
			t.Errorf("%s = %d, want 404 and the not-valid page:\n%.300s", what, p.status, p.body)
		}
		noData(t, what, p, secrets)
	}
	toSignIn := func(what string, p page, orgID string) {
		t.Helper()
		if p.status != http.StatusSeeOther || p.header.Get("Location") != "/portal/"+orgID {
			t.Errorf("%s = %d %v, want 303 to the sign-in page", what, p.status, p.header.Get("Location"))
		}
		noData(t, what, p, secrets)
	}
	idOf := map[string]string{"invoice": inv1, "statement": stm1, "client": c1}
	type sessionCall struct {
		pattern, method string
		path            func(orgID string) string
		form            map[string]string
	}
	var sessionCalls []sessionCall
	for _, pattern := range patterns {
		r := portalRoutes[key(pattern)]
		method, path, _ := strings.Cut(pattern, " ")
		switch r.kind {
		case "pay", "payall":
			good, foreign := pay1, payB
			if r.kind == "payall" {
				good, foreign = payAll1, payAllB
			}
			at := func(token string) string { return strings.Replace(path, "{token}", token, 1) }
			if p := s.send(method, at(good), "", nil); p.status != http.StatusOK {
				t.Errorf("%s with its own token = %d", pattern, p.status)
			}
			notValid(pattern+" with this org's id and another org's secret", s.send(method, at(own.orgID+"."+secretOf(foreign)), "", nil))
			notValid(pattern+" with a tampered token", s.send(method, at(tamper(good)), "", nil))
		case "signin":
			at := func(orgID, token string) string {
				return strings.Replace(strings.Replace(path, "{org}", orgID, 1), "{token}", token, 1)
			}
			foreign := tok(s.signInLink(other.orgID, emailB))
			notValid(pattern+" with another org's link", s.send(method, at(own.orgID, foreign), "", nil))
			mine := tok(s.signInLink(own.orgID, email1))
			notValid(pattern+" with a tampered link", s.send(method, at(own.orgID, tamper(mine)), "", nil))
			if p := s.send(method, at(own.orgID, mine), "", nil); p.status != http.StatusSeeOther {
				t.Errorf("%s with its own link = %d", pattern, p.status)
			}
			notValid(pattern+" with a used link", s.send(method, at(own.orgID, mine), "", nil))
			late := tok(s.signInLink(own.orgID, email1))
			s.clock.advance(clientauth.LinkTTL + time.Second)
			notValid(pattern+" with an expired link", s.send(method, at(own.orgID, late), "", nil))
		case "session":
			form := map[string]string{}
			if r.names == "client" {
				form["client"] = c1
			}
			id := idOf[r.names]
			sessionCalls = append(sessionCalls, sessionCall{pattern, method, func(orgID string) string {
				return strings.Replace(strings.Replace(path, "{org}", orgID, 1), "{id}", id, 1)
			}, form})
		case "public":
			switch pattern {
			case "GET /portal/{org}":
				if p := s.get("/portal/"+own.orgID, ""); p.status != http.StatusOK {
					t.Errorf("%s = %d", pattern, p.status)
				}
				notValid(pattern+" of no such org", s.get("/portal/org_00000000000000000000000000", ""))
			case "POST /portal/{org}/login":
				p := s.post("/portal/"+own.orgID+"/login", "", map[string]string{"email": email1})
				if p.status != http.StatusOK || !strings.Contains(p.body, "Check your email") {
					t.Errorf("%s = %d", pattern, p.status)
				}
				noData(t, pattern, p, secrets)
				s.deliver() // its email is sent, so the next sign-in link is the newest
			case "/":
				notValid(pattern+" (no such path)", s.get("/portal/"+own.orgID+"/invoices/"+inv1, sess1))
			default: // an asset
				if p := s.get(path, ""); p.status != http.StatusOK {
					t.Errorf("%s = %d", pattern, p.status)
				}
			}
		default:
			t.Errorf("%s: unknown kind %q", pattern, r.kind)
		}
	}

	// Signed-in routes, sign-out last so the sessions live through the rest.
	slices.SortStableFunc(sessionCalls, func(x, y sessionCall) int {
		return boolRank(strings.HasSuffix(x.pattern, "/logout")) - boolRank(strings.HasSuffix(y.pattern, "/logout"))
	})
	for _, c := range sessionCalls {
		toSignIn(c.pattern+" without a session", s.send(c.method, c.path(own.orgID), "", c.form), own.orgID)
		toSignIn(c.pattern+" by another org's session on this org's path", s.postOrGet(c.method, c.path(own.orgID), sessB, c.form), own.orgID)
		if c.pattern == "POST /portal/{org}/logout" {
			continue // names nothing; signing the others out is theirs to do
		}
		for who, call := range map[string]func() page{
			"another org's session naming this org's ids":   func() page { return s.postOrGet(c.method, c.path(other.orgID), sessB, c.form) },
			"another client's session naming this client's": func() page { return s.postOrGet(c.method, c.path(own.orgID), sess2, c.form) },
		} {
			p := call()
			if c.pattern == "GET /portal/{org}/invoices" {
				if p.status != http.StatusOK {
					t.Errorf("%s by %s = %d", c.pattern, who, p.status)
				}
				noData(t, c.pattern+" by "+who, p, secrets)
				continue
			}
			notValid(c.pattern+" by "+who, p)
		}
		if p := s.postOrGet(c.method, c.path(own.orgID), sess1, c.form); p.status != http.StatusOK && p.status != http.StatusSeeOther {
			t.Errorf("%s by its own client = %d", c.pattern, p.status)
		}
	}
	// Another org's session survived being sent to this org's sign-out.
	if p := s.get("/portal/"+other.orgID+"/invoices", sessB); p.status != http.StatusOK {
		t.Errorf("another org's session after this org's sign-out = %d", p.status)
	}
	// A session past its lifetime is no session.
	s.clock.advance(clientauth.SessionTTL)
	for _, c := range sessionCalls {
		toSignIn(c.pattern+" with an expired session", s.postOrGet(c.method, c.path(other.orgID), sessB, c.form), other.orgID)
	}
}

// postOrGet sends a page request or, for POST, a form from the portal's
// own page.
func (s *site) postOrGet(method, path, cookie string, form map[string]string) page {
	s.t.Helper()
	if method == http.MethodPost {
		return s.postFrom(s.url, path, cookie, form)
	}
	return s.send(method, path, cookie, nil)
}

// noData fails when an answer carries any of this client's secrets.
func noData(t *testing.T, what string, p page, secrets []string) {
	t.Helper()
	for _, sec := range secrets {
		if strings.Contains(p.body, sec) || strings.Contains(p.header.Get("Location"), sec) {
			t.Errorf("%s answers this client's %q", what, sec)
		}
	}
}

// secretOf is a pay link token's secret (after "org.").
func secretOf(token string) string { return token[strings.IndexByte(token, '.')+1:] }

// tamper changes a token's last character.
func tamper(token string) string {
	last := token[len(token)-1]
	repl := "A"
	if last == 'A' {
		repl = "B"
	}
	return token[:len(token)-1] + repl
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
