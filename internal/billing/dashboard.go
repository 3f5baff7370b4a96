package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/cases"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/usecase"
)

// DashboardStore is what the dashboard reads (internal/dynamo).
type DashboardStore interface {
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	OpenInvoiceTotals(ctx context.Context, orgID string, today calendar.Date) (invoice.OpenTotals, error)
	PendingPOTotals(ctx context.Context, orgID string) (int64, decimal.Decimal, error)
	CountCases(ctx context.Context, orgID string, status cases.Status) (int64, error)
	ListActivity(ctx context.Context, orgID string, f activity.Filter) ([]activity.Event, string, error)
	PaymentsRecordedSince(ctx context.Context, orgID string, since time.Time, each func([]*payment.Payment) error) error
}

// Dashboards reads the org's dashboard.
type Dashboards struct {
	svc   *Service
	store DashboardStore
}

// NewDashboards builds the dashboard use case.
func NewDashboards(svc *Service, store DashboardStore) (*Dashboards, error) {
	if svc == nil || store == nil {
		return nil, errors.New("billing: the dashboard needs the service and a store")
	}
	return &Dashboards{svc: svc, store: store}, nil
}

// Dashboard is the org at a glance: what is open and overdue, what was
// paid this period, cases waiting on a PO (count, value before tax), cases
// ready to invoice (POs in), what needs attention, and the latest activity.
type Dashboard struct {
	Today          calendar.Date
	Open           invoice.OpenTotals
	Paid           PaidInPeriod
	PendingPOCount int64
	PendingPOValue decimal.Decimal
	ReadyToInvoice int64
	// TaskAlerts are the NDIS tasks an alert keeps from being invoiced
	// (zero when the store cannot count them: TaskAlertStore).
	TaskAlerts     TaskAlerts
	Alerts         []DashboardAlert
	RecentActivity []activity.Event
}

// PaidInPeriod is the money received in the org's current billing cycle
// (From is its start, To today): payments dated in it, each counted at
// what is still with the business (amount less refunds, nothing once
// reversed), in the org's currency.
type PaidInPeriod struct {
	From, To calendar.Date
	Count    int64
	Amount   decimal.Decimal
}

// DashboardAlert is one thing that needs someone: Code is stable
// ("overdue", "pending_po", "ready_to_invoice", "ndis_task_alerts"),
// Message says it in words.
type DashboardAlert struct {
	Code    string
	Message string
	// ClientID is the participant whose tasks the alert's fix link opens
	// (ndis_task_alerts); "" for alerts about no one client.
	ClientID string
}

// Dashboard reads the org's dashboard; any role may.
func (d *Dashboards) Dashboard(ctx context.Context, p auth.Principal) (_ Dashboard, err error) {
	defer usecase.Name(&err, "dashboard")
	if err := allow(p, auth.View); err != nil {
		return Dashboard{}, err
	}
	o, err := d.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return Dashboard{}, fmt.Errorf("dashboard: %w", err)
	}
	out := Dashboard{Today: calendar.Today(d.svc.now(), o.Location())}
	if out.Open, err = d.store.OpenInvoiceTotals(ctx, p.OrgID, out.Today); err != nil {
		return Dashboard{}, fmt.Errorf("dashboard: %w", err)
	}
	if out.PendingPOCount, out.PendingPOValue, err = d.store.PendingPOTotals(ctx, p.OrgID); err != nil {
		return Dashboard{}, fmt.Errorf("dashboard: %w", err)
	}
	if out.ReadyToInvoice, err = d.store.CountCases(ctx, p.OrgID, cases.PendingPayment); err != nil {
		return Dashboard{}, fmt.Errorf("dashboard: %w", err)
	}
	if out.RecentActivity, _, err = d.store.ListActivity(ctx, p.OrgID, activity.Filter{Limit: 10}); err != nil {
		return Dashboard{}, fmt.Errorf("dashboard: %w", err)
	}
	if out.Paid, err = d.paidThisPeriod(ctx, o, out.Today); err != nil {
		return Dashboard{}, fmt.Errorf("dashboard: %w", err)
	}
	if ts, ok := d.store.(TaskAlertStore); ok {
		if out.TaskAlerts, err = taskAlerts(ctx, ts, o, out.Today); err != nil {
			return Dashboard{}, err
		}
	}
	out.Alerts = alertsOf(out, o.Settings.Currency)
	return out, nil
}

// paidThisPeriod adds up the payments dated from the start of the cycle
// holding today (or of today's month, before the org's plan starts) to
// today. A payment is never dated after the day it is recorded, so every
// payment dated in the period was recorded since the period began: the
// read is the period's payments alone (a day earlier, for clocks).
func (d *Dashboards) paidThisPeriod(ctx context.Context, o *org.Org, today calendar.Date) (PaidInPeriod, error) {
	from := calendar.Of(today.Year(), today.Month(), 1)
	if per, ok := o.Plan().Containing(today); ok {
		from = per.Start
	}
	out := PaidInPeriod{From: from, To: today}
	err := d.store.PaymentsRecordedSince(ctx, o.ID, from.AddDays(-1).Start(o.Location()), func(page []*payment.Payment) error {
		for _, pm := range page {
			if pm.Input.Date.Before(from) || pm.Input.Date.After(today) || pm.Reversed {
				continue
			}
			out.Count++
			out.Amount = out.Amount.Add(pm.Left())
		}
		return nil
	})
	return out, err
}

// alertsOf says in words what of the dashboard needs someone.
func alertsOf(d Dashboard, cur money.Currency) []DashboardAlert {
	var out []DashboardAlert
	plural := func(n int64, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	if d.Open.Overdue > 0 {
		out = append(out, DashboardAlert{Code: "overdue", Message: fmt.Sprintf("%s overdue, %s owing: send reminders or follow up",
			plural(d.Open.Overdue, "invoice is", "invoices are"), cur.Display(d.Open.OverdueBalance))})
	}
	if d.PendingPOCount > 0 {
		out = append(out, DashboardAlert{Code: "pending_po", Message: fmt.Sprintf("%s waiting for a PO (%s before tax)",
			plural(d.PendingPOCount, "case is", "cases are"), cur.Display(d.PendingPOValue))})
	}
	if n := d.TaskAlerts.Tasks; n > 0 {
		rest := "have alerts and will not be invoiced until they are resolved"
		if n == 1 {
			rest = "has an alert and will not be invoiced until it is resolved"
		}
		out = append(out, DashboardAlert{Code: "ndis_task_alerts", Message: fmt.Sprintf("%s of %s %s",
			plural(n, "NDIS task", "NDIS tasks"), plural(d.TaskAlerts.Participants, "participant", "participants"), rest), ClientID: d.TaskAlerts.FirstClientID})
	}
	if d.ReadyToInvoice > 0 {
		out = append(out, DashboardAlert{Code: "ready_to_invoice", Message: plural(d.ReadyToInvoice, "case has its PO and is ready to invoice", "cases have their POs and are ready to invoice")})
	}
	return out
}
