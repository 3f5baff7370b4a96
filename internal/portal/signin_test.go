package portal_test

import (
	"strings"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/testenv"
)

// TestPortalSignIn is a client's way into the portal: ask for a link by
// email (the answer never says whether the email is on file), open the
// emailed link once, see only their own finalized invoices and PDFs, and
// sign out (a sign-out posted from another site is refused).
func TestPortalSignIn(t *testing.T) {
	testenv.Require(t, "pdftotext", "qpdf")
	t.Parallel()
	s := newSite(t)
	co := s.signup("Alpha Care")
	zoeEmail := unique("zoe") + "@example.com"
	zoe := co.client("Zoë Müller-Ng", zoeEmail)
	first, firstNo := co.finalized(zoe, "October sessions")
	_, secondNo := co.finalized(zoe, "November sessions")
	co.must(201, "POST", "/v1/payments", map[string]any{"clientId": zoe, "amount": "2260.50", "date": "2026-11-20", "method": "bank_transfer"})
	draft := co.draft(zoe, "Draft for December")
	otherEmail := unique("sam") + "@example.com"
	other := co.client("Sam Other", otherEmail)
	otherInv, otherNo := co.finalized(other, "Sam's invoice")
	org := co.orgID

	form := s.get("/portal/"+org, "")
	if form.status != 200 {
		t.Fatalf("sign-in page: %d %s", form.status, form.body)
	}
	checkHeaders(t, "sign-in page", form)
	contains(t, "sign-in page", form.body, "Alpha Care", `action="/portal/`+org+`/login"`, `type="email"`)

	// The same answer for an address on file and one that is not.
	stranger := unique("nobody") + "@example.com"
	unknown := s.post("/portal/"+org+"/login", "", map[string]string{"email": stranger})
	known := s.post("/portal/"+org+"/login", "", map[string]string{"email": " " + strings.ToUpper(zoeEmail) + " "})
	if unknown.status != 200 || known.status != 200 || unknown.body != known.body || !strings.Contains(known.body, "Check your email") {
		t.Fatalf("answers differ: unknown %d, known %d\n%s\n---\n%s", unknown.status, known.status, unknown.body, known.body)
	}
	s.deliver()
	if m := mailsTo(t, stranger); len(m) != 0 {
		t.Fatalf("an address not on file was mailed: %v", m)
	}
	if bad := s.post("/portal/"+org+"/login", "", map[string]string{"email": "not an email"}); bad.status != 400 || !strings.Contains(bad.body, "enter an email address") {
		t.Fatalf("malformed email: %d %s", bad.status, bad.body)
	}
	mails := mailsTo(t, zoeEmail)
	if len(mails) != 1 {
		t.Fatalf("%d emails to Zoë, want 1", len(mails))
	}
	link := linkRE.FindString(mails[0])
	if !strings.HasPrefix(link, s.url+"/portal/"+org+"/auth/") || !strings.Contains(mails[0], "15 minutes") || !strings.Contains(mails[0], "Alpha Care") {
		t.Fatalf("sign-in email:\n%s", mails[0])
	}

	// The link works once.
	in := s.get(link, "")
	if in.status != 303 || in.header.Get("Location") != "/portal/"+org+"/invoices" {
		t.Fatalf("open sign-in link: %d %v %s", in.status, in.header, in.body)
	}
	raw := strings.Join(in.header.Values("Set-Cookie"), "\n")
	for _, flag := range []string{"HttpOnly", "Secure", "SameSite=Lax", "Path=/portal/" + org + ";", "Max-Age=43200"} {
		if !strings.Contains(raw+";", flag) {
			t.Errorf("session cookie lacks %s: %s", flag, raw)
		}
	}
	cookie := sessionCookie(t, in)
	again := s.get(link, "")
	if again.status != 404 || !strings.Contains(again.body, "This sign-in link is not valid") || len(again.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("second use: %d %s", again.status, again.body)
	}

	// Only Zoë's finalized invoices, with balances and PDF links.
	list := s.get("/portal/"+org+"/invoices", cookie)
	if list.status != 200 {
		t.Fatalf("invoices: %d %s", list.status, list.body)
	}
	checkHeaders(t, "invoice list", list)
	contains(t, "invoice list", list.body, firstNo, secondNo, "October sessions", "November sessions", "Paid", "Open",
		"Balance due: <strong>$2,260.50</strong>", "/portal/"+org+"/invoices/"+first+"/pdf", zoeEmail)
	for _, leak := range []string{otherNo, "Sam", "Draft for December", draft, otherInv} {
		if strings.Contains(list.body, leak) {
			t.Errorf("invoice list shows %q", leak)
		}
	}
	txt := pdfText(t, s.get("/portal/"+org+"/invoices/"+first+"/pdf", cookie))
	contains(t, "portal PDF", txt, firstNo, "Zoë Müller-Ng", "PAID")
	for name, id := range map[string]string{"another client's": otherInv, "a draft": draft, "no such": "inv_00000000000000000000000000", "junk": "..%2F..%2Fv1"} {
		if p := s.get("/portal/"+org+"/invoices/"+id+"/pdf", cookie); p.status != 404 || strings.Contains(p.body, "%PDF") {
			t.Errorf("%s invoice PDF: %d %.200s", name, p.status, p.body)
		}
	}
	// Signed in, the sign-in page goes to the list.
	if p := s.get("/portal/"+org, cookie); p.status != 303 || p.header.Get("Location") != "/portal/"+org+"/invoices" {
		t.Errorf("sign-in page when signed in: %d %v", p.status, p.header)
	}

	// A sign-out posted from another site is refused by the cross-origin
	// guard; the page's own form signs out.
	if p := s.postFrom("https://evil.example", "/portal/"+org+"/logout", cookie, map[string]string{}); p.status != 403 {
		t.Fatalf("cross-site logout: %d %s", p.status, p.body)
	}
	if p := s.get("/portal/"+org+"/invoices", cookie); p.status != 200 {
		t.Fatalf("a refused logout ended the session: %d", p.status)
	}
	if !strings.Contains(list.body, `action="/portal/`+org+`/logout"`) {
		t.Fatalf("no sign-out form in\n%s", list.body)
	}
	out := s.postFrom(s.url, "/portal/"+org+"/logout", cookie, map[string]string{})
	if out.status != 303 || !strings.Contains(strings.Join(out.header.Values("Set-Cookie"), ";"), "Max-Age=0") {
		t.Fatalf("logout: %d %v", out.status, out.header)
	}
	if p := s.get("/portal/"+org+"/invoices", cookie); p.status != 303 || p.header.Get("Location") != "/portal/"+org {
		t.Fatalf("after logout the old cookie still works: %d", p.status)
	}
	if p := s.get("/portal/"+org+"/invoices", ""); p.status != 303 {
		t.Fatalf("invoices without a session: %d", p.status)
	}
}

// TestPortalLinksExpireAndStayInTheirOrg: a link 15 minutes old, another
// org's link and another org's session get nowhere; a session ends after
// 12 hours; a flood of requests sends only a few emails.
func TestPortalLinksExpireAndStayInTheirOrg(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	alpha := s.signup("Alpha Care")
	zoeEmail := unique("zoe") + "@example.com"
	alpha.finalized(alpha.client("Zoë Müller-Ng", zoeEmail), "October sessions")
	beta := s.signup("Beta Care")
	// The same person is also a client of Beta.
	beta.finalized(beta.client("Zoë at Beta", zoeEmail), "Beta's invoice")

	// Expired: 15 minutes and a second after it was sent.
	expired := s.signInLink(alpha.orgID, zoeEmail)
	s.clock.advance(15*time.Minute + time.Second)
	if p := s.get(expired, ""); p.status != 404 || !strings.Contains(p.body, "This sign-in link is not valid") || len(p.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("expired link: %d %s", p.status, p.body)
	}

	// Alpha's link presented at Beta's portal is not valid there, and is
	// not used up by trying.
	link := s.signInLink(alpha.orgID, zoeEmail)
	secret := link[strings.LastIndexByte(link, '/')+1:]
	if p := s.get("/portal/"+beta.orgID+"/auth/"+secret, ""); p.status != 404 || len(p.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("another org's link: %d %s", p.status, p.body)
	}
	for name, path := range map[string]string{
		"forged":       "/portal/" + alpha.orgID + "/auth/" + strings.Repeat("A", 43),
		"truncated":    "/portal/" + alpha.orgID + "/auth/" + secret[:42],
		"unknown org":  "/portal/org_00000000000000000000000000/auth/" + secret,
		"not an org":   "/portal/nope/auth/" + secret,
		"not an org 2": "/portal/nope",
	} {
		if p := s.get(path, ""); p.status != 404 || len(p.header.Values("Set-Cookie")) != 0 || strings.Contains(p.body, "Zoë") {
			t.Errorf("%s: %d %s", name, p.status, p.body)
		}
	}
	in := s.get(link, "")
	if in.status != 303 {
		t.Fatalf("alpha's link at alpha: %d %s", in.status, in.body)
	}
	cookie := sessionCookie(t, in)

	// Alpha's session cookie means nothing at Beta.
	if p := s.get("/portal/"+beta.orgID+"/invoices", cookie); p.status != 303 || p.header.Get("Location") != "/portal/"+beta.orgID {
		t.Fatalf("alpha's session at beta: %d %s", p.status, p.body)
	}
	if p := s.get("/portal/"+alpha.orgID+"/invoices", cookie); p.status != 200 || !strings.Contains(p.body, "October sessions") || strings.Contains(p.body, "Beta") {
		t.Fatalf("alpha's list: %d %s", p.status, p.body)
	}

	// Sessions last 12 hours.
	s.clock.advance(12*time.Hour - time.Minute)
	if p := s.get("/portal/"+alpha.orgID+"/invoices", cookie); p.status != 200 {
		t.Fatalf("session before 12 hours: %d", p.status)
	}
	s.clock.advance(2 * time.Minute)
	if p := s.get("/portal/"+alpha.orgID+"/invoices", cookie); p.status != 303 {
		t.Fatalf("session after 12 hours: %d", p.status)
	}

	// At most five links per address per 15 minutes; the answer is the same.
	s.clock.advance(time.Hour)
	before := len(mailsTo(t, zoeEmail))
	for range 7 {
		if p := s.post("/portal/"+alpha.orgID+"/login", "", map[string]string{"email": zoeEmail}); p.status != 200 || !strings.Contains(p.body, "Check your email") {
			t.Fatalf("flooded request: %d %s", p.status, p.body)
		}
	}
	s.deliver()
	if got := len(mailsTo(t, zoeEmail)) - before; got != 5 {
		t.Fatalf("%d emails for 7 requests, want 5", got)
	}
}

// TestPlanManagerSignIn: a plan manager signs in with their own email and
// sees the invoices of every participant they manage, each under the
// participant's name, and no one else's.
func TestPlanManagerSignIn(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	co := s.signup("Coordinated Supports")
	pmEmail := unique("claims") + "@planpartners.example"
	managed := func(name string) string {
		return co.must(201, "POST", "/v1/clients", map[string]any{
			"name": name, "contacts": []map[string]any{{"name": name, "email": unique("p") + "@example.com"}},
			"funding": map[string]any{"type": "plan_managed", "ndisNumber": "431234567", "planManager": map[string]any{"name": "Plan Partners", "email": pmEmail}},
		}).Str("id")
	}
	_, ana := co.finalized(managed("Ana Participant"), "Ana – November")
	_, ben := co.finalized(managed("Ben Participant"), "Ben – November")
	co.finalized(co.client("Cara Self-Managed", unique("cara")+"@example.com"), "Cara – November")

	in := s.get(s.signInLink(co.orgID, pmEmail), "")
	if in.status != 303 {
		t.Fatalf("plan manager's link: %d %s", in.status, in.body)
	}
	list := s.get("/portal/"+co.orgID+"/invoices", sessionCookie(t, in))
	contains(t, "plan manager's list", list.body, "<h2>Ana Participant</h2>", "<h2>Ben Participant</h2>", "Ana – November", "Ben – November", ana, ben)
	if strings.Contains(list.body, "Cara") {
		t.Errorf("plan manager sees another client:\n%s", list.body)
	}
}
