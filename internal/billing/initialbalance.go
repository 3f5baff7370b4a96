package billing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/usecase"
	"github.com/carebill/carebill/internal/validation"
)

// ErrInitialBalanceSet refuses a second, different initial balance for a
// billing account: it can be set once (void it to set another).
var ErrInitialBalanceSet = errors.New("this billing account already has an initial balance; change what it owes with a credit note or another invoice")

// InitialBalanceID is the id of a client's initial-balance invoice: the
// client's own id under the invoice prefix, so a client has at most one
// and a repeated request finds it rather than adding another.
func InitialBalanceID(clientID string) string {
	return id.Invoice + "_" + strings.TrimPrefix(clientID, id.Client+"_")
}

// SetInitialBalance records what a billing account owed when it was
// created: an invoice of one untaxed line, finalized without a number (the
// series is untouched), dated on date (today when zero), on the client's
// ledger and balance owing like any invoice. It is allowed where
// standalone invoices are not. Asking again with the same amount answers
// the same invoice; another amount is ErrInitialBalanceSet.
func (s *Service) SetInitialBalance(ctx context.Context, p auth.Principal, clientID string, amount decimal.Decimal, date calendar.Date) (_ InvoiceView, err error) {
	defer usecase.Name(&err, "set initial balance %s", clientID)
	if err := allow(p, auth.Bill); err != nil {
		return InvoiceView{}, err
	}
	if !id.Valid(id.Client, clientID) {
		return InvoiceView{}, fmt.Errorf("initial balance of %s: %w", clientID, client.ErrNotFound)
	}
	if !amount.IsPositive() {
		return InvoiceView{}, validation.Errorf("amount", "must be more than 0")
	}
	invID := InitialBalanceID(clientID)
	inv, err := s.store.GetInvoice(ctx, p.OrgID, invID)
	if errors.Is(err, invoice.ErrNotFound) {
		zero := decimal.Zero
		inv, err = s.createDraftWithID(ctx, p, invID, DraftInput{ClientID: clientID, Name: "Initial balance", IssueDate: date, Origin: invoice.InitialBalance,
			Lines: []LineInput{{Line: invoice.Line{Type: invoice.Fixed, Description: "Balance brought forward", Price: amount}, TaxRate: &zero}}})
	}
	if err != nil {
		return InvoiceView{}, fmt.Errorf("initial balance: %w", err)
	}
	if inv.Status() == invoice.Draft {
		if !inv.Totals().Total.Equal(amount) {
			return InvoiceView{}, ErrInitialBalanceSet
		}
		v, err := s.FinalizeInvoice(ctx, p, invID)
		if !errors.Is(err, invoice.ErrNotDraft) {
			return v, err
		}
		if inv, err = s.store.GetInvoice(ctx, p.OrgID, invID); err != nil {
			return InvoiceView{}, fmt.Errorf("initial balance: %w", err)
		}
	}
	if inv.Status() == invoice.Void || !inv.Totals().Total.Equal(amount) {
		return InvoiceView{}, ErrInitialBalanceSet
	}
	return s.view(ctx, inv)
}
