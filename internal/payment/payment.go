// Package payment is money received from a client: how it was paid, which
// invoices it settles, and what is left over as client credit. Allocation
// never loses a cent: every part of a payment is either against an invoice
// balance or the client's credit.
package payment

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

// Method is how the money arrived.
type Method string

// Payment methods.
const (
	Card         Method = "card"
	BankTransfer Method = "bank_transfer"
	Cash         Method = "cash"
	Cheque       Method = "cheque"
	Other        Method = "other"
)

// Methods are every payment method, in the order forms list them; no
// other is recorded (Input.Validate).
var Methods = []Method{Card, BankTransfer, Cash, Cheque, Other}

// Expected outcomes.
var (
	ErrNotFound   = errors.New("payment not found")
	ErrConflict   = errors.New("the invoices changed while the payment was recorded; try again")
	ErrOverBudget = errors.New("allocations add up to more than the payment")
)

// MaxAllocations caps the invoices one payment may settle (each is a write
// in the payment's transaction).
const MaxAllocations = 40

// Allocation is part of a payment applied to one invoice.
type Allocation struct {
	InvoiceID string
	Number    string
	Amount    decimal.Decimal
}

// Input is a payment as recorded by a coordinator (or by a card checkout).
type Input struct {
	ClientID    string
	Amount      decimal.Decimal
	Currency    money.Currency
	Date        calendar.Date
	Method      Method
	Reference   string
	Comments    string
	Allocations []Allocation // empty: oldest open invoices first
	// RequestKey is the request's Idempotency-Key, if it had one (see
	// Payment.RequestKey).
	RequestKey string
}

// Validate checks an input on its own terms.
func (in Input) Validate() error {
	if in.ClientID == "" {
		return validation.Errorf("clientId", "is required")
	}
	if in.Currency.IsZero() {
		return validation.Errorf("currency", "is required")
	}
	switch {
	case !in.Amount.IsPositive():
		return validation.Errorf("amount", "must be more than zero")
	case in.Amount.GreaterThan(invoice.MaxTotal):
		return validation.Errorf("amount", "must be at most %s", invoice.MaxTotal)
	case !in.Amount.Equal(in.Amount.Truncate(in.Currency.MinorUnits())):
		return validation.Errorf("amount", "has more decimal places than %s allows", in.Currency.Code())
	}
	if in.Date.IsZero() {
		return validation.Errorf("date", "is required")
	}
	if !slices.Contains(Methods, in.Method) {
		return validation.Errorf("method", "must be card, bank_transfer, cash, cheque or other")
	}
	if err := validation.Text("reference", in.Reference, false, 200); err != nil {
		return err
	}
	if err := validation.Text("comments", in.Comments, false, 2000); err != nil {
		return err
	}
	if len(in.Allocations) > MaxAllocations {
		return validation.Errorf("allocations", "at most %d invoices per payment", MaxAllocations)
	}
	seen := map[string]bool{}
	sum := decimal.Zero
	for i, a := range in.Allocations {
		f := fmt.Sprintf("allocations[%d]", i)
		if a.InvoiceID == "" {
			return validation.Errorf(f+".invoiceId", "is required")
		}
		if seen[a.InvoiceID] {
			return validation.Errorf(f+".invoiceId", "appears twice")
		}
		seen[a.InvoiceID] = true
		if !a.Amount.IsPositive() || !a.Amount.Equal(a.Amount.Truncate(in.Currency.MinorUnits())) {
			return validation.Errorf(f+".amount", "must be a positive amount in %s", in.Currency.Code())
		}
		sum = sum.Add(a.Amount)
	}
	if sum.GreaterThan(in.Amount) {
		return validation.Errorf("allocations", "%v: they come to %s of a %s payment", ErrOverBudget, in.Currency.String(sum), in.Currency.String(in.Amount))
	}
	return nil
}

// Payment is a recorded payment with its receipt number.
type Payment struct {
	ID          string
	OrgID       string
	Input       Input
	Allocations []Allocation    // what was applied, in order
	Credit      decimal.Decimal // the rest, added to the client's credit
	// Fee is the card processing fee the client paid on top of Amount
	// under the org's pass-through fee policy. It settles no invoice and
	// is no credit: the card was charged Amount + Fee.
	Fee decimal.Decimal
	// IntentID is the card processor's payment id for card payments made
	// online; a payment intent is recorded at most once.
	IntentID string
	// RequestKey is the Idempotency-Key of the API request that recorded
	// the payment (the org's key space); a key records at most one
	// payment, even when its request runs again after a crash that left
	// the key's reply unstored. Empty for payments without one.
	RequestKey    string
	ReceiptNumber string
	ReceiptSeq    int64
	CreatedAt     time.Time

	// Refunds are money given back out of this payment; Reversed marks a
	// payment undone as entered in error. Always: Amount = allocated +
	// Credit + refunded, unless reversed (then nothing is left).
	Refunds       []Refund
	Reversed      bool
	ReversedAt    time.Time
	ReverseReason string
	// ReversedAllocations is what the payment had settled when it was
	// reversed (its Allocations are then empty), so the invoices it paid
	// can still list it, stamped reversed.
	ReversedAllocations []Allocation
	Version             int64 // bumped by every stored change after recording
}

// Allocate decides where a payment goes. With explicit allocations each
// must name one of the open invoices and fit its balance; without, the
// oldest open invoices (by due date) are settled first. Whatever is left is
// credit. It changes the invoices it pays (Paid, and status when settled)
// and returns the allocations and the credit.
func Allocate(in Input, open []*invoice.Invoice, now time.Time) ([]Allocation, decimal.Decimal, error) {
	byID := map[string]*invoice.Invoice{}
	for _, inv := range open {
		byID[inv.ID] = inv
	}
	left := in.Amount
	var out []Allocation
	if len(in.Allocations) > 0 {
		for i, a := range in.Allocations {
			inv, ok := byID[a.InvoiceID]
			if !ok {
				return nil, decimal.Zero, validation.Errorf(fmt.Sprintf("allocations[%d].invoiceId", i), "is not an open invoice of this client")
			}
			if err := inv.ApplyPayment(a.Amount, now); err != nil {
				return nil, decimal.Zero, validation.Prefix(fmt.Sprintf("allocations[%d]", i), err)
			}
			out = append(out, Allocation{InvoiceID: inv.ID, Number: inv.Number, Amount: a.Amount})
			left = left.Sub(a.Amount)
		}
		return out, left, nil
	}
	for _, inv := range oldestFirst(open) {
		if !left.IsPositive() || len(out) == MaxAllocations {
			break
		}
		amt := decimal.Min(left, inv.Balance())
		if !amt.IsPositive() {
			continue
		}
		if err := inv.ApplyPayment(amt, now); err != nil {
			return nil, decimal.Zero, err
		}
		out = append(out, Allocation{InvoiceID: inv.ID, Number: inv.Number, Amount: amt})
		left = left.Sub(amt)
	}
	return out, left, nil
}

func oldestFirst(open []*invoice.Invoice) []*invoice.Invoice {
	out := slices.Clone(open)
	slices.SortStableFunc(out, func(a, b *invoice.Invoice) int {
		if c := strings.Compare(a.Spec.DueDate.String(), b.Spec.DueDate.String()); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	return out
}

// FormatReceipt writes a receipt number ("RCT-00007").
func FormatReceipt(seq int64) string { return fmt.Sprintf("RCT-%05d", seq) }
