package portal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/cycle"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/statement"
)

// issueStatement writes client cid's statement for this month so far, as
// a cycle's close writes it, and returns its id.
func (s *site) issueStatement(orgID, cid string) string {
	s.t.Helper()
	ctx := context.Background()
	store, err := dynamo.New(dynamodb.NewFromConfig(s.st.AWS), s.st.Env(s.t, "InvoicingFunction")("TABLE_NAME"))
	if err != nil {
		s.t.Fatal(err)
	}
	o, err := store.GetOrg(ctx, orgID)
	if err != nil {
		s.t.Fatal(err)
	}
	c, err := store.GetClient(ctx, orgID, cid)
	if err != nil {
		s.t.Fatal(err)
	}
	today := o.Today(time.Now())
	per := cycle.Period{Start: calendar.Of(today.Year(), today.Month(), 1), End: today}
	var sid string
	_, ok, err := store.CycleStatement(ctx, c, per, func(src statement.Source) (*statement.Issue, bool, error) {
		st, err := statement.Build(statement.Statement{
			ID: id.New(id.Statement, time.Now()), OrgID: orgID, ClientID: cid, CycleID: per.ID(), Kind: statement.Activity,
			From: per.Start, To: per.End, Currency: src.Currency, CreatedAt: time.Now(),
		}, src.Opening, src.Lines, statement.OpenAsAt(src.Invoices, src.Postings, per.End), src.Credit)
		sid = st.ID
		return &statement.Issue{Statement: &st}, true, err
	})
	if err != nil || !ok {
		s.t.Fatalf("statement of %s: %v", cid, err)
	}
	return sid
}

// The portal's statements and Pay all: a client sees their own
// statements with PDFs and nobody else's, and Pay all takes them to one
// payment of everything open; a forged form changes nothing.
func TestPortalStatementsAndPayAll(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	co := s.signup("Statement Portal Care")
	email, otherEmail := unique("mia")+"@example.com", unique("ben")+"@example.com"
	mia, ben := co.client("Mia Tran", email), co.client("Ben Okafor", otherEmail)
	co.finalized(mia, "October")
	co.finalized(ben, "October")
	mine, theirs := s.issueStatement(co.orgID, mia), s.issueStatement(co.orgID, ben)
	cookie := sessionCookie(t, s.get(s.signInLink(co.orgID, email), ""))

	list := s.get("/portal/"+co.orgID+"/invoices", cookie)
	if list.status != 200 || !strings.Contains(list.body, `data-statement="`+mine+`"`) || strings.Contains(list.body, theirs) || !strings.Contains(list.body, "data-pay-all") {
		t.Fatalf("portal list %d:\n%s", list.status, list.body)
	}
	pdf := s.get("/portal/"+co.orgID+"/statements/"+mine+"/pdf", cookie)
	if pdf.status != 200 || pdf.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("own statement PDF: %d %s", pdf.status, pdf.header)
	}
	if txt := pdfText(t, pdf); !strings.Contains(txt, "Mia Tran") || !strings.Contains(txt, "$2,260.50") {
		t.Fatalf("statement PDF:\n%s", txt)
	}
	for _, p := range []string{theirs, "stm_0000000000000000000000000a", "nonsense"} {
		if r := s.get("/portal/"+co.orgID+"/statements/"+p+"/pdf", cookie); r.status != 404 {
			t.Errorf("statement %s: %d", p, r.status)
		}
	}
	if r := s.get("/portal/"+co.orgID+"/statements/"+mine+"/pdf", ""); r.status != 303 {
		t.Errorf("signed out: %d", r.status)
	}

	if r := s.postFrom("https://evil.example", "/portal/"+co.orgID+"/pay-all", cookie, map[string]string{"client": mia}); r.status != 403 || r.header.Get("Location") != "" {
		t.Errorf("pay all posted from another site: %d %v", r.status, r.header)
	}
	if r := s.post("/portal/"+co.orgID+"/pay-all", cookie, map[string]string{"client": ben}); r.status != 404 {
		t.Errorf("pay all for another client: %d", r.status)
	}
	r := s.postFrom(s.url, "/portal/"+co.orgID+"/pay-all", cookie, map[string]string{"client": mia})
	loc := r.header.Get("Location")
	if r.status != 303 || !strings.HasPrefix(loc, s.url+"/pay-all/"+co.orgID+".") {
		t.Fatalf("pay all: %d %q", r.status, loc)
	}
	page := s.get(loc, "")
	if page.status != 200 || !strings.Contains(page.body, "$2,260.50") || !strings.Contains(page.body, `action="/pay-all/`) || strings.Contains(page.body, "Ben Okafor") {
		t.Fatalf("pay-all page %d:\n%s", page.status, page.body)
	}
	// Paid in part after the statement: the statement keeps its balance as
	// at its date, and the pay-all page shows, and says it shows, what is
	// open now.
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(syd)
	co.must(201, "POST", "/v1/payments", map[string]any{"clientId": mia, "amount": "260.50", "date": now.Format("2006-01-02"), "method": "bank_transfer"})
	page = s.get(loc, "")
	if page.status != 200 || !strings.Contains(page.body, "data-total>$2,000.00<") ||
		!strings.Contains(page.body, `Open now, <span class="nw" data-today>`+now.Format("2 Jan 2006")+`</span>`) ||
		!strings.Contains(page.body, "A statement shows its balance as at its own date") {
		t.Fatalf("pay-all page after a payment %d:\n%s", page.status, page.body)
	}
	if txt := pdfText(t, s.get("/portal/"+co.orgID+"/statements/"+mine+"/pdf", cookie)); !strings.Contains(txt, "$2,260.50") {
		t.Fatalf("statement PDF after the payment:\n%s", txt)
	}
	// A pay-all link is no invoice's pay link.
	if r := s.get(strings.Replace(loc, "/pay-all/", "/pay/", 1), ""); r.status != 404 {
		t.Errorf("pay-all token on /pay/: %d", r.status)
	}
}
