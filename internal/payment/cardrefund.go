package payment

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

// CardRefundSource prefixes the Source of refunds the card processor made
// (a Stripe charge.refunded event): "stripe:" and the processor's refund
// ids, comma separated, or the charge id when the event lists none.
const CardRefundSource = "stripe:"

// ProcessorRefund is one refund the processor made: its id (re_…) and
// amount.
type ProcessorRefund struct {
	ID     string
	Amount decimal.Decimal
}

// CardRefunded is a refund the card processor reported for a charge of
// one of our checkouts. Refunds lists the charge's refunds when the event
// carries them; otherwise Total (the charge's cumulative amount refunded)
// is all there is, and ChargeID keys it.
type CardRefunded struct {
	OrgID    string
	IntentID string
	ChargeID string
	Currency money.Currency
	Refunds  []ProcessorRefund
	Total    decimal.Decimal
	At       time.Time
}

// Validate checks a refund report on its own terms.
func (c CardRefunded) Validate() error {
	switch {
	case c.OrgID == "":
		return validation.Errorf("metadata", "the charge does not name an org")
	case c.IntentID == "" || len(c.IntentID) > 200:
		return validation.Errorf("payment_intent", "is missing")
	case c.Currency.IsZero():
		return validation.Errorf("currency", "is required")
	case c.Total.IsNegative():
		return validation.Errorf("amount_refunded", "must not be negative")
	}
	for _, r := range c.Refunds {
		if r.ID == "" || strings.Contains(r.ID, ",") || !r.Amount.IsPositive() {
			return validation.Errorf("refunds", "each refund needs an id and a positive amount")
		}
	}
	return nil
}

// ProcessorRefundIDs are the processor refund ids already recorded on the
// payment, read back from the Source of its card refunds.
func (p *Payment) ProcessorRefundIDs() map[string]bool {
	ids := map[string]bool{}
	for _, r := range p.Refunds {
		if rest, ok := strings.CutPrefix(r.Source, CardRefundSource); ok {
			for id := range strings.SplitSeq(rest, ",") {
				ids[id] = true
			}
		}
	}
	return ids
}

// CardRefundedTotal is the sum of the payment's refunds made by the card
// processor.
func (p *Payment) CardRefundedTotal() decimal.Decimal {
	sum := decimal.Zero
	for _, r := range p.Refunds {
		if strings.HasPrefix(r.Source, CardRefundSource) {
			sum = sum.Add(r.Amount)
		}
	}
	return sum
}

// NewCardRefund works out the refund a processor report still owes the
// payment: the listed refunds not yet recorded (by id), or, when the
// report lists none, the cumulative total less what card refunds already
// recorded. Either way it is capped at what is left of the payment: a
// refund of the card charge may include the pass-through processing fee,
// which never reached the client's account. ok is false when nothing is
// left to record (a redelivery, or an older report arriving late).
func (p *Payment) NewCardRefund(c CardRefunded, reason string) (r Refund, ok bool) {
	amount, ids := decimal.Zero, []string{}
	if len(c.Refunds) > 0 {
		seen := p.ProcessorRefundIDs()
		for _, pr := range c.Refunds {
			if !seen[pr.ID] {
				amount, ids = amount.Add(pr.Amount), append(ids, pr.ID)
				seen[pr.ID] = true
			}
		}
	} else {
		amount, ids = c.Total.Sub(p.CardRefundedTotal()), []string{c.ChargeID}
	}
	amount = decimal.Min(amount, p.Left())
	if !amount.IsPositive() {
		return Refund{}, false
	}
	return Refund{Amount: amount, Reason: reason, At: c.At, Source: CardRefundSource + strings.Join(ids, ",")}, true
}

// Dispute outcomes a card processor reports.
const (
	DisputeOpened = "opened" // the cardholder disputed the charge: funds held
	DisputeWon    = "won"    // closed in the business's favour
	DisputeLost   = "lost"   // closed against it: the money went back to the cardholder
)

// CardDispute is a dispute of a card payment the processor reported
// (Stripe charge.dispute.created / charge.dispute.closed). Disputes carry
// no carebill metadata: the payment is found by its intent alone.
type CardDispute struct {
	DisputeID string
	IntentID  string
	// Outcome is DisputeOpened, DisputeWon or DisputeLost; closures with
	// any other status (warnings closed) are not reported.
	Outcome string
}
