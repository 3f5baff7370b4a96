package portal_test

import (
	"html"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/pdf/pdftest"
	"github.com/carebill/carebill/internal/testenv"
)

// TestPortalShowsNamesInEveryScript signs a client named in Korean in to
// the portal of an org named in Vietnamese and Chinese, with invoices
// titled in Arabic and Hebrew: the sign-in email, the invoice list and
// the PDF all show the text as typed (UTF-8 pages, nothing escaped into
// entities or replaced).
func TestPortalShowsNamesInEveryScript(t *testing.T) {
	testenv.Require(t, "pdftotext", "qpdf")
	if err := pdftest.UseRepoFonts(); err != nil {
		t.Fatal(err)
	}
	t.Parallel()
	s := newSite(t)
	orgName := "Chăm sóc Hằng & 陈 Care"
	co := s.signup(orgName)
	addr := unique("minjun") + "@example.com"
	cid := co.client("김민준", addr)
	inv, number := co.finalized(cid, "جلسات محمد – דוד")
	org := co.orgID

	if form := s.get("/portal/"+org, ""); form.status != 200 || !strings.Contains(form.body, html.EscapeString(orgName)) {
		t.Fatalf("sign-in page: %d\n%s", form.status, form.body)
	}
	s.post("/portal/"+org+"/login", "", map[string]string{"email": addr})
	s.deliver()
	mails := mailsTo(t, addr)
	if len(mails) != 1 || !strings.Contains(mails[0], orgName) {
		t.Fatalf("sign-in email: %q", mails)
	}
	in := s.get(linkRE.FindString(mails[0]), "")
	cookie := sessionCookie(t, in)
	list := s.get("/portal/"+org+"/invoices", cookie)
	if list.status != 200 || !strings.Contains(list.header.Get("Content-Type"), "charset=utf-8") {
		t.Fatalf("invoice list: %d %v", list.status, list.header)
	}
	contains(t, "invoice list", list.body, html.EscapeString(orgName), "جلسات محمد – דוד", number)
	txt := pdfText(t, s.get("/portal/"+org+"/invoices/"+inv+"/pdf", cookie))
	contains(t, "portal PDF", strings.Map(func(r rune) rune {
		if r >= '\u202A' && r <= '\u202E' {
			return -1
		}
		return r
	}, txt), "김민준", orgName, number)
}
