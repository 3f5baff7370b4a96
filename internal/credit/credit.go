// Package credit is the credit note: a numbered document, from its own
// gapless series, that takes an amount off an open invoice without editing
// it. Corrections never change a finalized invoice; they credit or void it.
package credit

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/validation"
)

// ErrNotFound is returned when the credit note is not in the caller's org.
var ErrNotFound = errors.New("credit note not found")

// Note is a credit note.
type Note struct {
	ID        string
	OrgID     string
	InvoiceID string
	Invoice   string // the credited invoice's number
	ClientID  string
	Amount    decimal.Decimal
	Currency  money.Currency
	Reason    string
	Number    string
	Seq       int64
	CreatedAt time.Time
	VoidedAt  time.Time // zero unless voided
	// VoidReason says why a note was voided: its amount went back onto
	// the invoice (and the client's owing).
	VoidReason string
	// Parts say where the amount went (all of it off the balance unless
	// the invoice had been paid).
	Parts Parts
}

// ErrVoided is returned when a void credit note is voided again.
var ErrVoided = errors.New("this credit note is already void")

// Void cancels the note: its amount goes back onto inv, reopening it. A
// note on a void invoice cannot be voided (the invoice owes nothing).
func (n *Note) Void(inv *invoice.Invoice, reason string, now time.Time) error {
	if err := validation.Text("reason", reason, true, 500); err != nil {
		return err
	}
	if !n.VoidedAt.IsZero() {
		return ErrVoided
	}
	if err := inv.UncreditNote(n.Amount, now); err != nil {
		return err
	}
	n.VoidedAt, n.VoidReason = now, reason
	return nil
}

// Issue credits amount against inv (which it changes) and returns the note
// numbered seq in the credit-note series.
func Issue(id string, inv *invoice.Invoice, amount decimal.Decimal, reason string, seq int64, now time.Time) (*Note, error) {
	if err := validation.Text("reason", reason, true, 500); err != nil {
		return nil, err
	}
	cur := inv.Spec.Currency
	if !amount.Equal(amount.Truncate(cur.MinorUnits())) {
		return nil, validation.Errorf("amount", "has more decimal places than %s allows", cur.Code())
	}
	if err := inv.ApplyCredit(amount, now); err != nil {
		return nil, err
	}
	return &Note{
		ID: id, OrgID: inv.OrgID, InvoiceID: inv.ID, Invoice: inv.Number, ClientID: inv.Spec.ClientID,
		Amount: amount, Currency: cur, Reason: reason, Number: FormatNumber(seq), Seq: seq, CreatedAt: now,
	}, nil
}

// FormatNumber writes a credit note number ("CN-00003").
func FormatNumber(seq int64) string { return fmt.Sprintf("CN-%05d", seq) }

// Excess says where the part of a credit note above what the invoice still
// owes goes: that money was paid, so it must go somewhere.
type Excess string

// Where a credit note's excess goes.
const (
	ToClientCredit Excess = "client_credit" // kept for the client as credit
	ToRefund       Excess = "refund"        // refunded out of the payments (recorded on them)
	ToOutside      Excess = "outside"       // settled outside carebill (recorded on the payments too)
)

// Parts say where a credit note's amount went; they sum to its amount.
type Parts struct {
	Balance      decimal.Decimal // off what the invoice still owed
	ClientCredit decimal.Decimal
	Refund       decimal.Decimal
	Outside      decimal.Decimal
}

// ErrNeedsExcess is returned when a credit note is more than the
// invoice's balance and does not say where the paid money goes.
var ErrNeedsExcess = errors.New("this credit note is more than the invoice still owes: say where the rest goes (excessTo: client_credit, refund or outside)")

// Released is money a credit note took back off one payment's allocation.
type Released struct {
	PaymentID string
	Amount    decimal.Decimal
}

// IssueOnPaid credits amount against an open or paid invoice whose
// payments are pays (newest first). Up to the balance it lowers what is
// owed; the rest comes off the payments' allocations to inv (newest first)
// and goes to excess: the client's credit, or a refund recorded on each
// payment. It changes inv and pays and returns the note and what it
// released from each payment.
func IssueOnPaid(id string, inv *invoice.Invoice, pays []*payment.Payment, amount decimal.Decimal, reason string, excess Excess, seq int64, now time.Time) (*Note, []Released, error) {
	if err := validation.Text("reason", reason, true, 500); err != nil {
		return nil, nil, err
	}
	cur := inv.Spec.Currency
	switch {
	case inv.Status() == invoice.Draft:
		return nil, nil, invoice.ErrNotFinalized
	case inv.Status() != invoice.Open && inv.Status() != invoice.Paid:
		return nil, nil, invoice.ErrSettled
	case !amount.IsPositive() || !amount.Equal(amount.Truncate(cur.MinorUnits())):
		return nil, nil, validation.Errorf("amount", "must be a positive amount in %s", cur.Code())
	}
	bal := inv.Balance()
	rest := amount.Sub(decimal.Min(amount, bal))
	parts := Parts{Balance: decimal.Min(amount, bal)}
	if rest.GreaterThan(inv.Paid()) {
		owed := cur.String(bal)
		if inv.Paid().IsPositive() {
			owed += " (and " + cur.String(inv.Paid()) + " paid)"
		}
		return nil, nil, &invoice.BalanceError{Amount: cur.String(amount), Balance: owed}
	}
	if rest.IsPositive() {
		switch excess {
		case ToClientCredit:
			parts.ClientCredit = rest
		case ToRefund:
			parts.Refund = rest
		case ToOutside:
			parts.Outside = rest
		case "":
			return nil, nil, ErrNeedsExcess
		default:
			return nil, nil, validation.Errorf("excessTo", "must be client_credit, refund or outside")
		}
		if err := inv.UnapplyPayment(rest, now); err != nil {
			return nil, nil, err
		}
	}
	var released []Released
	for _, p := range pays {
		if !rest.IsPositive() {
			break
		}
		for i := range p.Allocations {
			a := &p.Allocations[i]
			if a.InvoiceID != inv.ID || !a.Amount.IsPositive() {
				continue
			}
			take := decimal.Min(rest, a.Amount)
			a.Amount = a.Amount.Sub(take)
			rest = rest.Sub(take)
			if excess == ToClientCredit {
				p.Credit = p.Credit.Add(take)
			} else {
				p.Refunds = append(p.Refunds, payment.Refund{Amount: take, Reason: reason, At: now, Source: "credit note (" + string(excess) + ")"})
			}
			released = append(released, Released{PaymentID: p.ID, Amount: take})
		}
		p.Allocations = slices.DeleteFunc(p.Allocations, func(a payment.Allocation) bool { return a.Amount.IsZero() })
	}
	if rest.IsPositive() {
		return nil, nil, fmt.Errorf("issue credit note on %s: %s of its payments not found", inv.ID, rest)
	}
	if err := inv.ApplyCredit(amount, now); err != nil {
		return nil, nil, err
	}
	return &Note{
		ID: id, OrgID: inv.OrgID, InvoiceID: inv.ID, Invoice: inv.Number, ClientID: inv.Spec.ClientID,
		Amount: amount, Currency: cur, Reason: reason, Number: FormatNumber(seq), Seq: seq, CreatedAt: now, Parts: parts,
	}, released, nil
}
