package payment

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

// Expected outcomes of parked card payments.
var (
	ErrParkedNotFound = errors.New("parked card payment not found")
	ErrParkedResolved = errors.New("this parked card payment is already resolved")
	ErrParkedConflict = errors.New("the parked card payment changed meanwhile; try again")
)

// Resolution is how an admin settled a parked card payment.
type Resolution string

// Resolutions.
const (
	// RefundedOutside: the money was given back in the processor's
	// dashboard (or otherwise outside carebill).
	RefundedOutside Resolution = "refunded_outside"
	// Handled: dealt with some other way, which the reason says.
	Handled Resolution = "handled"
)

// Parked is a card payment the processor took in a currency the client
// does not bill in. carebill never converts money and never loses it, so
// it records the payment nowhere else (no receipt, no ledger entry) and
// keeps it here, one per payment intent, until an admin resolves it.
type Parked struct {
	OrgID         string
	IntentID      string // the processor's payment id: the parked payment's id
	EventID       string // the first event that reported it
	InvoiceID     string
	InvoiceNumber string
	ClientID      string
	ClientName    string
	Amount        decimal.Decimal // charged, fee included, in Currency
	Currency      money.Currency  // what the card was charged in
	Expected      money.Currency  // what the client bills in
	PaidAt        time.Time       // when the processor reported it
	CreatedAt     time.Time

	Resolution    Resolution // "" while parked
	ResolveReason string
	ResolvedBy    string
	ResolvedAt    time.Time
	Version       int64
}

// Open reports whether the parked payment still waits for an admin.
func (p *Parked) Open() bool { return p.Resolution == "" }

// Resolve settles the parked payment once, with a reason in words.
func (p *Parked) Resolve(r Resolution, reason, by string, now time.Time) error {
	switch r {
	case RefundedOutside, Handled:
	default:
		return validation.Errorf("resolution", "must be refunded_outside or handled")
	}
	if err := validation.Text("reason", reason, true, 500); err != nil {
		return err
	}
	if !p.Open() {
		return fmt.Errorf("resolve parked card payment %s: %w", p.IntentID, ErrParkedResolved)
	}
	p.Resolution, p.ResolveReason, p.ResolvedBy, p.ResolvedAt = r, reason, by, now
	return nil
}
