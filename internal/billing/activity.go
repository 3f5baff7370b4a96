package billing

import (
	"context"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/usecase"
)

// ActivityStore is the storage the activity feed use case in this file
// uses; it is part of Store.
type ActivityStore interface {
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
	GetInvoice(ctx context.Context, orgID, id string) (*invoice.Invoice, error)
	ListActivity(ctx context.Context, orgID string, f activity.Filter) ([]activity.Event, string, error)
}

// Activity lists the org's activity: of one invoice, one client, or the
// whole feed, optionally searched.
func (s *Service) Activity(ctx context.Context, p auth.Principal, f activity.Filter) (_ []activity.Event, _ string, err error) {
	defer usecase.Name(&err, "activity")
	switch {
	case f.InvoiceID != "":
		if _, err := s.store.GetInvoice(ctx, p.OrgID, f.InvoiceID); err != nil {
			return nil, "", err
		}
	case f.ClientID != "":
		if _, err := s.store.GetClient(ctx, p.OrgID, f.ClientID); err != nil {
			return nil, "", err
		}
	}
	return s.store.ListActivity(ctx, p.OrgID, f)
}
