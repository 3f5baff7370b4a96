package notify_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/cycle"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/statement"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/testkit"
)

// payAllRE is a pay-all link under the test server.
var payAllRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+/pay-all/org_[0-9a-z]{26}\.[A-Za-z0-9_-]{43}`)

// issueStatement writes client cid's statement for this month so far, as
// a cycle's close writes it, and returns its id.
func (h *harness) issueStatement(cid string) string {
	h.t.Helper()
	ctx := context.Background()
	store, err := dynamo.New(dynamodb.NewFromConfig(h.st.AWS), h.st.Env(h.t, "InvoicingFunction")("TABLE_NAME"))
	if err != nil {
		h.t.Fatal(err)
	}
	orgID := h.must(200, "GET", "/v1/org", nil).str("id")
	o, err := store.GetOrg(ctx, orgID)
	if err != nil {
		h.t.Fatal(err)
	}
	c, err := store.GetClient(ctx, orgID, cid)
	if err != nil {
		h.t.Fatal(err)
	}
	today := o.Today(time.Now())
	per := cycle.Period{Start: calendar.Of(today.Year(), today.Month(), 1), End: today}
	var st *statement.Statement
	_, ok, err := store.CycleStatement(ctx, c, per, func(src statement.Source) (*statement.Issue, bool, error) {
		built, err := statement.Build(statement.Statement{
			ID: id.New(id.Statement, time.Now()), OrgID: orgID, ClientID: cid, CycleID: per.ID(), Kind: statement.Activity,
			From: per.Start, To: per.End, Currency: src.Currency, CreatedAt: time.Now(),
		}, src.Opening, src.Lines, statement.OpenAsAt(src.Invoices, src.Postings, per.End), src.Credit)
		st = &built
		return &statement.Issue{Statement: st}, true, err
	})
	if err != nil || !ok {
		h.t.Fatalf("statement of %s: %v", cid, err)
	}
	return st.ID
}

// A statement emailed and texted: one delivery per channel through the
// notifier, the email with the statement PDF and one pay-all link, the
// text with the link; the link opens everything the client has open; a
// repeated request and redelivered messages send once.
func TestStatementByEmailAndSMS(t *testing.T) {
	testenv.Require(t, "qpdf", "pdftotext")
	t.Parallel()
	h := newHarness(t, "Statement Care")
	addr, phone := "stmt-"+unique()+"@example.com", uniquePhone()
	cid := h.client(map[string]any{"name": "Mia Tran", "contacts": []map[string]any{{"name": "Mia", "email": addr, "phone": phone}}})
	first, second := h.draft(cid), h.draft(cid)
	for _, iid := range []string{first, second} {
		h.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
	}
	sid := h.issueStatement(cid)

	h.must(404, "POST", "/v1/statements/stm_0000000000000000000000000a/send", map[string]any{"channels": []string{"email"}})
	h.must(400, "POST", "/v1/statements/"+sid+"/send", map[string]any{"channels": []string{"fax"}})
	body := map[string]any{"channels": []string{"email", "sms"}, "subject": "Your statement", "message": "Hello Mia,\n\nYour statement is attached."}
	sent := h.must(200, "POST", "/v1/statements/"+sid+"/send", body)
	ds := sent.list("deliveries")
	if len(ds) != 2 || ds[0]["statementId"] != sid || ds[0]["status"] != "queued" || ds[0]["channel"] != "email" || ds[0]["recipient"] != addr ||
		ds[0]["subject"] != "Your statement" || ds[1]["channel"] != "sms" || ds[1]["recipient"] != phone {
		t.Fatalf("send: %s", sent.raw)
	}
	if strings.Contains(sent.raw, "/pay-all/") {
		t.Fatalf("the send response carries a pay link's secret: %s", sent.raw)
	}
	// A double click within the send window sends nothing more.
	if again := h.must(200, "POST", "/v1/statements/"+sid+"/send", body); len(again.list("deliveries")) != 0 {
		t.Fatalf("repeated send: %s", again.raw)
	}

	ev := h.receive(2, 30)
	n := h.notifier(nil)
	for i := range 3 { // SQS delivers at least once
		if failed := handle(t, n, ev); len(failed) != 0 {
			t.Fatalf("handling %d: failures %v", i+1, failed)
		}
	}
	mails := mailsTo(t, addr)
	if len(mails) != 1 {
		t.Fatalf("%d emails to %s", len(mails), addr)
	}
	m := mails[0]
	link := payAllRE.FindString(m.Text)
	if m.Subject != "Your statement" || link == "" || !strings.Contains(m.Text, "Your statement is attached.") || !strings.Contains(m.Text, "$4,521.00 owing") ||
		!strings.Contains(m.HTML, `href="`+link+`"`) || !strings.Contains(m.HTML, "See and pay what is open now") {
		t.Fatalf("statement email %q:\n%s\n%s", m.Subject, m.Text, m.HTML)
	}
	var pdf []byte
	for name, b := range m.Attachments {
		if strings.HasPrefix(name, "Statement ") && strings.HasSuffix(name, ".pdf") {
			pdf = b
		}
	}
	if pdf == nil {
		t.Fatalf("attachments %v, want the statement PDF", m.Attachments)
	}
	txt := testkit.PDFText(t, pdf)
	for _, want := range []string{"Statement of account", "Mia Tran", "INV-00001", "INV-00002", "$4,521.00"} {
		if !strings.Contains(txt, want) {
			t.Errorf("statement PDF lacks %q:\n%s", want, txt)
		}
	}
	// The balance is the statement's, as at its date; the link shows what
	// is open when it is opened, and the email says so.
	if !strings.Contains(m.Text, "$4,521.00 owing as at ") || !strings.Contains(m.Text, "What is open now (payments since ") ||
		!strings.Contains(m.HTML, "Balance as at ") || !strings.Contains(m.HTML, "The link shows today’s balance") {
		t.Fatalf("statement email does not tell the statement's balance from today's:\n%s\n%s", m.Text, m.HTML)
	}
	texts := textsTo(t, phone)
	if len(texts) != 1 || !strings.Contains(texts[0], link) || !strings.Contains(texts[0], "$4,521.00 owing as at ") || !strings.Contains(texts[0], "See and pay what is open now") {
		t.Fatalf("texts %q, want one with %s", texts, link)
	}
	for _, d := range h.must(200, "GET", "/v1/statements/"+sid+"/deliveries", nil).list("data") {
		if d["status"] != "sent" || d["attempts"] != float64(1) {
			t.Errorf("delivery after the notifier ran: %v", d)
		}
	}
	var kinds []string
	for _, e := range h.must(200, "GET", "/v1/activity?clientId="+cid, nil).list("data") {
		kinds = append(kinds, fmt.Sprint(e["kind"], ":", e["channel"]))
	}
	for _, want := range []string{"statement_sent:email", "statement_sent:sms", "statement_delivered:email", "statement_delivered:sms"} {
		if !strings.Contains(strings.Join(kinds, " "), want) {
			t.Errorf("activity %v lacks %s", kinds, want)
		}
	}

	// The link opens both open invoices and their total.
	res, page := h.openPage(link)
	if res != 200 || !strings.Contains(page, "INV-00001") || !strings.Contains(page, "INV-00002") || !strings.Contains(page, "$4,521.00") || !strings.Contains(page, "data-pay-all") {
		t.Fatalf("pay-all page %d:\n%s", res, page)
	}
}

// openPage opens a link as the client's browser does.
func (h *harness) openPage(link string) (int, string) {
	h.t.Helper()
	res, err := http.Get(link)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}
