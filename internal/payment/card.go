package payment

import (
	"errors"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

// ErrAlreadyRecorded is returned when a card payment's intent already has
// its payment: the processor told us twice.
var ErrAlreadyRecorded = errors.New("this card payment is already recorded")

// CheckoutRequest asks the card processor for a hosted payment page for
// one invoice. The processor charges Amount + Fee in Currency.
type CheckoutRequest struct {
	OrgID         string
	InvoiceID     string
	InvoiceNumber string
	InvoiceName   string
	Currency      money.Currency
	Amount        decimal.Decimal // the invoice's balance due
	Fee           decimal.Decimal // the pass-through processing fee, or zero
	// Account is the org's connected account the money goes to, or "" for
	// the platform operator's own account.
	Account    string
	SuccessURL string
	CancelURL  string

	// ClientID, instead of InvoiceID, asks for a "pay all" checkout: the
	// client's whole open balance, allocated oldest first when paid.
	ClientID string
}

// CheckoutSession is the hosted payment page a client is sent to.
type CheckoutSession struct {
	ID  string
	URL string
}

// Quote is what a client paying an invoice by card pays: the balance and
// the processing fee the org passes on, shown before they pay.
type Quote struct {
	Currency money.Currency
	Balance  decimal.Decimal
	Fee      decimal.Decimal
}

// Total is what the card is charged.
func (q Quote) Total() decimal.Decimal { return q.Balance.Add(q.Fee) }

// CardPaid is a card payment the processor confirmed for one of our
// checkouts: Amount was charged, Fee of it being the pass-through fee.
type CardPaid struct {
	OrgID     string
	InvoiceID string
	// ClientID is set, and InvoiceID empty, for a pay-all checkout: the
	// payment is allocated to the client's open invoices oldest first.
	ClientID string
	// IntentID is the processor's id of the payment (a Stripe payment
	// intent). At most one payment is ever recorded per intent.
	IntentID string
	Currency money.Currency
	Amount   decimal.Decimal // charged, fee included
	Fee      decimal.Decimal
	At       time.Time // when the processor reported it
}

// Validate checks a confirmation on its own terms.
func (c CardPaid) Validate() error {
	switch {
	case c.OrgID == "" || (c.InvoiceID == "") == (c.ClientID == ""):
		return validation.Errorf("metadata", "the payment does not name an org and an invoice or a client")
	case c.IntentID == "" || len(c.IntentID) > 200:
		return validation.Errorf("payment_intent", "is missing")
	case c.Currency.IsZero():
		return validation.Errorf("currency", "is required")
	case !c.Amount.IsPositive() || !c.Amount.Equal(c.Amount.Truncate(c.Currency.MinorUnits())):
		return validation.Errorf("amount", "must be a positive amount in %s", c.Currency.Code())
	case c.Fee.IsNegative() || c.Fee.GreaterThanOrEqual(c.Amount) || !c.Fee.Equal(c.Fee.Truncate(c.Currency.MinorUnits())):
		return validation.Errorf("fee", "must be less than the amount charged, in %s", c.Currency.Code())
	}
	return nil
}

// CardEvent is a verified notification from the card processor.
type CardEvent struct {
	ID   string // the processor's event id: deliveries of one event share it
	Type string
	// Paid is set when the event confirms a payment of one of our
	// checkouts; other events are acknowledged and otherwise ignored.
	Paid *CardPaid
	// Refunded is set when the event reports a refund of a charge of one
	// of our checkouts (charge.refunded).
	Refunded *CardRefunded
	// Disputed is set when the event opens or closes a dispute of a
	// charge with a payment intent.
	Disputed *CardDispute
}
