package portal_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/testenv"
)

// checkHeaders asserts what every portal response must carry: pay and
// sign-in URLs are secrets, so nothing is cached, framed or referred.
func checkHeaders(t *testing.T, what string, p page) {
	t.Helper()
	h := p.header
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "script-src") ||
		!strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("%s: CSP %q", what, csp)
	}
	for k, want := range map[string]string{
		"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %s = %q, want %q", what, k, got, want)
		}
	}
	if strings.Contains(strings.ToLower(p.body), "<script") {
		t.Errorf("%s: the page has a script", what)
	}
}

func contains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, body)
		}
	}
}

// TestPayPage opens a pay link the way a client does: the invoice with
// the org's brand, dates, lines, totals, payments and balance; its PDF;
// and a "viewed" entry in the coordinator's activity log.
func TestPayPage(t *testing.T) {
	testenv.Require(t, "pdftotext", "qpdf")
	t.Parallel()
	s := newSite(t)
	co := s.signup("Bright Care")
	co.must(200, "PATCH", "/v1/org", map[string]any{
		"legalName": "Bright Care Pty Ltd", "taxId": "51 824 753 556", "email": "accounts@bright.example",
		"branding": map[string]any{"colour": "#0B7A75"},
	})
	zoe := co.client("Zoë Müller-Ng", unique("zoe")+"@example.com")
	iid, number := co.finalized(zoe, "Client Invoice – November")
	link := co.payLink(iid, false)

	p := s.get(link, "")
	if p.status != 200 {
		t.Fatalf("pay page: %d %s", p.status, p.body)
	}
	checkHeaders(t, "pay page", p)
	contains(t, "pay page", p.body, number, "Tax invoice", "Client Invoice – November", "Zoë Müller-Ng", "Bright Care Pty Ltd",
		"ABN 51 824 753 556", "Support coordination", "1 Nov 2026 – 30 Nov 2026", "40 hours × $50.00", "20 miles × $0.25",
		"Consulting services", "$2,000.00", "$5.00", "Subtotal", "$2,055.00", "GST 10%", "$205.50", "Total AUD", "$2,260.50",
		`data-balance>$2,260.50<`, `data-status>Open<`, "PO-7788", "Thank you for your business.", "Download PDF", "Pay $2,260.50 now",
		"--brand:#0B7A75", "accounts@bright.example")
	// The page links its icon, served from this origin, so browsers do not
	// ask for a missing /favicon.ico.
	icon := regexp.MustCompile(`<link rel="icon" href="(/portal/assets/icon\.[0-9a-f]{12}\.svg)"`).FindStringSubmatch(p.body)
	if icon == nil {
		t.Errorf("the pay page links no icon")
	} else if ic := s.get(icon[1], ""); ic.status != 200 || ic.header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(ic.body, "<svg") {
		t.Errorf("icon %s: %d %s", icon[1], ic.status, ic.header.Get("Content-Type"))
	}
	// The brand colour's style block is allowed by its hash, nothing else inline.
	if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self' 'sha256-") {
		t.Errorf("CSP %q does not allow the brand style by hash", csp)
	}

	// The PDF behind the same link.
	txt := pdfText(t, s.get(link+"/pdf", ""))
	contains(t, "PDF", txt, number, "Zoë Müller-Ng", "Bright Care Pty Ltd", "$2,260.50")

	// A part payment shows as paid, and the balance drops.
	co.must(201, "POST", "/v1/payments", map[string]any{"clientId": zoe, "amount": "1000.00", "date": "2026-11-20", "method": "bank_transfer"})
	p = s.get(link, "")
	contains(t, "part-paid pay page", p.body, "−$1,000.00", `data-balance>$1,260.50<`, "Pay $1,260.50 now")

	// Paid in full: no pay button.
	co.must(201, "POST", "/v1/payments", map[string]any{"clientId": zoe, "amount": "1260.50", "date": "2026-11-21", "method": "bank_transfer"})
	p = s.get(link, "")
	contains(t, "paid pay page", p.body, `data-balance>$0.00<`, `data-status>Paid<`, "Paid in full")
	if strings.Contains(p.body, "data-pay") {
		t.Error("a paid invoice offers to pay")
	}

	// Opening the link is in the invoice's activity: once per link per
	// day (the probe's finding 9: every reload wrote a row), so three
	// opens of one link and one of a second link are two views.
	second := co.must(200, "GET", "/v1/invoices/"+iid+"/pay-link", nil).Str("url")
	if p := s.get(second, ""); p.status != 200 {
		t.Fatalf("second link: %d", p.status)
	}
	var kinds []string
	for _, e := range co.must(200, "GET", "/v1/invoices/"+iid+"/activity", nil).List("data") {
		kinds = append(kinds, e["kind"].(string))
	}
	if n := strings.Count(strings.Join(kinds, ","), "viewed"); n != 2 {
		t.Errorf("activity %v: want 2 views", kinds)
	}

	// Overdue: due in the past and still open.
	late := co.must(201, "POST", "/v1/invoices", fmt.Sprintf(`{"clientId":%q,"name":"Late one","issueDate":"2025-01-01","dueDate":"2025-01-15",
		"lineItems":[{"type":"fixed","description":"Session","amount":"100"}]}`, zoe)).Str("id")
	co.must(200, "POST", "/v1/invoices/"+late+"/finalize", nil)
	p = s.get(co.payLink(late, false), "")
	contains(t, "overdue pay page", p.body, `data-status>Overdue<`, "Was due 15 Jan 2025", `data-balance>$110.00<`)

	// Void: nothing to pay.
	gone, _ := co.finalized(zoe, "Issued in error")
	goneLink := co.payLink(gone, false)
	co.must(200, "POST", "/v1/invoices/"+gone+"/void", map[string]any{"reason": "Issued in error"})
	p = s.get(goneLink, "")
	contains(t, "void pay page", p.body, `data-status>Void<`, "nothing is owed", `data-balance>$0.00<`)
	if strings.Contains(p.body, "data-pay") {
		t.Error("a void invoice offers to pay")
	}
}

// TestBadPayLinks: a guessed, truncated, malformed, revoked or other org's
// link gets the one not-valid page, 404, with nothing of any invoice.
func TestBadPayLinks(t *testing.T) {
	testenv.Require(t, "pdftotext", "qpdf")
	t.Parallel()
	s := newSite(t)
	alpha := s.signup("Alpha Care")
	zoe := alpha.client("Zoë Müller-Ng", unique("zoe")+"@example.com")
	iid, number := alpha.finalized(zoe, "Client Invoice – November")
	old := alpha.payLink(iid, false)
	current := alpha.payLink(iid, true) // rotation revokes the first link
	beta := s.signup("Beta Care")
	betaClient := beta.client("Beta Client", unique("bc")+"@example.com")
	betaInv, _ := beta.finalized(betaClient, "Beta invoice")
	betaLink := beta.payLink(betaInv, false)

	token := current[strings.LastIndex(current, "/")+1:]
	orgID, secret, _ := strings.Cut(token, ".")
	betaOrg, betaSecret, _ := strings.Cut(betaLink[strings.LastIndex(betaLink, "/")+1:], ".")
	if orgID != alpha.orgID || betaOrg != beta.orgID {
		t.Fatalf("pay links %s, %s do not carry their orgs", current, betaLink)
	}
	guessed := strings.Repeat("A", 43)
	notValid := s.get("/pay/"+orgID+"."+guessed, "").body

	for name, path := range map[string]string{
		"guessed":             "/pay/" + orgID + "." + guessed,
		"truncated":           "/pay/" + token[:len(token)-1],
		"one character off":   "/pay/" + token[:len(token)-1] + flip(token[len(token)-1]),
		"no secret":           "/pay/" + orgID,
		"malformed":           "/pay/not-a-token",
		"escaped junk":        "/pay/%3Cscript%3E",
		"revoked by rotation": old[strings.Index(old, "/pay/"):],
		"another org's id":    "/pay/" + betaOrg + "." + secret,
		"another org's link":  "/pay/" + orgID + "." + betaSecret,
		"unknown org":         "/pay/org_00000000000000000000000000." + secret,
	} {
		for _, suffix := range []string{"", "/pdf"} {
			p := s.get(path+suffix, "")
			if p.status != 404 || !strings.Contains(p.body, "This link is not valid") || p.body != notValid {
				t.Errorf("%s%s: %d, not the one not-valid page:\n%s", name, suffix, p.status, p.body)
			}
			checkHeaders(t, name, p)
			for _, leak := range []string{number, "Zoë", "Alpha Care", "Beta", "2,260.50", "Client Invoice"} {
				if strings.Contains(p.body, leak) {
					t.Errorf("%s%s shows %q", name, suffix, leak)
				}
			}
		}
	}
	// The current link still works, and the other org's own link opens its own invoice.
	contains(t, "current link", s.get(current, "").body, number, "Zoë Müller-Ng")
	contains(t, "beta's link", s.get(betaLink, "").body, "Beta invoice", "Beta Care")
}

// flip is another base64url character than c.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}
