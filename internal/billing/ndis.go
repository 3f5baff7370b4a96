package billing

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/usecase"
)

// NDISStore is what support coordination use cases store (internal/dynamo).
type NDISStore interface {
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
	CreateTask(ctx context.Context, t *ndis.Task) error
	GetTask(ctx context.Context, orgID, id string) (ndis.Task, error)
	UpdateTask(ctx context.Context, orgID, id string, change func(*ndis.Task) error) (ndis.Task, error)
	DeleteTask(ctx context.Context, orgID, id string) error
	ClientTasks(ctx context.Context, orgID, clientID string, each func([]ndis.Task) error) error
	PutPlan(ctx context.Context, orgID string, p *ndis.Plan) error
	GetPlan(ctx context.Context, orgID, clientID string) (*ndis.Plan, error)
	PriceLimits(ctx context.Context, orgID string) ([]ndis.PriceLimit, int64, error)
	PutPriceLimits(ctx context.Context, orgID string, ls []ndis.PriceLimit, version int64) error
}

// Coordination are the NDIS support coordination use cases: tasks, plans,
// price limits, and the alerts that block invoicing.
type Coordination struct {
	svc   *Service
	store NDISStore
}

// NewCoordination builds the support coordination use cases.
func NewCoordination(svc *Service, store NDISStore) (*Coordination, error) {
	if svc == nil || store == nil {
		return nil, errors.New("billing: support coordination needs the service and a store")
	}
	return &Coordination{svc: svc, store: store}, nil
}

// TaskView is a task with its amount and its alerts (empty: ready to
// invoice).
type TaskView struct {
	ndis.Task
	Amount decimal.Decimal
	Alerts []ndis.Alert
}

// RecordTask logs a task for one of the org's participants.
func (c *Coordination) RecordTask(ctx context.Context, p auth.Principal, t ndis.Task) (_ TaskView, err error) {
	defer usecase.Name(&err, "record NDIS task")
	if err := allow(p, auth.Bill); err != nil {
		return TaskView{}, err
	}
	if err := t.Validate(); err != nil {
		return TaskView{}, err
	}
	if _, err := c.store.GetClient(ctx, p.OrgID, t.ClientID); err != nil {
		return TaskView{}, fmt.Errorf("record task: %w", err)
	}
	now := c.svc.now()
	t.ID, t.OrgID, t.CreatedAt = c.svc.newID("task", now), p.OrgID, now
	if err := c.store.CreateTask(ctx, &t); err != nil {
		return TaskView{}, fmt.Errorf("record task: %w", err)
	}
	return c.Task(ctx, p, t.ID)
}

// UpdateTask changes an uninvoiced task (fixing what its alerts name:
// rate, support item, date, minutes, claim type, notes); the participant
// stays. Errors: ndis.ErrTaskNotFound, ndis.ErrTaskInvoiced once an
// invoice claimed it, validation errors, ndis.ErrConflict.
func (c *Coordination) UpdateTask(ctx context.Context, p auth.Principal, id string, change func(*ndis.Task) error) (_ TaskView, err error) {
	defer usecase.Name(&err, "change NDIS task %s", id)
	if err := allow(p, auth.Bill); err != nil {
		return TaskView{}, err
	}
	if _, err := c.store.UpdateTask(ctx, p.OrgID, id, func(t *ndis.Task) error {
		if err := change(t); err != nil {
			return err
		}
		return t.Validate()
	}); err != nil {
		return TaskView{}, err
	}
	return c.Task(ctx, p, id)
}

// DeleteTask deletes an uninvoiced task. Errors: ndis.ErrTaskNotFound,
// ndis.ErrTaskInvoiced once an invoice claimed it, ndis.ErrConflict.
func (c *Coordination) DeleteTask(ctx context.Context, p auth.Principal, id string) (err error) {
	defer usecase.Name(&err, "delete NDIS task %s", id)
	if err := allow(p, auth.Bill); err != nil {
		return err
	}
	return c.store.DeleteTask(ctx, p.OrgID, id)
}

// Task reads one task with its alerts.
func (c *Coordination) Task(ctx context.Context, p auth.Principal, id string) (_ TaskView, err error) {
	defer usecase.Name(&err, "NDIS task %s", id)
	t, err := c.store.GetTask(ctx, p.OrgID, id)
	if err != nil {
		return TaskView{}, err
	}
	views, err := c.Tasks(ctx, p, t.ClientID)
	if err != nil {
		return TaskView{}, err
	}
	for _, v := range views {
		if v.ID == id {
			return v, nil
		}
	}
	return TaskView{}, fmt.Errorf("task %s: %w", id, ndis.ErrTaskNotFound)
}

// Tasks are a participant's tasks in date order with their alerts. The
// budget alert follows the running total of each category's tasks inside
// the plan's dates, so the task that passes the budget, and every one
// after it, says so.
func (c *Coordination) Tasks(ctx context.Context, p auth.Principal, clientID string) (_ []TaskView, err error) {
	defer usecase.Name(&err, "list NDIS tasks %s", clientID)
	cl, err := c.store.GetClient(ctx, p.OrgID, clientID)
	if err != nil {
		return nil, err
	}
	o, err := c.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	limits, _, err := c.store.PriceLimits(ctx, p.OrgID)
	if err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	return judgeTasks(ctx, c.store, o, cl, limits, calendar.Today(c.svc.now(), o.Location()))
}

// taskReader is what judging a participant's tasks reads.
type taskReader interface {
	GetPlan(ctx context.Context, orgID, clientID string) (*ndis.Plan, error)
	ClientTasks(ctx context.Context, orgID, clientID string, each func([]ndis.Task) error) error
}

// judgeTasks reads a participant's plan and tasks and gives each task,
// in date order, its amount and alerts (ndis.Alerts): the budget alert
// follows the running total of each category's tasks inside the plan's
// dates. The tasks page and the dashboard judge alike through it.
func judgeTasks(ctx context.Context, store taskReader, o *org.Org, cl *client.Client, limits []ndis.PriceLimit, today calendar.Date) ([]TaskView, error) {
	plan, err := store.GetPlan(ctx, o.ID, cl.ID)
	if errors.Is(err, ndis.ErrPlanNotFound) {
		plan, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	var tasks []ndis.Task
	err = store.ClientTasks(ctx, o.ID, cl.ID, func(ts []ndis.Task) error {
		tasks = append(tasks, ts...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return judge(o, cl, plan, tasks, limits, today), nil
}

// judge gives each of a participant's tasks (in date order) its amount
// and alerts, the budget alert following the running total of each
// category's tasks inside the plan's dates.
func judge(o *org.Org, cl *client.Client, plan *ndis.Plan, tasks []ndis.Task, limits []ndis.PriceLimit, today calendar.Date) []TaskView {
	cur := o.Settings.Currency
	ctxt := ndis.Context{NDISNumber: cl.Profile.Funding.NDISNumber, Plan: plan, Limits: limits, Today: today, Currency: cur}
	spent := map[string]decimal.Decimal{}
	out := make([]TaskView, 0, len(tasks))
	for _, t := range tasks {
		amt := t.Amount(cur)
		cat := ndis.Category(t.SupportItem)
		if plan != nil && !t.Date.Before(plan.Start) && !t.Date.After(plan.End) {
			spent[cat] = spent[cat].Add(amt)
		}
		ctxt.Spent = spent[cat]
		out = append(out, TaskView{Task: t, Amount: amt, Alerts: ndis.Alerts(t, ctxt)})
	}
	return out
}

// SetPlan records a participant's plan, replacing the one before.
func (c *Coordination) SetPlan(ctx context.Context, p auth.Principal, plan ndis.Plan) (_ *ndis.Plan, err error) {
	defer usecase.Name(&err, "set NDIS plan")
	if err := allow(p, auth.Bill); err != nil {
		return nil, err
	}
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	if _, err := c.store.GetClient(ctx, p.OrgID, plan.ClientID); err != nil {
		return nil, fmt.Errorf("set plan: %w", err)
	}
	old, err := c.store.GetPlan(ctx, p.OrgID, plan.ClientID)
	switch {
	case err == nil:
		plan.Version = old.Version
	case !errors.Is(err, ndis.ErrPlanNotFound):
		return nil, fmt.Errorf("set plan: %w", err)
	}
	plan.UpdatedAt = c.svc.now()
	if err := c.store.PutPlan(ctx, p.OrgID, &plan); err != nil {
		return nil, err
	}
	return &plan, nil
}

// Plan reads a participant's plan.
func (c *Coordination) Plan(ctx context.Context, p auth.Principal, clientID string) (_ *ndis.Plan, err error) {
	defer usecase.Name(&err, "NDIS plan %s", clientID)
	if _, err := c.store.GetClient(ctx, p.OrgID, clientID); err != nil {
		return nil, err
	}
	return c.store.GetPlan(ctx, p.OrgID, clientID)
}

// Participant is one of the org's clients with their NDIS plan, nil when
// none is recorded yet: what a participant's work page shows, read
// without treating a missing plan as a failure.
func (c *Coordination) Participant(ctx context.Context, p auth.Principal, clientID string) (_ ClientView, _ *ndis.Plan, err error) {
	defer usecase.Name(&err, "participant %s", clientID)
	v, err := c.svc.Client(ctx, p, clientID)
	if err != nil {
		return ClientView{}, nil, err
	}
	plan, err := c.store.GetPlan(ctx, p.OrgID, clientID)
	if errors.Is(err, ndis.ErrPlanNotFound) {
		return v, nil, nil
	}
	if err != nil {
		return ClientView{}, nil, err
	}
	return v, plan, nil
}

// PriceLimits are the org's NDIS price limits (the 2025–26 support
// coordination defaults until it loads its own).
func (c *Coordination) PriceLimits(ctx context.Context, p auth.Principal) (_ []ndis.PriceLimit, err error) {
	defer usecase.Name(&err, "price limits")
	ls, _, err := c.store.PriceLimits(ctx, p.OrgID)
	return ls, err
}

// SetPriceLimits replaces the org's price limits (admins only): each July's
// price guide is loaded as data, dated from when it applies.
func (c *Coordination) SetPriceLimits(ctx context.Context, p auth.Principal, ls []ndis.PriceLimit) (_ []ndis.PriceLimit, err error) {
	defer usecase.Name(&err, "set price limits")
	if err := allow(p, auth.ChangeSettings); err != nil {
		return nil, err
	}
	if err := ndis.ValidatePriceLimits(ls); err != nil {
		return nil, err
	}
	_, version, err := c.store.PriceLimits(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	if err := c.store.PutPriceLimits(ctx, p.OrgID, ls, version); err != nil {
		return nil, err
	}
	return ls, nil
}
