package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/paylink"
	"github.com/carebill/carebill/internal/usecase"
)

// PayLinkStore is the storage the pay link use cases in this file and
// who pays an invoice (ndia.go) use; it is part of Store.
type PayLinkStore interface {
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
	GetInvoice(ctx context.Context, orgID, id string) (*invoice.Invoice, error)
	CreatePayLink(ctx context.Context, l paylink.Link, rotate bool) error
	PayLink(ctx context.Context, orgID, hash string) (paylink.Link, error)
	AppendActivity(ctx context.Context, events ...activity.Event) error
}

// PayLink issues a link to a finalized invoice's pay page under base
// (scheme and host, e.g. "https://pay.example.com"). With rotate, every
// earlier link to the invoice stops working. An NDIA-managed
// participant's invoice gets none (ErrNDIAManaged).
func (s *Service) PayLink(ctx context.Context, p auth.Principal, invoiceID, base string, rotate bool) (_ string, err error) {
	defer usecase.Name(&err, "pay link %s", invoiceID)
	if err := allow(p, auth.Bill); err != nil {
		return "", err
	}
	inv, err := s.store.GetInvoice(ctx, p.OrgID, invoiceID)
	if err != nil {
		return "", err
	}
	return s.issuePayLink(ctx, inv, base, rotate)
}

func (s *Service) issuePayLink(ctx context.Context, inv *invoice.Invoice, base string, rotate bool) (string, error) {
	if inv.Status() == invoice.Draft {
		return "", invoice.ErrNotFinalized
	}
	if err := s.checkNotNDIAManaged(ctx, inv); err != nil {
		return "", err
	}
	link, token := paylink.New(inv.OrgID, inv.ID, s.now())
	if err := s.store.CreatePayLink(ctx, link, rotate); err != nil {
		return "", fmt.Errorf("pay link for %s: %w", inv.ID, err)
	}
	return paylink.URL(base, token), nil
}

// OpenPayLink resolves a token from a pay link to its invoice and org. Any
// failure is paylink.ErrInvalid, so a guesser learns nothing.
func (s *Service) OpenPayLink(ctx context.Context, token string) (_ InvoiceView, _ *org.Org, err error) {
	defer usecase.Name(&err, "open pay link")
	orgID, hash, err := paylink.Parse(token)
	if err != nil {
		return InvoiceView{}, nil, err
	}
	link, err := s.store.PayLink(ctx, orgID, hash)
	if err != nil {
		return InvoiceView{}, nil, err
	}
	if link.InvoiceID == "" { // a pay-all link opens only the pay-all page
		return InvoiceView{}, nil, paylink.ErrInvalid
	}
	inv, err := s.store.GetInvoice(ctx, orgID, link.InvoiceID)
	if errors.Is(err, invoice.ErrNotFound) {
		return InvoiceView{}, nil, paylink.ErrInvalid
	}
	if err != nil {
		return InvoiceView{}, nil, err
	}
	o, err := s.store.GetOrg(ctx, orgID)
	if err != nil {
		return InvoiceView{}, nil, err
	}
	s.remember(o)
	v, err := s.view(ctx, inv)
	return v, o, err
}

// FirstViews knows whether a view is a link's first of the day
// (internal/dynamo implements it).
type FirstViews interface {
	FirstView(ctx context.Context, orgID, invoiceID, viewer, day string, until time.Time) (bool, error)
}

// RecordViewed notes that the client opened the invoice through viewer
// (a pay link's hash): once per link per day (UTC), so reloading a page
// does not fill the activity log.
func (s *Service) RecordViewed(ctx context.Context, inv *invoice.Invoice, how, viewer string) (err error) {
	defer usecase.Name(&err, "record invoice viewed")
	if views, ok := s.store.(FirstViews); ok {
		now := s.now().UTC()
		first, err := views.FirstView(ctx, inv.OrgID, inv.ID, viewer, now.Format(time.DateOnly), now.Add(48*time.Hour))
		if err != nil || !first {
			return err
		}
	}
	e := s.invoiceEvent(auth.Principal{OrgID: inv.OrgID, Email: "client"}, activity.Viewed, inv)
	e.Channel = how
	return s.store.AppendActivity(ctx, e)
}
