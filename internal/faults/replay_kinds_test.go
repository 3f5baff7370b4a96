package faults_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/cycle"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/faults"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/statement"
)

// replayKind is one kind of thing a keyed POST makes or changes, for
// TestRetryAfterCrashAnswersEachKind.
type replayKind struct {
	name, path string
	body       any
	// status is the route's success; location the prefix of its
	// Location ("" when it answers none).
	status   int
	location string
	// before lets the time pass that other holds than the key's need
	// (a send's 30 s claim).
	before func()
	// state reads what the request changes: it must change once, when
	// the first run's transaction commits, and never again.
	state func() string
	// made is the id the answer must name, read after the crash; answer
	// picks it from the answer (its "id" when nil).
	made   func() string
	answer func(reply) string
	// queues says the request queues one delivery, which the first run
	// died before queuing and the retry queues.
	queues bool
	// after checks more once the retry answered (nil: nothing more).
	after func(t *testing.T, made string)
}

// TestRetryAfterCrashAnswersEachKind, one subtest per kind a keyed POST
// makes or changes beyond TestCrashAfterCommitThenRetryAfterExpiry's: the
// function dies right after the request's transaction commits; once the
// key's in-progress record has expired, the retry answers the route's
// success status with the thing the first run made (the same id),
// marked Idempotent-Replayed; nothing changes a second time, and a later
// retry replays the same answer. A receipt email or statement send that
// died before queuing its delivery has it queued by the retry.
func TestRetryAfterCrashAnswersEachKind(t *testing.T) {
	t.Parallel()
	s := newCoordinatorAPI(t)
	s.srv.Config.ErrorLog = discardLog
	cid := s.client("kinds-"+unique()+"@example.com", "")
	toReissue := s.draft(cid)
	s.must(200, "POST", "/v1/invoices/"+toReissue+"/finalize", nil)
	toResend := s.draft(cid)
	s.must(200, "POST", "/v1/invoices/"+toResend+"/send", map[string]any{"channels": []string{"email"}})

	// A client in credit (a credit note on a paid invoice, kept as
	// credit) and an open invoice, which its finalizing paid in part from
	// that credit: credit to unapply, then to apply again.
	creditor := s.client("credit-"+unique()+"@example.com", "")
	paid := s.draft(creditor)
	s.must(200, "POST", "/v1/invoices/"+paid+"/finalize", nil)
	s.must(201, "POST", "/v1/payments", map[string]any{"clientId": creditor, "amount": "2260.50", "method": "cash"})
	s.must(201, "POST", "/v1/credit-notes", map[string]any{"invoiceId": paid, "amount": "100.00", "reason": "Goodwill", "excessTo": "client_credit"})
	toCredit := s.draft(creditor)
	s.must(200, "POST", "/v1/invoices/"+toCredit+"/finalize", nil)
	payer := s.client("payer-"+unique()+"@example.com", "")
	payInv := s.draft(payer)
	s.must(200, "POST", "/v1/invoices/"+payInv+"/finalize", nil)
	toRefund := s.must(201, "POST", "/v1/payments", map[string]any{"clientId": payer, "amount": "500.00", "method": "cash"}).str("id")
	toReverse := s.must(201, "POST", "/v1/payments", map[string]any{"clientId": payer, "amount": "200.00", "method": "cash"}).str("id")
	stmt := s.issueStatement(cid)

	invoiceField := func(iid, field string) func() string {
		return func() string { return s.must(200, "GET", "/v1/invoices/"+iid, nil).str(field) }
	}
	count := func(path string) func() string {
		return func() string { return strconv.Itoa(len(s.must(200, "GET", path, nil).list("data"))) }
	}
	newest := func(path string) func() string {
		return func() string {
			ds := s.must(200, "GET", path, nil).list("data")
			if len(ds) == 0 {
				return ""
			}
			return fmt.Sprint(ds[0]["id"])
		}
	}
	replacing := func() []string { // drafts correcting toReissue
		var ids []string
		for _, inv := range s.must(200, "GET", "/v1/invoices?clientId="+cid, nil).list("data") {
			if inv["replacesId"] == toReissue {
				ids = append(ids, fmt.Sprint(inv["id"]))
			}
		}
		return ids
	}
	firstDelivery := func(r reply) string {
		if ds := r.list("deliveries"); len(ds) == 1 {
			return fmt.Sprint(ds[0]["id"])
		}
		return fmt.Sprintf("%d deliveries", len(r.list("deliveries")))
	}
	for _, c := range []replayKind{
		{name: "reissue", path: "/v1/invoices/" + toReissue + "/reissue", body: map[string]any{"reason": "Wrong rate"}, status: 201,
			state: func() string { return strconv.Itoa(len(replacing())) },
			made: func() string {
				if ids := replacing(); len(ids) == 1 {
					return ids[0]
				}
				return "no one draft"
			},
			after: func(t *testing.T, made string) {
				// The retry linked the void invoice to the first run's draft,
				// which the crash left unlinked.
				if got := invoiceField(toReissue, "replacedById")(); got != made {
					t.Errorf("the re-issued invoice names %q as its correction, want %s", got, made)
				}
			}},
		{name: "resend", path: "/v1/invoices/" + toResend + "/resend", body: map[string]any{"channels": []string{"email"}}, status: 200,
			before: s.lapseSendClaims, state: count("/v1/invoices/" + toResend + "/deliveries"),
			made: newest("/v1/invoices/" + toResend + "/deliveries"), answer: firstDelivery},
		{name: "unapply credit", path: "/v1/invoices/" + toCredit + "/unapply-credit", body: map[string]any{"amount": "10.00"}, status: 200,
			state: invoiceField(toCredit, "balance"), made: func() string { return toCredit }},
		{name: "apply credit", path: "/v1/invoices/" + toCredit + "/apply-credit", body: map[string]any{"amount": "10.00"}, status: 200,
			state: invoiceField(toCredit, "balance"), made: func() string { return toCredit }},
		{name: "refund", path: "/v1/payments/" + toRefund + "/refund", body: map[string]any{"amount": "1.00", "reason": "Returned"}, status: 200,
			state: func() string { return s.must(200, "GET", "/v1/payments/"+toRefund, nil).str("refunded") }, made: func() string { return toRefund }},
		{name: "reverse", path: "/v1/payments/" + toReverse + "/reverse", body: map[string]any{"reason": "Bounced"}, status: 200,
			state: func() string { return s.must(200, "GET", "/v1/payments/"+toReverse, nil).str("left") }, made: func() string { return toReverse }},
		{name: "receipt email", path: "/v1/payments/" + toRefund + "/email-receipt", body: map[string]any{}, status: 202, queues: true,
			state: count("/v1/payments/" + toRefund + "/deliveries"), made: newest("/v1/payments/" + toRefund + "/deliveries")},
		{name: "statement send", path: "/v1/statements/" + stmt + "/send", body: map[string]any{"channels": []string{"email"}}, status: 200, queues: true,
			before: s.lapseSendClaims,
			state:  count("/v1/statements/" + stmt + "/deliveries"), made: newest("/v1/statements/" + stmt + "/deliveries"), answer: firstDelivery},
		{name: "recurring charge", path: "/v1/clients/" + cid + "/recurring-charges", status: 201, location: "/v1/clients/" + cid + "/recurring-charges/",
			body:  map[string]any{"description": "Weekly check-in", "amount": "50.00", "frequency": "weekly", "weekday": "monday", "start": "2027-01-04"},
			state: count("/v1/clients/" + cid + "/recurring-charges"), made: newest("/v1/clients/" + cid + "/recurring-charges")},
		{name: "session", path: "/v1/sessions", status: 201, location: "/v1/sessions/",
			body:  map[string]any{"clientId": cid, "start": "2026-11-05T10:00:00+11:00", "durationMinutes": 45, "service": map[string]any{"description": "Therapy", "price": "150.00"}},
			state: count("/v1/sessions?from=2026-11-01&to=2026-11-30&clientId=" + cid), made: newest("/v1/sessions?from=2026-11-01&to=2026-11-30&clientId=" + cid)},
		{name: "case", path: "/v1/cases", status: 201, location: "/v1/cases/",
			body:  map[string]any{"clientId": cid, "doctor": "Dr Okafor", "eventDate": "2026-11-02", "products": []map[string]any{{"description": "Insert", "manufacturer": "Acme", "quantity": "1", "rate": "10.00"}}},
			state: count("/v1/cases?status=pending_po"), made: newest("/v1/cases?status=pending_po")},
		{name: "task", path: "/v1/tasks", status: 201, location: "/v1/tasks/",
			body:  map[string]any{"clientId": cid, "supportItem": "07_002_0106_8_3", "date": "2026-11-04", "durationMinutes": 60, "rate": "100.00"},
			state: count("/v1/tasks?clientId=" + cid), made: newest("/v1/tasks?clientId=" + cid)},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Cleanup(s.aws.Clear)
			before := c.state()
			depth := s.queueDepth("DeliveriesQueue")
			key := "kind-" + unique()
			if c.before != nil {
				c.before()
			}
			crash := s.aws.Add(faults.Rule{Service: "DynamoDB", Operation: "TransactWriteItems", Match: marked, Times: 1, Mode: faults.Crash})
			if r := s.try("POST", c.path, c.body, "Idempotency-Key", key); r.err == nil {
				t.Fatalf("the crashed request answered %d %s, want no answer", r.status, r.raw)
			}
			if crash.Faulted() != 1 {
				t.Fatalf("the request's write carried no request marker (crash injected %d times)", crash.Faulted())
			}
			crashed := c.state()
			if crashed == before {
				t.Fatalf("state %q unchanged by the crashed request: its transaction did not commit", crashed)
			}
			made := c.made()
			s.expireInProgress()
			if c.before != nil {
				c.before()
			}
			r := s.do("POST", c.path, c.body, "Idempotency-Key", key)
			if r.status != c.status || r.header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("retry after the crash = %d %s (replayed %q), want %d replayed", r.status, r.raw, r.header.Get("Idempotent-Replayed"), c.status)
			}
			got := r.str("id")
			if c.answer != nil {
				got = c.answer(r)
			}
			if got != made {
				t.Errorf("the retry answered %s, want what the first run made, %s", got, made)
			}
			if c.location != "" && r.header.Get("Location") != c.location+made {
				t.Errorf("Location %q, want %q", r.header.Get("Location"), c.location+made)
			}
			if after := c.state(); after != crashed {
				t.Errorf("state %q after the retry, %q after the first run: the retry did it again", after, crashed)
			}
			if c.after != nil {
				c.after(t, made)
			}
			if c.queues {
				if n := s.queueDepth("DeliveriesQueue"); n != depth+1 {
					t.Errorf("%d deliveries queued after the retry, %d before the request: want the first run's one", n, depth)
				}
			}
			again := s.do("POST", c.path, c.body, "Idempotency-Key", key)
			if again.raw != r.raw || again.status != c.status || again.header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("a later retry = %d %s, want the same answer replayed", again.status, again.raw)
			}
		})
	}

	// What the first run made was deleted before the retry: its answer
	// cannot be rebuilt, so the retry keeps 409 request_already_applied
	// naming it, and makes nothing.
	t.Run("deleted since", func(t *testing.T) {
		t.Cleanup(s.aws.Clear)
		body := map[string]any{"clientId": cid, "name": "Deleted since", "lineItems": []map[string]any{{"type": "fixed", "description": "Plan review", "amount": "120"}}}
		named := func() []string {
			var ids []string
			for _, inv := range s.must(200, "GET", "/v1/invoices?clientId="+cid, nil).list("data") {
				if inv["name"] == "Deleted since" {
					ids = append(ids, fmt.Sprint(inv["id"]))
				}
			}
			return ids
		}
		key := "kind-" + unique()
		s.aws.Add(faults.Rule{Service: "DynamoDB", Operation: "TransactWriteItems", Match: marked, Times: 1, Mode: faults.Crash})
		if r := s.try("POST", "/v1/invoices", body, "Idempotency-Key", key); r.err == nil {
			t.Fatalf("the crashed request answered %d %s, want no answer", r.status, r.raw)
		}
		ids := named()
		if len(ids) != 1 {
			t.Fatalf("drafts after the crash: %v, want the first run's one", ids)
		}
		s.must(204, "DELETE", "/v1/invoices/"+ids[0], nil)
		s.expireInProgress()
		r := s.do("POST", "/v1/invoices", body, "Idempotency-Key", key)
		if r.status != 409 || r.str("error", "code") != "request_already_applied" || r.str("error", "id") != ids[0] {
			t.Errorf("retry after the draft was deleted = %d %s, want 409 request_already_applied naming %s", r.status, r.raw, ids[0])
		}
		if got := named(); len(got) != 0 {
			t.Errorf("the retry made %v", got)
		}
	})
}

// issueStatement writes client cid's statement for this month so far,
// as a cycle's close writes it, and returns its id.
func (s *system) issueStatement(cid string) string {
	s.t.Helper()
	ctx := context.Background()
	store, err := dynamo.New(dynamodb.NewFromConfig(s.st.AWS), s.st.Env(s.t, "InvoicingFunction")("TABLE_NAME"))
	if err != nil {
		s.t.Fatal(err)
	}
	orgID := s.must(200, "GET", "/v1/org", nil).str("id")
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
		s.t.Fatalf("statement of %s: %v", cid, err)
	}
	return st.ID
}
