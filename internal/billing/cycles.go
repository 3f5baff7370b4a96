package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/cycle"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/statement"
	"github.com/carebill/carebill/internal/usecase"
)

// CycleStore is the storage closing billing cycles needs.
type CycleStore interface {
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	DueOrgs(ctx context.Context, now time.Time, limit int) ([]string, error)
	ClaimCycle(ctx context.Context, orgID string, per cycle.Period, runner string, now, leaseUntil time.Time) (cycle.Run, error)
	SaveCycleProgress(ctx context.Context, orgID, cycleID, runner, cursor string, statements, skipped int, leaseUntil time.Time) error
	FinishCycle(ctx context.Context, orgID string, per cycle.Period, runner string, now time.Time) error
	ListCycleRuns(ctx context.Context, orgID string, limit int) ([]cycle.Run, error)
	ListClients(ctx context.Context, orgID, search string, limit int, cursor string) ([]*client.Client, string, error)
	// CycleStatement writes the client's statement for a closing cycle,
	// built by build from the client's ledger, unless it exists already:
	// written is false for a client with nothing to state or a statement
	// an earlier run wrote. statementID is the client's statement for the
	// cycle, written now or before ("" when there is none).
	CycleStatement(ctx context.Context, c *client.Client, per cycle.Period, build func(statement.Source) (*statement.Issue, bool, error)) (statementID string, written bool, err error)
}

// Cycles closes billing cycles: on the schedule for every org whose cycle
// is due, or now for one org. A close writes each client's statement,
// locks invoices as the org's policy says, and moves the org's
// closed-through date, after which dates in the cycle are refused.
type Cycles struct {
	store CycleStore
	now   func() time.Time
	newID func(prefix string, now time.Time) string
	log   *slog.Logger

	// PageSize is how many clients one progress record covers; Lease is
	// how long a run may go silent before another takes over.
	PageSize int
	Lease    time.Duration
	// AtClose, when set, sends each statement of a close as the org's
	// StatementsAtClose setting says (StatementSender.AtClose).
	AtClose AtCloseSender
}

// NewCycles builds the cycle use cases.
func NewCycles(store CycleStore, now func() time.Time, newID func(string, time.Time) string, log *slog.Logger) (*Cycles, error) {
	if store == nil || now == nil || newID == nil {
		return nil, errors.New("billing: cycles need a store, a clock and an id source")
	}
	if log == nil {
		log = slog.Default()
	}
	return &Cycles{store: store, now: now, newID: newID, log: log, PageSize: 25, Lease: 2 * time.Minute}, nil
}

// CycleView is a cycle as the API shows it.
type CycleView struct {
	Period     cycle.Period
	Status     cycle.Status
	ClosesAt   time.Time // when it is due to close (end of its review window)
	Statements int
	ClosedAt   time.Time
}

// List shows the org's cycles, newest first: the running one, and the
// closed and closing ones before it back to the org's first (at most n).
func (c *Cycles) List(ctx context.Context, p auth.Principal, n int) (_ []CycleView, err error) {
	defer usecase.Name(&err, "list billing cycles")
	o, err := c.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	runs, err := c.store.ListCycleRuns(ctx, p.OrgID, n)
	if err != nil {
		return nil, err
	}
	byID := map[string]cycle.Run{}
	for _, r := range runs {
		byID[r.Period.ID()] = r
	}
	now := c.now()
	plan, loc := o.Plan(), o.Location()
	today := o.Today(now)
	pers := plan.Between(plan[0].From, today)
	var out []CycleView
	for i := len(pers) - 1; i >= 0 && len(out) < n; i-- {
		per := pers[i]
		v := CycleView{Period: per, ClosesAt: per.End.AddDays(1 + plan.Grace(per.Start)).Start(loc)}
		r, ran := byID[per.ID()]
		switch {
		case ran && r.Status == cycle.Closed, !per.End.After(o.ClosedThrough) && !o.ClosedThrough.IsZero():
			v.Status, v.Statements, v.ClosedAt = cycle.Closed, r.Statements, r.ClosedAt
		default:
			v.Status = cycle.StatusAt(per, plan.Grace(per.Start), loc, now)
			v.Statements = r.Statements
		}
		out = append(out, v)
	}
	return out, nil
}

// CloseReport says what one scheduled run did.
type CloseReport struct {
	Orgs       int // orgs looked at
	Closed     int // cycles closed
	Statements int // statements written
	Busy       int // cycles another run was closing
	Unfinished int // cycles left to resume (deadline reached)
	Queued     int // statement deliveries queued (StatementsAtClose)
}

// CloseDue closes the due cycles of every org whose next cycle is due,
// until ctx's deadline draws near (leaving the rest to the next run,
// which resumes from the saved cursors). A second run at the same time
// finds each cycle's lease taken and does nothing twice.
func (c *Cycles) CloseDue(ctx context.Context) (_ CloseReport, err error) {
	defer usecase.Name(&err, "close due cycles")
	var rep CloseReport
	ids, err := c.store.DueOrgs(ctx, c.now(), 1000)
	if err != nil {
		return rep, err
	}
	var errs []error
	for _, id := range ids {
		if c.nearDeadline(ctx) {
			rep.Unfinished++
			break
		}
		rep.Orgs++
		if err := c.closeOrg(ctx, id, "", &rep); err != nil {
			c.log.ErrorContext(ctx, "close cycles of org", slog.String("org", id), slog.String("error", err.Error()))
			errs = append(errs, err)
		}
	}
	return rep, errors.Join(errs...)
}

// CloseNow closes the org's due cycles at once ("run now", admins only),
// the same way the schedule does. Only cycles past their review window
// close; a cycle still open or closing is refused with ErrCycleNotDue.
func (c *Cycles) CloseNow(ctx context.Context, p auth.Principal, cycleID string) (_ CloseReport, err error) {
	defer usecase.Name(&err, "close cycle %s", cycleID)
	var rep CloseReport
	if err := allow(p, auth.ChangeSettings); err != nil {
		return rep, err
	}
	rep.Orgs = 1
	err = c.closeOrg(ctx, p.OrgID, cycleID, &rep)
	return rep, err
}

// ErrCycleNotDue is returned for a close asked for before the cycle ends
// and its review window passes.
var ErrCycleNotDue = errors.New("this billing cycle has not ended, or is still in its review window")

// ErrCycleNotFound is returned for a cycle id the org's plan does not have.
var ErrCycleNotFound = errors.New("billing cycle not found")

func (c *Cycles) nearDeadline(ctx context.Context) bool {
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) < 10*time.Second
}

// closeOrg closes the org's due cycles oldest first; want, when set, is
// the one cycle a person asked to close (and those before it).
func (c *Cycles) closeOrg(ctx context.Context, orgID, want string, rep *CloseReport) error {
	for {
		o, err := c.store.GetOrg(ctx, orgID)
		if err != nil {
			return fmt.Errorf("close cycles of %s: %w", orgID, err)
		}
		per, dueAt := o.NextToClose()
		now := c.now()
		if want != "" {
			target, ok := findCycle(o, want)
			if !ok {
				return ErrCycleNotFound
			}
			if !target.End.After(o.ClosedThrough) && !o.ClosedThrough.IsZero() {
				return nil // already closed
			}
		}
		if now.Before(dueAt) {
			if want != "" {
				return ErrCycleNotDue
			}
			return nil
		}
		done, err := c.closeCycle(ctx, o, per, rep)
		if err != nil || !done {
			return err
		}
		if want == per.ID() {
			return nil
		}
	}
}

func findCycle(o *org.Org, id string) (cycle.Period, bool) {
	if len(id) != len("cyc_20060102") || !strings.HasPrefix(id, "cyc_") {
		return cycle.Period{}, false
	}
	d, err := calendar.Parse(id[4:8] + "-" + id[8:10] + "-" + id[10:12])
	if err != nil {
		return cycle.Period{}, false
	}
	per, ok := o.Plan().Containing(d)
	if !ok || per.ID() != id {
		return cycle.Period{}, false
	}
	return per, true
}

// closeCycle works one cycle under a lease: page by page through the
// org's clients from the saved cursor, a statement for each with
// something to state, progress saved after each page; then marks it
// closed. done is false when it stopped early (deadline, or another run).
func (c *Cycles) closeCycle(ctx context.Context, o *org.Org, per cycle.Period, rep *CloseReport) (bool, error) {
	now := c.now()
	runner := c.newID("run", now)
	run, err := c.store.ClaimCycle(ctx, o.ID, per, runner, now, now.Add(c.Lease))
	switch {
	case errors.Is(err, cycle.ErrBusy):
		rep.Busy++
		return false, nil
	case err != nil:
		return false, err
	}
	cursor := run.Cursor
	for {
		if c.nearDeadline(ctx) {
			rep.Unfinished++
			return false, nil
		}
		clients, next, err := c.store.ListClients(ctx, o.ID, "", c.PageSize, cursor)
		if err != nil {
			return false, fmt.Errorf("close cycle %s of %s: %w", per.ID(), o.ID, err)
		}
		written, skipped := 0, 0
		for _, cl := range clients {
			if c.nearDeadline(ctx) {
				// Stop inside the page: the next run redoes it from the saved
				// cursor, and the statements written meanwhile are not
				// written twice (their markers).
				rep.Unfinished++
				return false, nil
			}
			stmID, ok, err := c.store.CycleStatement(ctx, cl, per, func(src statement.Source) (*statement.Issue, bool, error) {
				return c.cycleStatement(o, cl, per, src)
			})
			if err != nil {
				return false, fmt.Errorf("close cycle %s of %s: statement of %s: %w", per.ID(), o.ID, cl.ID, err)
			}
			// Sent each time the run passes the client (at most once:
			// AtCloseSender), so a run stopped between the statement and
			// its send sends it on the next.
			if stmID != "" && c.AtClose != nil {
				n, err := c.AtClose.SendAtClose(ctx, o, cl, stmID)
				if err != nil {
					return false, fmt.Errorf("close cycle %s of %s: %w", per.ID(), o.ID, err)
				}
				rep.Queued += n
			}
			if ok {
				written++
			} else {
				skipped++
			}
		}
		rep.Statements += written
		if err := c.store.SaveCycleProgress(ctx, o.ID, per.ID(), runner, next, written, skipped, c.now().Add(c.Lease)); err != nil {
			if errors.Is(err, cycle.ErrBusy) {
				rep.Busy++
				return false, nil
			}
			return false, err
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if err := c.store.FinishCycle(ctx, o.ID, per, runner, c.now()); err != nil {
		if errors.Is(err, cycle.ErrBusy) {
			rep.Busy++
			return false, nil
		}
		return false, err
	}
	rep.Closed++
	c.log.InfoContext(ctx, "billing cycle closed", slog.String("org", o.ID), slog.String("cycle", per.ID()))
	return true, nil
}

// cycleStatement builds a client's activity statement for the cycle from
// its ledger, and the invoices it locks under the org's policy. ok is
// false when the client had no activity and nothing outstanding.
func (c *Cycles) cycleStatement(o *org.Org, cl *client.Client, per cycle.Period, src statement.Source) (*statement.Issue, bool, error) {
	open := statement.OpenAsAt(src.Invoices, src.Postings, per.End)
	closing := src.Opening
	for _, l := range src.Lines {
		closing = closing.Add(l.Amount)
	}
	if !statement.HasActivity(src.Lines, open, closing) {
		return nil, false, nil
	}
	now := c.now()
	st, err := statement.Build(statement.Statement{
		ID: c.newID("stm", now), OrgID: o.ID, ClientID: cl.ID, CycleID: per.ID(),
		Kind: statement.Activity, From: per.Start, To: per.End, Currency: src.Currency, CreatedAt: now,
	}, src.Opening, src.Lines, open, src.Credit)
	if err != nil {
		return nil, false, err
	}
	var lock []string
	numbers := map[string]string{}
	for id, inv := range src.Invoices {
		numbers[id] = inv.Number
	}
	switch o.Settings.LockingPolicy {
	case org.LockOnStatement:
		seen := map[string]bool{}
		for _, it := range open {
			seen[it.ID] = true
			lock = append(lock, it.ID)
		}
		for _, l := range src.Lines {
			if l.Kind == statement.KindInvoice && !seen[l.DocumentID] {
				seen[l.DocumentID] = true
				lock = append(lock, l.DocumentID)
			}
		}
	case org.LockOnCycle:
		for _, l := range src.Lines {
			if l.Kind == statement.KindInvoice {
				lock = append(lock, l.DocumentID)
			}
		}
	}
	st.Locked = lock
	issued := activity.Event{ID: c.newID("act", now), OrgID: o.ID, Kind: activity.StatementIssued, ClientID: cl.ID, ClientName: cl.Profile.Name,
		Actor: "system", Detail: fmt.Sprintf("%s to %s, closing balance %s", per.Start, per.End, src.Currency.Display(st.Closing)), At: now}
	events := []activity.Event{issued}
	for _, id := range lock {
		events = append(events, activity.Event{ID: c.newID("act", now), OrgID: o.ID, Kind: activity.Locked, InvoiceID: id, Number: numbers[id],
			ClientID: cl.ID, ClientName: cl.Profile.Name, Actor: "system", Detail: "locked by the statement for " + per.Start.String() + " to " + per.End.String(), At: now})
	}
	return &statement.Issue{Statement: &st, Events: events}, true, nil
}

// reopened says which closed cycles are open again for c: those whose
// statement for c was deleted.
// explainClosed completes a PeriodClosedError for client clientID with
// whether the client has a statement for the closed cycle (deleting it is
// what reopens the cycle for them); other errors pass through.
func (s *Service) explainClosed(ctx context.Context, orgID, clientID string, err error) error {
	var pc *org.PeriodClosedError
	if !errors.As(err, &pc) || clientID == "" {
		return err
	}
	sid, lerr := s.store.ClientStatementID(ctx, orgID, pc.Cycle.ID(), clientID)
	if lerr != nil {
		return err // the refusal stands; only its advice is less specific
	}
	pc.Checked, pc.HasStatement = true, sid != ""
	return err
}

func reopened(c *client.Client) func(cycleID string) bool {
	return func(id string) bool { return slices.Contains(c.Reopened, id) }
}
