package billing

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/usecase"
)

// CreditNoteStore is the storage the credit note use cases in this file
// use; it is part of Store.
type CreditNoteStore interface {
	IssueCreditNote(ctx context.Context, orgID, invoiceID string, issue func(*invoice.Invoice, []*payment.Payment, int64) (*credit.Note, []activity.Event, error)) (*credit.Note, error)
	CreditNote(ctx context.Context, orgID, id string) (*credit.Note, error)
	GetInvoice(ctx context.Context, orgID, id string) (*invoice.Invoice, error)
	// InvoiceCreditNotes gives the notes issued against one invoice,
	// oldest first, voided ones included.
	InvoiceCreditNotes(ctx context.Context, orgID, invoiceID string) ([]*credit.Note, error)
}

// IssueCreditNote credits amount against an invoice with a numbered credit
// note: up to its balance it lowers what is owed (and the client's owing);
// on a paid invoice the rest comes off its payments and goes where excess
// says (client credit, a refund, or settled outside carebill), so the
// note's parts always sum to its amount. Without excess, a note above the
// balance is refused (credit.ErrNeedsExcess).
func (s *Service) IssueCreditNote(ctx context.Context, p auth.Principal, invoiceID string, amount decimal.Decimal, reason string, excess credit.Excess) (_ *credit.Note, err error) {
	defer usecase.Name(&err, "issue credit note %s", invoiceID)
	if err := allow(p, auth.Bill); err != nil {
		return nil, err
	}
	return s.store.IssueCreditNote(ctx, p.OrgID, invoiceID, s.creditNote(p, amount, reason, excess))
}

// creditNote is how a store's credit note transaction makes the note on
// the invoice it read: numbered seq, with its activity event.
func (s *Service) creditNote(p auth.Principal, amount decimal.Decimal, reason string, excess credit.Excess) func(*invoice.Invoice, []*payment.Payment, int64) (*credit.Note, []activity.Event, error) {
	now := s.now()
	id := s.newID("crn", now)
	return func(inv *invoice.Invoice, pays []*payment.Payment, seq int64) (*credit.Note, []activity.Event, error) {
		note, _, err := credit.IssueOnPaid(id, inv, pays, amount, reason, excess, seq, now)
		if err != nil {
			return nil, nil, err
		}
		e := s.invoiceEvent(p, activity.CreditNote, inv)
		e.Detail = note.Number + " for " + inv.Spec.Currency.Display(amount) + ": " + reason
		return note, []activity.Event{e}, nil
	}
}

// CreditNote returns one of the org's credit notes.
func (s *Service) CreditNote(ctx context.Context, p auth.Principal, id string) (_ *credit.Note, err error) {
	defer usecase.Name(&err, "credit note %s", id)
	return s.store.CreditNote(ctx, p.OrgID, id)
}

// InvoiceCreditNotes returns the credit notes issued against one of the
// org's invoices, oldest first, voided ones included (each says so), so
// the invoice page can list them with their PDFs after a reload.
// An invoice the org does not have is invoice.ErrNotFound.
func (s *Service) InvoiceCreditNotes(ctx context.Context, p auth.Principal, invoiceID string) (_ []*credit.Note, err error) {
	defer usecase.Name(&err, "credit notes of invoice %s", invoiceID)
	if _, err := s.store.GetInvoice(ctx, p.OrgID, invoiceID); err != nil {
		return nil, err
	}
	return s.store.InvoiceCreditNotes(ctx, p.OrgID, invoiceID)
}
