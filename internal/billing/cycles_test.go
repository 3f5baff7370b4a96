package billing_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/cycle"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/statement"
	"github.com/carebill/carebill/internal/teststack"
)

var (
	ctx = context.Background()
	amt = decimal.RequireFromString
	day = calendar.MustParse
)

// clock is a controllable now, safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// world is one org on a fresh stack in moto with its use cases on a
// controllable clock.
type world struct {
	t          *testing.T
	clock      *clock
	store      *dynamo.Store
	svc        *billing.Service
	cycles     *billing.Cycles
	statements *billing.Statements
	admin      auth.Principal
	org        *org.Org
	syd        *time.Location
	env        func(string) string
	aws        aws.Config
}

func newWorld(t *testing.T, created time.Time, edit func(*org.Settings)) *world {
	t.Helper()
	st := teststack.New(t, moto)
	env := st.Env(t, "InvoicingFunction")
	store, err := dynamo.New(dynamodb.NewFromConfig(st.AWS), env("TABLE_NAME"))
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: created}
	svc, err := billing.New(store, nil, clk.Now, id.New)
	if err != nil {
		t.Fatal(err)
	}
	cycles, err := billing.NewCycles(store, clk.Now, id.New, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	statements, err := billing.NewStatements(svc, store, cycles)
	if err != nil {
		t.Fatal(err)
	}
	settings := org.Defaults("Harbour Care")
	settings.TaxRate = decimal.Zero
	if edit != nil {
		edit(&settings)
	}
	o, err := org.New(id.New(id.Org, created), settings, created)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateOrg(ctx, o); err != nil {
		t.Fatal(err)
	}
	syd, _ := time.LoadLocation("Australia/Sydney")
	return &world{t: t, clock: clk, store: store, svc: svc, cycles: cycles, statements: statements,
		admin: auth.Principal{OrgID: o.ID, Email: "admin@harbour.example", Role: auth.RoleAdmin}, org: o, syd: syd, env: env, aws: st.AWS}
}

// at moves the clock to a Sydney wall time.
func (w *world) at(s string) {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, w.syd)
	if err != nil {
		w.t.Fatal(err)
	}
	w.clock.Set(t)
}

func (w *world) client(name string) string {
	w.t.Helper()
	c, err := w.svc.CreateClient(ctx, w.admin, client.Profile{Name: name, Contacts: []client.Contact{{Name: name, Email: "billing@example.com"}}})
	if err != nil {
		w.t.Fatal(err)
	}
	return c.Client.ID
}

// invoice finalizes an invoice of one fixed line, issued today.
func (w *world) invoice(clientID, amount string) *invoice.Invoice {
	w.t.Helper()
	v, err := w.svc.CreateInvoice(ctx, w.admin, billing.DraftInput{ClientID: clientID, Name: "Services", Lines: []billing.LineInput{
		{Line: invoice.Line{Type: invoice.Fixed, Description: "Support", Price: amt(amount)}},
	}})
	if err != nil {
		w.t.Fatal(err)
	}
	f, err := w.svc.FinalizeInvoice(ctx, w.admin, v.Invoice.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return f.Invoice
}

func (w *world) pay(clientID, amount, date string) error {
	_, err := w.svc.RecordPayment(ctx, w.admin, payment.Input{ClientID: clientID, Amount: amt(amount), Date: day(date), Method: payment.BankTransfer})
	return err
}

func (w *world) statementOf(clientID string) *statement.Statement {
	w.t.Helper()
	sts, _, err := w.statements.List(ctx, w.admin, clientID, "", 10, "")
	if err != nil {
		w.t.Fatal(err)
	}
	if len(sts) != 1 {
		w.t.Fatalf("%d statements for %s, want 1", len(sts), clientID)
	}
	return sts[0]
}

func eq(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(amt(want)) {
		t.Fatalf("%s = %s, want %s", what, got, want)
	}
}

// A month closes on schedule: statements with the right balances and
// aging for clients with activity or something owing, none for the idle,
// invoices locked at close, backdating refused, then delete and
// regenerate.
func TestCycleCloseStatementsLocksAndBackdating(t *testing.T) {
	w := newWorld(t, time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC), func(s *org.Settings) { s.LockingPolicy = org.LockOnCycle })
	w.at("2026-09-25 10:00")
	ana, ben, idle := w.client("Ana Silva"), w.client("Ben Okafor"), w.client("Cleo Idle")
	w.invoice(ana, "100.00") // due 9 Oct (14 days' terms): 22 days overdue at 31 Oct
	w.at("2026-10-03 09:00") // in UTC still 2 October: the ledger dates by the org's zone
	octInv := w.invoice(ana, "250.00")
	w.at("2026-10-10 12:00")
	if err := w.pay(ana, "40.00", "2026-10-10"); err != nil { // settles the oldest first
		t.Fatal(err)
	}
	w.invoice(ben, "80.00")
	w.at("2026-10-20 12:00")
	if err := w.pay(ben, "100.00", "2026-10-20"); err != nil { // 20.00 becomes credit
		t.Fatal(err)
	}

	// September closes first (it is overdue), then October, at its end.
	w.at("2026-10-31 23:59")
	rep, err := w.cycles.CloseDue(ctx)
	if err != nil || rep.Closed != 1 || rep.Statements != 1 {
		t.Fatalf("September, before October ends: %+v %v", rep, err)
	}
	w.at("2026-11-01 00:05")
	rep, err = w.cycles.CloseDue(ctx)
	if err != nil || rep.Closed != 1 || rep.Statements != 2 {
		t.Fatalf("close October: %+v %v", rep, err)
	}
	sts, _, _ := w.statements.List(ctx, w.admin, ana, "", 10, "")
	if len(sts) != 2 {
		t.Fatalf("Ana has %d statements, want September and October", len(sts))
	}
	st := sts[0] // newest first: October
	if st.From != day("2026-10-01") || st.To != day("2026-10-31") {
		t.Fatalf("statement period %s–%s", st.From, st.To)
	}
	eq(t, "Ana's opening", st.Opening, "100.00")
	eq(t, "Ana's closing", st.Closing, "310.00")
	if len(st.Lines) != 2 || st.Lines[0].Date != day("2026-10-03") {
		t.Fatalf("Ana's lines %+v", st.Lines)
	}
	// 60.00 left of the September invoice (due 9 Oct) and 250.00 due 17 Oct.
	eq(t, "Ana 1-30 days", st.Aging[statement.Days1to30], "310.00")
	eq(t, "Ana current", st.Aging[statement.Current], "0")
	if len(st.Open) != 2 || st.Open[0].DaysOverdue != 22 || st.Open[1].DaysOverdue != 14 {
		t.Fatalf("Ana's open invoices %+v", st.Open)
	}
	bs := w.statementOf(ben)
	eq(t, "Ben's closing", bs.Closing, "-20.00")
	eq(t, "Ben's credit", bs.Credit, "20.00")
	if sts, _, _ := w.statements.List(ctx, w.admin, idle, "", 10, ""); len(sts) != 0 {
		t.Fatalf("a client with nothing to state got %d statements", len(sts))
	}

	// Locked at cycle close: October's invoice, not yet paid.
	got, err := w.svc.Invoice(ctx, w.admin, octInv.ID)
	if err != nil || !got.Invoice.Locked() || got.Invoice.LockedBy() != st.ID {
		t.Fatalf("October invoice locked=%v by %q", got.Invoice.Locked(), got.Invoice.LockedBy())
	}
	if _, err := w.svc.VoidInvoice(ctx, w.admin, octInv.ID, "wrong client"); !errors.Is(err, invoice.ErrLocked) {
		t.Fatalf("void of a locked invoice: %v", err)
	}
	// Backdating into the closed cycle is refused, naming it; payments still go on locked invoices.
	var closed *org.PeriodClosedError
	if err := w.pay(ana, "10.00", "2026-10-30"); !errors.As(err, &closed) || closed.Cycle.ID() != "cyc_20261001" {
		t.Fatalf("backdated payment: %v", err)
	}
	// The refusal reads dates as documents do, leaves the cycle id to the
	// API's cycleId, and offers deleting the statement only to a client
	// that has one (a new-user trial was told to delete one that did not exist).
	if got, want := closed.PublicMessage(), "30 Oct 2026 falls in the billing cycle 1–31 Oct 2026, which is closed: date it in an open cycle, or (an admin) delete the client's statement for that cycle to reopen it for them"; got != want {
		t.Fatalf("period_closed for a client with a statement:\n got %q\nwant %q", got, want)
	}
	if err := w.pay(idle, "10.00", "2026-10-30"); !errors.As(err, &closed) || closed.HasStatement {
		t.Fatalf("backdated payment of a client without a statement: %v", err)
	}
	if got, want := closed.PublicMessage(), "30 Oct 2026 falls in the billing cycle 1–31 Oct 2026, which is closed: date it in an open cycle. The cycle is closed for the whole organisation; it reopens for a client only when an admin deletes that client's statement for it, and this client has none"; got != want {
		t.Fatalf("period_closed for a client without a statement:\n got %q\nwant %q", got, want)
	}
	if err := w.pay(ana, "10.00", "2026-11-01"); err != nil {
		t.Fatalf("payment on a locked invoice: %v", err)
	}
	_, err = w.svc.CreateInvoice(ctx, w.admin, billing.DraftInput{ClientID: ana, Name: "Late", IssueDate: day("2026-10-15"),
		Lines: []billing.LineInput{{Line: invoice.Line{Type: invoice.Fixed, Description: "x", Price: amt("5")}}}})
	if !errors.Is(err, org.ErrPeriodClosed) {
		t.Fatalf("backdated invoice: %v", err)
	}

	// Delete Ana's October statement: her invoice unlocks and October
	// reopens for her alone; regenerating writes a new one and closes it.
	if err := w.statements.Delete(ctx, w.admin, st.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.svc.Invoice(ctx, w.admin, octInv.ID); got.Invoice.Locked() {
		t.Fatal("still locked after its statement was deleted")
	}
	if err := w.pay(ana, "5.00", "2026-10-30"); err != nil {
		t.Fatalf("reopened cycle refused a date: %v", err)
	}
	if err := w.pay(ben, "5.00", "2026-10-30"); !errors.Is(err, org.ErrPeriodClosed) {
		t.Fatalf("the cycle reopened for another client: %v", err)
	}
	n, err := w.statements.Regenerate(ctx, w.admin, "cyc_20261001")
	if err != nil || n != 1 {
		t.Fatalf("regenerate: %d %v", n, err)
	}
	sts, _, _ = w.statements.List(ctx, w.admin, "", "cyc_20261001", 10, "")
	var again *statement.Statement
	for _, s := range sts {
		if s.ClientID == ana {
			again = s
		}
	}
	if len(sts) != 2 || again == nil || again.ID == st.ID {
		t.Fatalf("October's statements after regenerating: %+v", sts)
	}
	// The 5.00 recorded on 1 November but dated 30 October is October's.
	eq(t, "regenerated closing", again.Closing, "305.00")
	if views, err := w.cycles.List(ctx, w.admin, 5); err != nil || views[1].Period.ID() != "cyc_20261001" || views[1].Statements != 2 {
		t.Fatalf("October's count after delete and regenerate: %+v %v", views, err)
	}
	if err := w.pay(ana, "1.00", "2026-10-30"); !errors.Is(err, org.ErrPeriodClosed) {
		t.Fatalf("regenerating did not close the cycle again: %v", err)
	}
}

// crashing stops a close run after a number of statements, as a Lambda
// timeout or crash would.
type crashing struct {
	*dynamo.Store
	left int
}

var errCrash = errors.New("the function was stopped")

func (c *crashing) CycleStatement(ctx context.Context, cl *client.Client, per cycle.Period, build func(statement.Source) (*statement.Issue, bool, error)) (string, bool, error) {
	if c.left == 0 {
		return "", false, errCrash
	}
	c.left--
	return c.Store.CycleStatement(ctx, cl, per, build)
}

// A close stopped halfway resumes from its cursor once its lease runs out,
// and two runs at once write each statement once.
func TestCycleCloseResumesAndRunsOnce(t *testing.T) {
	w := newWorld(t, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), nil)
	w.at("2026-10-05 10:00")
	var clients []string
	for i := range 7 {
		c := w.client(fmt.Sprintf("Client %02d", i))
		clients = append(clients, c)
		if i != 3 { // one client with nothing to state
			w.invoice(c, "10.00")
		}
	}
	crash := &crashing{Store: w.store, left: 4}
	broken, err := billing.NewCycles(crash, w.clock.Now, id.New, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	broken.PageSize = 2
	w.cycles.PageSize = 2
	w.at("2026-11-01 01:00")
	if _, err := broken.CloseDue(ctx); !errors.Is(err, errCrash) {
		t.Fatalf("crashed run: %v", err)
	}
	// Inside the dead run's lease another run keeps off.
	rep, err := w.cycles.CloseDue(ctx)
	if err != nil || rep.Busy != 1 || rep.Closed != 0 {
		t.Fatalf("run during the lease: %+v %v", rep, err)
	}
	w.clock.Set(w.clock.Now().Add(w.cycles.Lease + time.Second))
	// Two runs at once after the lease: one resumes, the other finds it busy.
	var wg sync.WaitGroup
	reps := make([]billing.CloseReport, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); reps[i], errs[i] = w.cycles.CloseDue(ctx) }()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil || reps[0].Closed+reps[1].Closed != 1 {
		t.Fatalf("concurrent runs: %+v %v", reps, errs)
	}
	for i, c := range clients {
		sts, _, err := w.statements.List(ctx, w.admin, c, "", 10, "")
		want := 1
		if i == 3 {
			want = 0
		}
		if err != nil || len(sts) != want {
			t.Fatalf("client %d has %d statements, want %d (%v)", i, len(sts), want, err)
		}
	}
	views, err := w.cycles.List(ctx, w.admin, 3)
	if err != nil || views[1].Status != cycle.Closed || views[1].Statements != 6 {
		t.Fatalf("cycles %+v %v", views, err)
	}
	if views[0].Status != cycle.Open || views[0].Period.Start != day("2026-11-01") {
		t.Fatalf("running cycle %+v", views[0])
	}
}
