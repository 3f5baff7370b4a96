package web_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/cycle"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/statement"
	"github.com/carebill/carebill/internal/teststack"
	notifierwire "github.com/carebill/carebill/internal/wire/notifier"
)

// issueStatement writes client cid's statement for this month so far, as
// a cycle's close writes it, and returns its id.
func issueStatement(t *testing.T, st *teststack.Stack, orgID, cid string) string {
	t.Helper()
	ctx := context.Background()
	store, err := dynamo.New(dynamodb.NewFromConfig(st.AWS), st.Env(t, "InvoicingFunction")("TABLE_NAME"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := store.GetOrg(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	c, err := store.GetClient(ctx, orgID, cid)
	if err != nil {
		t.Fatal(err)
	}
	today := o.Today(time.Now())
	per := cycle.Period{Start: calendar.Of(today.Year(), today.Month(), 1), End: today}
	// The cycle's record, as the close that writes statements claims it.
	if _, err := store.ClaimCycle(ctx, orgID, per, "test", time.Now(), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var sid string
	_, ok, err := store.CycleStatement(ctx, c, per, func(src statement.Source) (*statement.Issue, bool, error) {
		s, err := statement.Build(statement.Statement{
			ID: id.New(id.Statement, time.Now()), OrgID: orgID, ClientID: cid, CycleID: per.ID(), Kind: statement.Activity,
			From: per.Start, To: per.End, Currency: src.Currency, CreatedAt: time.Now(),
		}, src.Opening, src.Lines, statement.OpenAsAt(src.Invoices, src.Postings, per.End), src.Credit)
		sid = s.ID
		return &statement.Issue{Statement: &s}, true, err
	})
	if err != nil || !ok {
		t.Fatalf("statement of %s: %v", cid, err)
	}
	return sid
}

// TestSendStatement drives the statement page's Send in Chromium: the
// dialog sends by email with a subject, the page shows the delivery
// queued, and once the notifier has sent it, sent. Then the admin deletes
// the statement through its confirmation dialog (once missing from the
// page: the click threw in dom.js and nothing happened), lands on the
// cycles page, and the cycle is reopened for that client.
func TestSendStatement(t *testing.T) {
	t.Parallel()
	base, st := newSiteOn(t)
	b := newBrowser(t, base)
	b.signup("Statement Send Care")
	orgID := b.call(200, "GET", "/v1/org", "")["id"].(string)
	cid := b.call(201, "POST", "/v1/clients", `{name: 'Mia Tran', contacts: [{name: 'Mia Tran', email: 'mia.tran@example.com'}]}`)["id"].(string)
	b.finalizedInvoice(cid, "120.00")
	sid := issueStatement(t, st, orgID, cid)

	b.open("/app/statements/" + sid)
	b.waitText("[data-statement-title]", "Statement — Mia Tran")
	b.click("[data-statement-send]")
	b.waitFor("the send dialog", `document.querySelector('[data-statement-send-dialog]').open`)
	b.fill("[data-statement-send-form] [name=subject]", "Your October statement")
	b.click("[data-statement-send-submit]")
	b.waitFor("the queued delivery", `document.querySelector('[data-deliveries] [data-delivery="email"]')`)
	if got := b.text(`[data-deliveries] [data-delivery="email"] .delivery-to`); got != "mia.tran@example.com" {
		b.fail("delivery to %q", got)
	}

	// The notifier sends it; the page, following it, shows it sent.
	url := st.Resources.IDs["DeliveriesQueue"]
	out, err := sqs.NewFromConfig(st.AWS).ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
		QueueUrl: &url, MaxNumberOfMessages: 1, WaitTimeSeconds: 5,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
	})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("deliveries queue: %d messages, %v", len(out.Messages), err)
	}
	n, err := notifierwire.New(context.Background(), st.Env(t, "NotifierFunction"), st.AWSFor("NotifierFunction"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	res, err := n.Handle(context.Background(), queue.Event(st.Resources.ARNs["DeliveriesQueue"], out.Messages))
	if err != nil || len(res.BatchItemFailures) != 0 {
		t.Fatalf("notifier: %v %v", res, err)
	}
	b.waitFor("the delivery sent", `document.querySelector('[data-deliveries] [data-delivery="email"]')?.dataset.status === 'sent'`)
	ds := b.call(200, "GET", "/v1/statements/"+sid+"/deliveries", "")["data"].([]any)
	if d := ds[0].(map[string]any); len(ds) != 1 || d["subject"] != "Your October statement" || d["status"] != "sent" {
		b.fail("deliveries %v", ds)
	}

	// Delete and reopen the cycle, confirmed in the dialog.
	b.click("[data-statement-delete]")
	b.waitFor("the confirm dialog", `document.querySelector('[data-confirm-dialog]')?.open`)
	b.click("[data-confirm-ok]")
	b.waitFor("the cycles page or an error", `location.pathname === '/app/cycles' || !document.querySelector('[data-page-alert]').hidden`)
	if p := b.path(); p != "/app/cycles" {
		b.fail("still on %s: %s", p, b.text("[data-page-alert]"))
	}
	b.call(404, "GET", "/v1/statements/"+sid, "")
	store, err := dynamo.New(dynamodb.NewFromConfig(st.AWS), st.Env(t, "InvoicingFunction")("TABLE_NAME"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := store.GetClient(context.Background(), orgID, cid)
	if err != nil {
		t.Fatal(err)
	}
	o, err := store.GetOrg(context.Background(), orgID)
	if err != nil {
		t.Fatal(err)
	}
	today := o.Today(time.Now())
	if want := (cycle.Period{Start: calendar.Of(today.Year(), today.Month(), 1), End: today}).ID(); !slices.Contains(c.Reopened, want) {
		t.Fatalf("client's reopened cycles %v, want %s", c.Reopened, want)
	}
}
