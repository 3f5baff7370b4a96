package payment

import (
	"errors"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/validation"
)

// Expected outcomes of reversals and refunds.
var (
	ErrReversed      = errors.New("this payment has been reversed; nothing more can be undone or refunded")
	ErrOverRefund    = errors.New("the refund is more than what is left of the payment")
	ErrNothingToUndo = errors.New("nothing is left of this payment to reverse: it has been refunded in full")
	ErrCreditSpent   = errors.New("the client has since used the credit this payment left; un-apply that credit from the invoice it paid first")
)

// CheckCredit refuses taking u.FromCredit back when the client holds less.
func (u Undo) CheckCredit(held decimal.Decimal) error {
	if u.FromCredit.GreaterThan(held) {
		return ErrCreditSpent
	}
	return nil
}

// Refund is money given back out of a payment.
type Refund struct {
	Amount decimal.Decimal
	Reason string
	At     time.Time
	// Source is where the refund was made: "manual" for one a coordinator
	// recorded, or the card processor's refund id.
	Source string
}

// Left is what of the payment is still with the business: the amount
// less refunds, nothing once reversed. Left = allocated + credit.
func (p *Payment) Left() decimal.Decimal {
	if p.Reversed {
		return decimal.Zero
	}
	return p.Input.Amount.Sub(p.Refunded())
}

// Refunded is the sum of the payment's refunds.
func (p *Payment) Refunded() decimal.Decimal {
	sum := decimal.Zero
	for _, r := range p.Refunds {
		sum = sum.Add(r.Amount)
	}
	return sum
}

// Allocated is the sum of the payment's allocations.
func (p *Payment) Allocated() decimal.Decimal {
	sum := decimal.Zero
	for _, a := range p.Allocations {
		sum = sum.Add(a.Amount)
	}
	return sum
}

// Undo is what a reversal or refund took back: from the client's credit,
// and from each invoice (which the caller's store writes back).
type Undo struct {
	FromCredit   decimal.Decimal
	FromInvoices decimal.Decimal
}

// Reverse undoes a payment entered in error: every allocation comes off
// its invoice (reopening it) and the part kept as credit comes off the
// client's credit. invoices holds the allocated invoices by id.
func (p *Payment) Reverse(reason string, invoices map[string]*invoice.Invoice, now time.Time) (Undo, error) {
	if err := validation.Text("reason", reason, true, 500); err != nil {
		return Undo{}, err
	}
	if p.Reversed {
		return Undo{}, ErrReversed
	}
	if !p.Left().IsPositive() {
		return Undo{}, ErrNothingToUndo
	}
	u := Undo{FromCredit: p.Credit, FromInvoices: p.Allocated()}
	for _, a := range p.Allocations {
		inv, ok := invoices[a.InvoiceID]
		if !ok {
			return Undo{}, errors.New("reverse payment: allocated invoice " + a.InvoiceID + " not read")
		}
		if err := inv.UnapplyPayment(a.Amount, now); err != nil {
			return Undo{}, err
		}
	}
	p.ReversedAllocations = p.Allocations
	p.Allocations, p.Credit = nil, decimal.Zero
	p.Reversed, p.ReversedAt, p.ReverseReason = true, now, reason
	return u, nil
}

// RefundPart gives amount of the payment back to the client: first out of
// the part kept as credit, then off its allocations, newest first (those
// invoices reopen). invoices holds the allocated invoices by id.
func (p *Payment) RefundPart(r Refund, invoices map[string]*invoice.Invoice) (Undo, error) {
	if err := validation.Text("reason", r.Reason, true, 500); err != nil {
		return Undo{}, err
	}
	cur := p.Input.Currency
	switch {
	case p.Reversed:
		return Undo{}, ErrReversed
	case !r.Amount.IsPositive() || !r.Amount.Equal(r.Amount.Truncate(cur.MinorUnits())):
		return Undo{}, validation.Errorf("amount", "must be a positive amount in %s", cur.Code())
	case r.Amount.GreaterThan(p.Left()):
		return Undo{}, &OverRefundError{Amount: cur.String(r.Amount), Left: cur.String(p.Left())}
	}
	u := Undo{FromCredit: decimal.Min(r.Amount, p.Credit)}
	p.Credit = p.Credit.Sub(u.FromCredit)
	rest := r.Amount.Sub(u.FromCredit)
	for i := len(p.Allocations) - 1; i >= 0 && rest.IsPositive(); i-- {
		a := &p.Allocations[i]
		take := decimal.Min(rest, a.Amount)
		inv, ok := invoices[a.InvoiceID]
		if !ok {
			return Undo{}, errors.New("refund payment: allocated invoice " + a.InvoiceID + " not read")
		}
		if err := inv.UnapplyPayment(take, r.At); err != nil {
			return Undo{}, err
		}
		a.Amount = a.Amount.Sub(take)
		rest = rest.Sub(take)
		u.FromInvoices = u.FromInvoices.Add(take)
	}
	p.Allocations = slices.DeleteFunc(p.Allocations, func(a Allocation) bool { return a.Amount.IsZero() })
	p.Refunds = append(p.Refunds, r)
	return u, nil
}

// OverRefundError is ErrOverRefund with the figures.
type OverRefundError struct{ Amount, Left string }

func (e *OverRefundError) Error() string { return e.PublicMessage() }

// PublicMessage is the message a client is shown.
func (e *OverRefundError) PublicMessage() string {
	return "a refund of " + e.Amount + " is more than the " + e.Left + " left of this payment"
}

// Unwrap lets errors.Is find ErrOverRefund.
func (e *OverRefundError) Unwrap() error { return ErrOverRefund }

// UpdatedAt is when the payment last changed: its latest refund or its
// reversal, else its recording.
func (p *Payment) UpdatedAt() time.Time {
	t := p.CreatedAt
	for _, r := range p.Refunds {
		if r.At.After(t) {
			t = r.At
		}
	}
	if p.ReversedAt.After(t) {
		t = p.ReversedAt
	}
	return t
}
