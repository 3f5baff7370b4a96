package billing

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/invoice"
)

// IssueCreditNote credits amount against an open invoice with a numbered
// credit note, lowering its balance (and the client's owing).
func (s *Service) IssueCreditNote(ctx context.Context, p auth.Principal, invoiceID string, amount decimal.Decimal, reason string) (*credit.Note, error) {
	if err := allow(p, auth.Bill); err != nil {
		return nil, err
	}
	now := s.now()
	id := s.newID("crn", now)
	return s.store.IssueCreditNote(ctx, p.OrgID, invoiceID, func(inv *invoice.Invoice, seq int64) (*credit.Note, []activity.Event, error) {
		note, err := credit.Issue(id, inv, amount, reason, seq, now)
		if err != nil {
			return nil, nil, err
		}
		e := s.invoiceEvent(p, activity.CreditNote, inv)
		e.Detail = note.Number + " for " + inv.Spec.Currency.Display(amount) + ": " + reason
		return note, []activity.Event{e}, nil
	})
}

// CreditNote returns one of the org's credit notes.
func (s *Service) CreditNote(ctx context.Context, p auth.Principal, id string) (*credit.Note, error) {
	return s.store.CreditNote(ctx, p.OrgID, id)
}
