package cardpay

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/carebill/carebill/internal/card"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/payment"
)

// ErrBadSignature is returned for a webhook whose Stripe-Signature is
// missing, wrong, or signed too long ago (or in the future): a forgery or
// a replay, never to be acted on.
var ErrBadSignature = card.ErrBadSignature

// ErrMalformed is returned for a correctly signed event carebill cannot
// read.
var ErrMalformed = card.ErrMalformed

// Event types that confirm a payment. A Checkout Session completes paid
// for cards; the async variant covers delayed methods should they ever be
// enabled; payment_intent.succeeded may arrive before or after either.
const (
	sessionCompleted     = "checkout.session.completed"
	sessionAsyncSucceded = "checkout.session.async_payment_succeeded"
	intentSucceeded      = "payment_intent.succeeded"
	chargeRefunded       = "charge.refunded"
	disputeCreated       = "charge.dispute.created"
	disputeClosed        = "charge.dispute.closed"
)

// ParseEvent verifies a webhook delivery's signature and timestamp
// against the endpoint secret and reads it. Events that confirm a payment
// of a carebill checkout come back with Paid set; any other event, or one
// of another integration on the same Stripe account (no carebill
// metadata), comes back without.
func (s *Stripe) ParseEvent(payload []byte, signature string) (payment.CardEvent, error) {
	if err := s.checkTimestamp(signature); err != nil {
		return payment.CardEvent{}, err
	}
	ev, err := webhook.ConstructEventWithOptions(payload, signature, s.secret, webhook.ConstructEventOptions{
		Tolerance: s.tolerance,
		// Only the few fields read below matter, and they are stable
		// across API versions; the endpoint's version may trail the SDK's.
		IgnoreAPIVersionMismatch: true,
	})
	switch {
	case errors.Is(err, webhook.ErrNotSigned), errors.Is(err, webhook.ErrInvalidHeader),
		errors.Is(err, webhook.ErrNoValidSignature), errors.Is(err, webhook.ErrTooOld):
		return payment.CardEvent{}, fmt.Errorf("%w: %w", ErrBadSignature, err)
	case err != nil:
		return payment.CardEvent{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	case ev.ID == "" || ev.Data == nil:
		return payment.CardEvent{}, fmt.Errorf("%w: no id or data", ErrMalformed)
	}
	out := payment.CardEvent{ID: ev.ID, Type: string(ev.Type)}
	at := time.Unix(ev.Created, 0)
	switch out.Type {
	case sessionCompleted, sessionAsyncSucceded:
		var cs stripe.CheckoutSession
		if err := json.Unmarshal(ev.Data.Raw, &cs); err != nil {
			return out, fmt.Errorf("%w: %s: %w", ErrMalformed, out.Type, err)
		}
		if cs.PaymentStatus != stripe.CheckoutSessionPaymentStatusPaid || cs.Metadata[metaOrg] == "" {
			return out, nil // not paid yet, or not ours
		}
		intent := ""
		if cs.PaymentIntent != nil {
			intent = cs.PaymentIntent.ID
		}
		out.Paid, err = paid(cs.Metadata, intent, cs.AmountTotal, string(cs.Currency), at)
	case intentSucceeded:
		var pi stripe.PaymentIntent
		if err := json.Unmarshal(ev.Data.Raw, &pi); err != nil {
			return out, fmt.Errorf("%w: %s: %w", ErrMalformed, out.Type, err)
		}
		if pi.Status != stripe.PaymentIntentStatusSucceeded || pi.Metadata[metaOrg] == "" {
			return out, nil
		}
		out.Paid, err = paid(pi.Metadata, pi.ID, pi.AmountReceived, string(pi.Currency), at)
	case chargeRefunded:
		var ch stripe.Charge
		if err := json.Unmarshal(ev.Data.Raw, &ch); err != nil {
			return out, fmt.Errorf("%w: %s: %w", ErrMalformed, out.Type, err)
		}
		if ch.Metadata[metaOrg] == "" || ch.PaymentIntent == nil {
			return out, nil // not ours
		}
		out.Refunded, err = refunded(&ch, at)
	case disputeCreated, disputeClosed:
		var d stripe.Dispute
		if err := json.Unmarshal(ev.Data.Raw, &d); err != nil {
			return out, fmt.Errorf("%w: %s: %w", ErrMalformed, out.Type, err)
		}
		if d.PaymentIntent == nil || d.PaymentIntent.ID == "" {
			return out, nil // not a payment intent's charge: not ours
		}
		outcome := payment.DisputeOpened
		if out.Type == disputeClosed {
			switch d.Status {
			case stripe.DisputeStatusWon:
				outcome = payment.DisputeWon
			case stripe.DisputeStatusLost:
				outcome = payment.DisputeLost
			default:
				return out, nil // an inquiry or warning closed: nothing was held
			}
		}
		out.Disputed = &payment.CardDispute{DisputeID: d.ID, IntentID: d.PaymentIntent.ID, Outcome: outcome}
	}
	if err != nil {
		return payment.CardEvent{ID: out.ID, Type: out.Type}, fmt.Errorf("%w: %s %s: %w", ErrMalformed, out.Type, out.ID, err)
	}
	return out, nil
}

// checkTimestamp refuses signatures dated further than the tolerance in
// the future, which stripe-go lets through; it checks the past itself.
func (s *Stripe) checkTimestamp(signature string) error {
	for part := range strings.SplitSeq(signature, ",") {
		if v, ok := strings.CutPrefix(part, "t="); ok {
			sec, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("%w: bad timestamp", ErrBadSignature)
			}
			if time.Unix(sec, 0).Sub(s.now()) > s.tolerance {
				return fmt.Errorf("%w: timestamp in the future", ErrBadSignature)
			}
			return nil
		}
	}
	return fmt.Errorf("%w: no timestamp", ErrBadSignature)
}

// paid reads a confirmed payment from an object's metadata and amounts.
func paid(meta map[string]string, intent string, amount int64, currency string, at time.Time) (*payment.CardPaid, error) {
	cur, err := money.ParseCurrency(strings.ToUpper(currency))
	if err != nil {
		return nil, err
	}
	p := &payment.CardPaid{
		OrgID: meta[metaOrg], InvoiceID: meta[metaInvoice], ClientID: meta[metaClient], IntentID: intent,
		Currency: cur, Amount: fromMinor(amount, cur), At: at,
	}
	if f := meta[metaFee]; f != "" {
		if p.Fee, err = money.ParseDecimal(f, money.Limits{MaxPlaces: cur.MinorUnits(), Max: p.Amount}); err != nil {
			return nil, fmt.Errorf("fee %q: %w", f, err)
		}
	}
	return p, p.Validate()
}

// refunded reads a charge's refunds. Stripe copies the payment intent's
// metadata (carebill's org) onto its charge. Failed and cancelled refunds
// gave nothing back and are left out.
func refunded(ch *stripe.Charge, at time.Time) (*payment.CardRefunded, error) {
	cur, err := money.ParseCurrency(strings.ToUpper(string(ch.Currency)))
	if err != nil {
		return nil, err
	}
	r := &payment.CardRefunded{
		OrgID: ch.Metadata[metaOrg], IntentID: ch.PaymentIntent.ID, ChargeID: ch.ID,
		Currency: cur, Total: fromMinor(ch.AmountRefunded, cur), At: at,
	}
	if ch.Refunds != nil {
		for _, rf := range ch.Refunds.Data {
			if rf == nil || rf.Status == stripe.RefundStatusFailed || rf.Status == stripe.RefundStatusCanceled {
				continue
			}
			r.Refunds = append(r.Refunds, payment.ProcessorRefund{ID: rf.ID, Amount: fromMinor(rf.Amount, cur)})
		}
	}
	return r, r.Validate()
}
