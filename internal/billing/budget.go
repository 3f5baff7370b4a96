package billing

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/session"
	"github.com/carebill/carebill/internal/usecase"
)

// BudgetLine is one support category of a participant's plan.
type BudgetLine struct {
	Category  string
	Budget    decimal.Decimal
	Spent     decimal.Decimal // work on an invoice: tasks an invoice claimed, attended sessions an invoice bills
	Committed decimal.Decimal // work recorded, not yet on an invoice: tasks, and attended sessions
	Remaining decimal.Decimal // budget − spent − committed (below zero when over)
}

// Budget is a participant's live budget: per support category of the
// plan, what is spent, committed and remaining, from the tasks and the
// attended sessions delivered inside the plan's dates (BudgetOf). Runs
// keep it current as they claim tasks and sessions.
func (r *Runs) Budget(ctx context.Context, p auth.Principal, clientID string) (_ *ndis.Plan, _ []BudgetLine, err error) {
	defer usecase.Name(&err, "NDIS budget %s", clientID)
	c, err := r.store.GetClient(ctx, p.OrgID, clientID)
	if err != nil {
		return nil, nil, err
	}
	o, err := r.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return nil, nil, err
	}
	plan, err := r.store.GetPlan(ctx, p.OrgID, clientID)
	if err != nil {
		return nil, nil, err
	}
	var tasks []ndis.Task
	if err := r.store.ClientTasks(ctx, p.OrgID, clientID, func(ts []ndis.Task) error { tasks = append(tasks, ts...); return nil }); err != nil {
		return nil, nil, err
	}
	sessions, err := r.periodSessions(ctx, o, clientID, plan.Start, plan.End)
	if err != nil {
		return nil, nil, err
	}
	return plan, BudgetOf(*plan, currencyOf(c, o.Settings.Currency), o.Location(), tasks, sessions), nil
}

// BudgetOf is a plan's budget lines, sorted by category, from a
// participant's tasks and sessions. Work counts once, in the category of
// its support item, when delivered inside the plan's dates (a session on
// its start's day in loc): spent when an invoice bills it (its InvoiceID),
// committed when not yet. A session counts only once billable (attended,
// or cancelled at short notice: claimable at 100% of the agreed price,
// session.Billable), at the amount its invoice line bills (session.Line: price, or rate × actual
// minutes) whichever invoicing bills it — its own, or a run's — so a
// session already on an invoice is spent and never also committed. Work
// without a support item, and scheduled, no-show sessions and those
// cancelled with enough notice, count nowhere. For every line Budget = Spent + Committed + Remaining;
// a category with work but no budget has a zero Budget and a negative
// Remaining.
func BudgetOf(plan ndis.Plan, cur money.Currency, loc *time.Location, tasks []ndis.Task, sessions []*session.Session) []BudgetLine {
	if loc == nil {
		loc = time.UTC
	}
	by := map[string]*BudgetLine{}
	for cat, b := range plan.Budgets {
		by[cat] = &BudgetLine{Category: cat, Budget: b}
	}
	add := func(date calendar.Date, item string, amount decimal.Decimal, invoiced bool) {
		if item == "" || date.Before(plan.Start) || date.After(plan.End) {
			return
		}
		cat := ndis.Category(item)
		bl := by[cat]
		if bl == nil {
			bl = &BudgetLine{Category: cat}
			by[cat] = bl
		}
		if invoiced {
			bl.Spent = bl.Spent.Add(amount)
		} else {
			bl.Committed = bl.Committed.Add(amount)
		}
	}
	for _, t := range tasks {
		add(t.Date, t.SupportItem, t.Amount(cur), t.InvoiceID != "")
	}
	for _, s := range sessions {
		if !s.Billable() {
			continue
		}
		l := s.Line(cur, loc)
		add(l.PeriodStart, s.Spec.Service.SupportItem, l.Amount(cur), s.InvoiceID != "")
	}
	out := make([]BudgetLine, 0, len(by))
	for _, bl := range by {
		bl.Remaining = bl.Budget.Sub(bl.Spent).Sub(bl.Committed)
		out = append(out, *bl)
	}
	slices.SortFunc(out, func(a, b BudgetLine) int { return strings.Compare(a.Category, b.Category) })
	return out
}
