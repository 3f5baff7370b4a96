package billing

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/cases"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
)

// DashboardStore is what the dashboard reads (internal/dynamo).
type DashboardStore interface {
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	OpenInvoiceTotals(ctx context.Context, orgID string, today calendar.Date) (invoice.OpenTotals, error)
	PendingPOTotals(ctx context.Context, orgID string) (int64, decimal.Decimal, error)
	CountCases(ctx context.Context, orgID string, status cases.Status) (int64, error)
	ListActivity(ctx context.Context, orgID string, f activity.Filter) ([]activity.Event, string, error)
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

// Dashboard is the org at a glance: what is open and overdue, cases
// waiting on a PO (count, value before tax), cases ready to invoice (POs
// in), and the latest activity.
type Dashboard struct {
	Today          calendar.Date
	Open           invoice.OpenTotals
	PendingPOCount int64
	PendingPOValue decimal.Decimal
	ReadyToInvoice int64
	RecentActivity []activity.Event
}

// Dashboard reads the org's dashboard; any role may.
func (d *Dashboards) Dashboard(ctx context.Context, p auth.Principal) (Dashboard, error) {
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
	return out, nil
}
