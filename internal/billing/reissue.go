package billing

import (
	"context"
	"errors"
	"fmt"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/idempotency"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/usecase"
)

// ErrSameNumberOff is returned for a re-issue under the same number when
// the org does not allow it.
var ErrSameNumberOff = errors.New("re-issuing under the same number is off for this org (settings: reissueSameNumber)")

// ReissueInvoice corrects a finalized invoice the way accounting rules
// allow: it voids the invoice (an open one; one already void is re-issued
// as it is) and starts a draft prefilled from it, linked both ways. With
// keepNumber, and the org's setting on, the draft will take the voided
// invoice's number with a revision suffix ("INV-00042-R1") when finalized,
// using up no number, so the series stays gapless. Asking again returns
// the same draft. Refused like a void: 422 while payments remain, 409
// while locked.
func (s *Service) ReissueInvoice(ctx context.Context, p auth.Principal, id, reason string, keepNumber bool) (_ InvoiceView, err error) {
	defer usecase.Name(&err, "reissue invoice %s", id)
	if err := allow(p, auth.Void); err != nil {
		return InvoiceView{}, err
	}
	inv, err := s.store.GetInvoice(ctx, p.OrgID, id)
	if err != nil {
		return InvoiceView{}, err
	}
	if inv.ReplacedByID() != "" {
		return s.Invoice(ctx, p, inv.ReplacedByID())
	}
	if keepNumber {
		o, err := s.store.GetOrg(ctx, p.OrgID)
		if err != nil {
			return InvoiceView{}, err
		}
		if !o.Settings.ReissueSameNumber {
			return InvoiceView{}, ErrSameNumberOff
		}
	}
	if inv.Status() == invoice.Open || inv.Status() == invoice.Paid {
		v, err := s.VoidInvoice(ctx, p, id, reason)
		if err != nil {
			return InvoiceView{}, fmt.Errorf("re-issue %s: %w", id, err)
		}
		inv = v.Invoice
	}
	now := s.now()
	draft, err := inv.Reissue(s.newID("inv", now), keepNumber, now)
	if err != nil {
		return InvoiceView{}, err
	}
	created := s.invoiceEvent(p, activity.Created, draft)
	created.Detail = "re-issues " + inv.Number
	// A retry whose first run made its draft and died before linking it
	// (idempotency.AppliedError names that draft) links that one, and
	// answers as applied: the API answers with the draft.
	var applied *idempotency.AppliedError
	if err := s.store.CreateInvoice(ctx, draft, created); err != nil {
		if !errors.As(err, &applied) {
			return InvoiceView{}, fmt.Errorf("re-issue %s: %w", id, err)
		}
		draft.ID = applied.Ref
	}
	// Link the void invoice to its draft, unless a concurrent re-issue
	// linked its own first: then ours goes and theirs is the answer.
	var other string
	_, err = s.store.UpdateInvoice(ctx, p.OrgID, id, func(old *invoice.Invoice) ([]activity.Event, error) {
		if err := old.MarkReplacedBy(draft.ID, now); err != nil {
			other = old.ReplacedByID()
			return nil, err
		}
		e := s.invoiceEvent(p, activity.Reissued, old)
		e.Detail = "corrected by a new draft"
		return []activity.Event{e}, nil
	})
	switch {
	case errors.Is(err, invoice.ErrReplaced):
		if derr := s.store.DeleteInvoice(ctx, p.OrgID, draft.ID, func(*invoice.Invoice) error { return nil }); derr != nil {
			return InvoiceView{}, derr
		}
		return s.Invoice(ctx, p, other)
	case err != nil:
		return InvoiceView{}, fmt.Errorf("re-issue %s: %w", id, err)
	case applied != nil:
		return InvoiceView{}, fmt.Errorf("re-issue %s: %w", id, applied)
	}
	return s.view(ctx, draft)
}
