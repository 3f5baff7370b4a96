package billing_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/runworker"
)

// runWorld is a world with invoice runs: the runs and deliveries queues
// in moto, the use cases, and the worker's handler.
type runWorld struct {
	*world
	runs    *billing.Runs
	coord   *billing.Coordination
	handler *runworker.Handler
	sqs     *sqs.Client
	runsURL string
	dlvURL  string
}

func newRunWorld(t *testing.T, store billing.RunStore) *runWorld {
	t.Helper()
	w := newWorld(t, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), func(s *org.Settings) {
		s.LegalName, s.TaxID = "Harbour Coordination Pty Ltd", "51824753556"
	})
	w.at("2026-12-01 09:00")
	api := sqs.NewFromConfig(w.aws)
	rw := &runWorld{world: w, sqs: api, runsURL: w.env("RUNS_QUEUE_URL"), dlvURL: w.env("DELIVERIES_QUEUE_URL")}
	rq, err := queue.NewRuns(api, rw.runsURL, w.env("RUNS_DLQ_URL"))
	if err != nil {
		t.Fatal(err)
	}
	dq, err := queue.NewDeliveries(api, rw.dlvURL)
	if err != nil {
		t.Fatal(err)
	}
	sender, err := billing.NewSender(w.svc, w.store, dq)
	if err != nil {
		t.Fatal(err)
	}
	if store == nil {
		store = w.store
	}
	if cs, ok := store.(*crashingStore); ok {
		cs.RunStore = w.store
	}
	if rw.runs, err = billing.NewRuns(w.svc, store, rq, sender, "https://billing.example.com"); err != nil {
		t.Fatal(err)
	}
	if rw.coord, err = billing.NewCoordination(w.svc, w.store); err != nil {
		t.Fatal(err)
	}
	if rw.handler, err = runworker.New(rw.runs, w.store, 5, w.clock.Now, slog.New(slog.NewTextHandler(testLog{t}, nil))); err != nil {
		t.Fatal(err)
	}
	if _, err := rw.runs.SetProviderSettings(ctx, w.admin, run.ProviderSettings{Registration: "4050012345"}); err != nil {
		t.Fatal(err)
	}
	return rw
}

// participant adds an NDIS participant with a plan and tasks on the given
// November days (60 minutes each, $100.14 an hour).
func (w *runWorld) participant(name string, ft client.FundingType, ndisNo string, days ...int) string {
	w.t.Helper()
	p := client.Profile{Name: name, Contacts: []client.Contact{{Name: name, Email: strings.ToLower(strings.Fields(name)[0]) + "@example.com", Phone: "+61412345678"}},
		Funding: client.Funding{Type: ft, NDISNumber: ndisNo}}
	if ft == client.PlanManaged {
		p.Funding.PlanManager = &client.PlanManager{Name: "Plan Partners", Email: "invoices@planpartners.example"}
	}
	c, err := w.svc.CreateClient(ctx, w.admin, p)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.coord.SetPlan(ctx, w.admin, ndis.Plan{ClientID: c.Client.ID, Start: day("2026-07-01"), End: day("2027-06-30"),
		Remoteness: ndis.National, Budgets: map[string]decimal.Decimal{"07": amt("9000")}}); err != nil {
		w.t.Fatal(err)
	}
	for i, d := range days {
		tk := ndis.Task{ClientID: c.Client.ID, SupportItem: "07_002_0106_8_3", Date: day(fmt.Sprintf("2026-11-%02d", d)), Minutes: 60 - 10*(i%2), Rate: amt("100.14")}
		if i == 2 {
			tk.ClaimType = ndis.Telehealth
		}
		if _, err := w.coord.RecordTask(ctx, w.admin, tk); err != nil {
			w.t.Fatal(err)
		}
	}
	return c.Client.ID
}

// receive takes every message now on the runs queue (deleting them) as
// one SQS event per batch of ten.
func (w *runWorld) receive() []events.SQSEvent {
	w.t.Helper()
	var out []events.SQSEvent
	for {
		res, err := w.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &w.runsURL, MaxNumberOfMessages: 10,
			MessageSystemAttributeNames: []sqsAttr{"All"}, VisibilityTimeout: 60})
		if err != nil {
			w.t.Fatal(err)
		}
		if len(res.Messages) == 0 {
			return out
		}
		for _, m := range res.Messages {
			if _, err := w.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &w.runsURL, ReceiptHandle: m.ReceiptHandle}); err != nil {
				w.t.Fatal(err)
			}
		}
		out = append(out, queue.Event("arn:aws:sqs:ap-southeast-2:123456789012:runs", res.Messages))
	}
}

// drain runs the worker over every message until the queue is empty,
// failing on any partial batch failure.
func (w *runWorld) drain() {
	w.t.Helper()
	for _, ev := range w.receive() {
		w.handle(ev)
	}
}

func (w *runWorld) handle(ev events.SQSEvent) {
	w.t.Helper()
	resp, err := w.handler.Handle(ctx, ev)
	if err != nil || len(resp.BatchItemFailures) > 0 {
		w.t.Fatalf("worker: %v, failures %v", err, resp.BatchItemFailures)
	}
}

func (w *runWorld) start(dry bool, exclude ...string) *run.Run {
	w.t.Helper()
	rn, err := w.runs.Start(ctx, w.admin, billing.StartRequest{PeriodStart: day("2026-11-01"), PeriodEnd: day("2026-11-30"), DryRun: dry, Exclude: exclude})
	if err != nil {
		w.t.Fatal(err)
	}
	return rn
}

func (w *runWorld) view(id string) billing.RunView {
	w.t.Helper()
	v, err := w.runs.Run(ctx, w.admin, id, 200, "")
	if err != nil {
		w.t.Fatal(err)
	}
	return v
}

func (w *runWorld) deliveries(invoiceID string) []*delivery.Delivery {
	w.t.Helper()
	ds, _, err := w.store.ListDeliveries(ctx, w.org.ID, invoiceID, 50, "")
	if err != nil {
		w.t.Fatal(err)
	}
	return ds
}

// numbers are the org's invoice numbers, sorted.
func (w *runWorld) numbers() []string {
	w.t.Helper()
	invs, _, err := w.store.ListInvoices(ctx, w.org.ID, invoice.ListFilter{Limit: 200})
	if err != nil {
		w.t.Fatal(err)
	}
	var out []string
	for _, inv := range invs {
		if inv.Number != "" {
			out = append(out, inv.Number)
		}
	}
	sort.Strings(out)
	return out
}

func gapless(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = invoice.FormatNumber("INV-", int64(i+1))
	}
	return out
}

func TestDryRunPreviewsWhatTheRealRunProduces(t *testing.T) {
	t.Parallel()
	w := newRunWorld(t, nil)
	self := w.participant("Ada Ngata", client.SelfManaged, "431234567", 3, 10, 17)
	plan := w.participant("Ben Ruiz", client.PlanManaged, "431234568", 4, 11, 18, 25)
	ndia := w.participant("Cal Osei", client.NDIAManaged, "431234569", 5, 12, 19)
	w.client("Not a participant") // no NDIS funding: not in runs

	dry := w.start(true)
	if dry.Counts.Total != 3 || !dry.DryRun {
		t.Fatalf("dry run = %+v", dry)
	}
	if v := w.view(dry.ID); v.Status != run.Queued {
		t.Errorf("before the worker: status %s", v.Status)
	}
	w.drain()
	dv := w.view(dry.ID)
	if dv.Status != run.Complete || dv.Counts.Invoiced != 3 || len(dv.Clients) != 3 {
		t.Fatalf("dry run after the worker: %s %+v", dv.Status, dv.Counts)
	}
	if got := w.numbers(); len(got) != 0 {
		t.Fatalf("a dry run wrote invoices %v", got)
	}
	if _, err := w.runs.BulkFiles(ctx, w.admin, dry.ID); !errors.Is(err, run.ErrDryRun) || !strings.HasPrefix(err.Error(), "run bulk files "+dry.ID+": ") {
		t.Errorf("a dry run's bulk file: %v (want run.ErrDryRun, named with the use case and run)", err)
	}
	preview := map[string]run.Preview{}
	for _, c := range dv.Clients {
		if c.State != run.ClientPreviewed || c.InvoiceID != "" {
			t.Errorf("%s: %s, invoice %q", c.ClientName, c.State, c.InvoiceID)
		}
		preview[c.ClientID] = c.Preview
	}

	real := w.start(false)
	w.drain()
	rv := w.view(real.ID)
	if rv.Status != run.Complete || rv.Counts.Invoiced != 3 || rv.Counts.ByRouting[run.ToNDIA] != 1 || rv.Counts.ByRouting[run.ToPlanManager] != 1 {
		t.Fatalf("real run: %s %+v", rv.Status, rv.Counts)
	}
	if got := w.numbers(); !slices.Equal(got, gapless(3)) {
		t.Fatalf("numbers %v", got)
	}
	total := decimal.Zero
	for _, c := range rv.Clients {
		p := preview[c.ClientID]
		inv, err := w.store.GetInvoice(ctx, w.org.ID, c.InvoiceID)
		if err != nil {
			t.Fatal(err)
		}
		if c.State != run.ClientInvoiced || !c.Routed || inv.Status() != invoice.Open || c.Routing != p.Routing {
			t.Errorf("%s: state %s routed %v status %s routing %s (preview %s)", c.ClientName, c.State, c.Routed, inv.Status(), c.Routing, p.Routing)
		}
		tot := inv.Totals()
		if !tot.Total.Equal(p.Total) || !tot.Subtotal.Equal(p.Subtotal) || !tot.Tax.Equal(p.Tax) || len(inv.Spec.Lines) != len(p.Lines) {
			t.Errorf("%s: invoice %s/%s with %d lines, preview %s/%s with %d", c.ClientName, tot.Subtotal, tot.Total, len(inv.Spec.Lines), p.Subtotal, p.Total, len(p.Lines))
		}
		for i, l := range inv.Spec.Lines {
			if i < len(p.Lines) && (l.Description != p.Lines[i].Description || !l.Amount(inv.Spec.Currency).Equal(p.Lines[i].Amount) || l.SupportItem != p.Lines[i].SupportItem || l.PeriodStart != p.Lines[i].Date) {
				t.Errorf("%s line %d: %+v, preview %+v", c.ClientName, i, l, p.Lines[i])
			}
		}
		total = total.Add(tot.Total)
		ds := w.deliveries(inv.ID)
		switch c.ClientID {
		case self:
			if len(ds) != 2 {
				t.Errorf("self-managed: %d deliveries, want email and text", len(ds))
			}
		case plan:
			if len(ds) != 1 || ds[0].Recipient != "invoices@planpartners.example" {
				t.Errorf("plan-managed deliveries %+v", ds)
			}
		case ndia:
			if len(ds) != 0 || len(c.Claims) != 3 || c.Claims[0].Ref != inv.Number+"-01" {
				t.Errorf("NDIA-managed: %d deliveries, claims %+v", len(ds), c.Claims)
			}
		}
		if !strings.Contains(inv.Spec.Memo, "NDIS number 43123456") || !strings.Contains(inv.Spec.Memo, "NDIS registration 4050012345") {
			t.Errorf("memo %q", inv.Spec.Memo)
		}
	}
	if !total.Equal(rv.Counts.Amount) || !dv.Counts.Amount.Equal(rv.Counts.Amount) {
		t.Errorf("run totals: real %s, dry %s, invoices %s", rv.Counts.Amount, dv.Counts.Amount, total)
	}
	files, err := w.runs.BulkFiles(ctx, w.admin, real.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Rows != 3 || len(rv.Files) != 1 || rv.Files[0] != files[0].Name || !strings.Contains(string(files[0].Data), "4050012345,431234569,2026/11/05") {
		t.Fatalf("bulk files %+v (view lists %v)", files, rv.Files)
	}

	// A second real run for the period invoices nobody again.
	_, err = w.runs.Start(ctx, w.admin, billing.StartRequest{PeriodStart: day("2026-11-01"), PeriodEnd: day("2026-11-30")})
	var taken *run.PeriodTakenError
	if !errors.As(err, &taken) || taken.RunID != real.ID {
		t.Fatalf("second run: %v", err)
	}
	// An overlapping period finds nothing left to invoice.
	over, err := w.runs.Start(ctx, w.admin, billing.StartRequest{PeriodStart: day("2026-11-15"), PeriodEnd: day("2026-11-30")})
	if err != nil || over.Counts.Total != 0 {
		t.Fatalf("overlapping run: %+v %v", over, err)
	}
	if got := w.numbers(); !slices.Equal(got, gapless(3)) {
		t.Fatalf("numbers after more runs %v", got)
	}
}

func TestAlertsRefuseARunUnlessExcludedAndParkedClientsRequeue(t *testing.T) {
	t.Parallel()
	w := newRunWorld(t, nil)
	ok := w.participant("Ada Ngata", client.SelfManaged, "431234567", 3)
	bad := w.participant("Ben Ruiz", client.NDIAManaged, "431234568", 4)
	if _, err := w.coord.RecordTask(ctx, w.admin, ndis.Task{ClientID: bad, SupportItem: "07_002_0106_8_3", Date: day("2026-11-06"), Minutes: 30}); err != nil {
		t.Fatal(err)
	}
	_, err := w.runs.Start(ctx, w.admin, billing.StartRequest{PeriodStart: day("2026-11-01"), PeriodEnd: day("2026-11-30")})
	var ae *run.AlertsError
	if !errors.As(err, &ae) || len(ae.Clients) != 1 || ae.Clients[0].ClientID != bad || ae.Clients[0].Alerts[0].Code != "missing_rate" {
		t.Fatalf("err = %v", err)
	}
	if got := w.numbers(); len(got) != 0 {
		t.Fatalf("a refused run wrote %v", got)
	}
	rn := w.start(false, bad)
	if rn.Counts.Total != 1 {
		t.Fatalf("excluded run counts %+v", rn.Counts)
	}
	w.drain()
	if v := w.view(rn.ID); v.Status != run.Complete || v.Clients[0].ClientID != ok {
		t.Fatalf("excluded run: %s %+v", v.Status, v.Clients)
	}

	// Work that gains an alert after the run starts parks its client.
	w2 := newRunWorld(t, nil)
	a := w2.participant("Ada Ngata", client.SelfManaged, "431234567", 3)
	rn2 := w2.start(false)
	if _, err := w2.coord.SetPlan(ctx, w2.admin, ndis.Plan{ClientID: a, Start: day("2026-07-01"), End: day("2027-06-30"),
		Remoteness: ndis.National, Budgets: map[string]decimal.Decimal{"07": amt("10")}}); err != nil {
		t.Fatal(err)
	}
	w2.drain()
	v := w2.view(rn2.ID)
	if v.Status != run.CompleteWithParked || v.Counts.Parked != 1 || v.Clients[0].State != run.ClientParked || !strings.Contains(v.Clients[0].Reason, "budget_exceeded") {
		t.Fatalf("parked: %s %+v %+v", v.Status, v.Counts, v.Clients[0])
	}
	if len(w2.numbers()) != 0 {
		t.Fatal("a parked client was invoiced")
	}
	if err := w2.runs.Requeue(ctx, w2.admin, rn2.ID, []string{a}); err != nil {
		t.Fatal(err)
	}
	if err := w2.runs.Requeue(ctx, w2.admin, rn2.ID, []string{a}); !errors.Is(err, run.ErrNotParked) || !strings.HasPrefix(err.Error(), "requeue run "+rn2.ID+": ") {
		t.Errorf("second requeue: %v (want run.ErrNotParked, named with the use case and run)", err)
	}
	if _, err := w2.coord.SetPlan(ctx, w2.admin, ndis.Plan{ClientID: a, Start: day("2026-07-01"), End: day("2027-06-30"),
		Remoteness: ndis.National, Budgets: map[string]decimal.Decimal{"07": amt("9000")}}); err != nil {
		t.Fatal(err)
	}
	w2.drain()
	v = w2.view(rn2.ID)
	if v.Status != run.Complete || v.Counts.Parked != 0 || v.Counts.Invoiced != 1 || v.Clients[0].State != run.ClientInvoiced {
		t.Fatalf("after requeue: %s %+v", v.Status, v.Counts)
	}
	if got := w2.numbers(); !slices.Equal(got, gapless(1)) {
		t.Fatalf("numbers %v", got)
	}
}

// crashingStore fails chosen steps once, as a worker killed there would.
type crashingStore struct {
	billing.RunStore
	finalizeFails, routeFails int
}

var errKilled = errors.New("worker killed")

func (s *crashingStore) FinalizeRunInvoices(ctx2 ctxT, orgID, runID string, batch []run.Pending,
	finalize finalizeFn, settle func(*run.ClientResult, *invoice.Invoice)) (map[string]*invoice.Invoice, map[string]error, error) {
	if s.finalizeFails > 0 {
		s.finalizeFails--
		return nil, nil, errKilled
	}
	return s.RunStore.FinalizeRunInvoices(ctx2, orgID, runID, batch, finalize, settle)
}

func (s *crashingStore) MarkRunClientRouted(ctx2 ctxT, orgID, runID, clientID, routeError string, now time.Time) error {
	if s.routeFails > 0 {
		s.routeFails--
		return errKilled
	}
	return s.RunStore.MarkRunClientRouted(ctx2, orgID, runID, clientID, routeError, now)
}

func TestRunIsExactlyOnceUnderRedeliveryAndCrashes(t *testing.T) {
	t.Parallel()
	crash := &crashingStore{}
	w := newRunWorld(t, crash)
	var ids []string
	for i := range 12 {
		ft := []client.FundingType{client.SelfManaged, client.PlanManaged, client.NDIAManaged}[i%3]
		ids = append(ids, w.participant(fmt.Sprintf("Person%02d Test", i), ft, fmt.Sprintf("4312345%02d", i), 3, 10))
	}
	rn := w.start(false)
	batches := w.receive()
	if len(batches) != 2 {
		t.Fatalf("%d batches", len(batches))
	}
	// The first batch: killed after building the drafts, before numbering;
	// then killed after sending, before recording it; then redelivered.
	crash.finalizeFails, crash.routeFails = 1, 2
	for range 2 {
		if resp, _ := w.handler.Handle(ctx, batches[0]); len(resp.BatchItemFailures) == 0 {
			t.Fatal("a crash reported no failures")
		}
	}
	w.handle(batches[0])
	// The second batch delivered three times, the last two at once.
	w.handle(batches[1])
	done := make(chan events.SQSEventResponse, 2)
	for range 2 {
		go func() { r, _ := w.handler.Handle(ctx, batches[1]); done <- r }()
	}
	for range 2 {
		if r := <-done; len(r.BatchItemFailures) > 0 {
			t.Errorf("concurrent redelivery failed: %v", r.BatchItemFailures)
		}
	}
	// And the whole run started again.
	if _, err := w.runs.Start(ctx, w.admin, billing.StartRequest{PeriodStart: day("2026-11-01"), PeriodEnd: day("2026-11-30")}); !errors.Is(err, run.ErrPeriodTaken) {
		t.Fatalf("second start: %v", err)
	}

	v := w.view(rn.ID)
	if v.Status != run.Complete || v.Counts.Invoiced != 12 || v.Counts.Parked != 0 || v.Counts.Total != 12 {
		t.Fatalf("run %s %+v", v.Status, v.Counts)
	}
	if got := w.numbers(); !slices.Equal(got, gapless(12)) {
		t.Fatalf("numbers %v", got)
	}
	perClient := map[string]int{}
	refs := map[string]bool{}
	for _, c := range v.Clients {
		perClient[c.ClientID]++
		for _, cl := range c.Claims {
			if refs[cl.Ref] {
				t.Errorf("claim reference %s emitted twice", cl.Ref)
			}
			refs[cl.Ref] = true
		}
		ds := w.deliveries(c.InvoiceID)
		want := map[run.Routing]int{run.ToParticipant: 2, run.ToPlanManager: 1, run.ToNDIA: 0}[c.Routing]
		if len(ds) != want || !c.Routed {
			t.Errorf("%s (%s): %d deliveries, want %d; routed %v", c.ClientName, c.Routing, len(ds), want, c.Routed)
		}
	}
	for _, id := range ids {
		invs, _, err := w.store.ListInvoices(ctx, w.org.ID, invoice.ListFilter{ClientID: id, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(invs) != 1 || perClient[id] != 1 {
			t.Errorf("client %s: %d invoices, %d run records", id, len(invs), perClient[id])
		}
	}
	if len(refs) != 8 {
		t.Errorf("%d claim references, want 8", len(refs))
	}
}

type (
	sqsAttr    = sqstypes.MessageSystemAttributeName
	ctxT       = context.Context
	finalizeFn = func(*org.Org, *client.Client, *invoice.Invoice, int64) ([]activity.Event, error)
)

// testLog writes the worker's log lines into the test's output.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
