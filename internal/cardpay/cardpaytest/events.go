// Package cardpaytest builds Stripe webhook deliveries for tests: the
// event JSON Stripe would send for a carebill checkout, signed with
// stripe-go's own test signing helper. stripe-mock answers API calls with
// canned objects and sends no webhooks, so tests make the events from the
// session they created and the metadata carebill put on it.
package cardpaytest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"
)

// Secret is a webhook signing secret for tests.
const Secret = "whsec_carebill_test_secret_0123456789abcdef"

// Payment describes a payment of one carebill checkout.
type Payment struct {
	SessionID string // cs_…, from the created session
	IntentID  string // pi_…; stripe-mock's canned intent id is the same for every session, so tests pick their own
	OrgID     string
	InvoiceID string
	Currency  string // lower case, as Stripe writes it
	Amount    int64  // in Stripe's integer units, fee included
	Fee       string // the fee as carebill wrote it into the metadata ("0.00" when absorbed)

	// ClientID, instead of InvoiceID, is a pay-all checkout's client.
	ClientID string
}

func (p Payment) metadata() map[string]string {
	if p.ClientID != "" {
		return map[string]string{"carebill_org": p.OrgID, "carebill_client": p.ClientID, "carebill_fee": p.Fee}
	}
	return map[string]string{"carebill_org": p.OrgID, "carebill_invoice": p.InvoiceID, "carebill_fee": p.Fee}
}

// SessionCompleted is the checkout.session.completed event of a paid
// session.
func (p Payment) SessionCompleted(eventID string, created time.Time) []byte {
	return Event(eventID, "checkout.session.completed", created, map[string]any{
		"id": p.SessionID, "object": "checkout.session", "mode": "payment", "status": "complete",
		"payment_status": "paid", "amount_total": p.Amount, "currency": p.Currency,
		"payment_intent": p.IntentID, "client_reference_id": p.InvoiceID, "metadata": p.metadata(),
	})
}

// IntentSucceeded is the payment_intent.succeeded event of the session's
// payment intent.
func (p Payment) IntentSucceeded(eventID string, created time.Time) []byte {
	return Event(eventID, "payment_intent.succeeded", created, map[string]any{
		"id": p.IntentID, "object": "payment_intent", "status": "succeeded",
		"amount": p.Amount, "amount_received": p.Amount, "currency": p.Currency, "metadata": p.metadata(),
	})
}

// Event is a Stripe event envelope around object.
func Event(id, typ string, created time.Time, object map[string]any) []byte {
	b, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "api_version": stripe.APIVersion, "created": created.Unix(),
		"livemode": false, "pending_webhooks": 1, "type": typ, "data": map[string]any{"object": object},
	})
	if err != nil {
		panic(fmt.Sprintf("cardpaytest: %v", err))
	}
	return b
}

// Sign returns the Stripe-Signature header for payload signed with secret
// at t.
func Sign(payload []byte, secret string, t time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: t}).Header
}

// Refund is one refund of a charge, in Stripe's integer units.
type Refund struct {
	ID     string // re_…
	Amount int64
}

// ChargeRefunded is the charge.refunded event of the payment's charge
// chargeID, listing refunds and their sum as amount_refunded. Stripe
// copies the payment intent's metadata onto its charge.
func (p Payment) ChargeRefunded(eventID, chargeID string, created time.Time, refunds ...Refund) []byte {
	total, data := int64(0), []map[string]any{}
	for _, r := range refunds {
		total += r.Amount
		data = append(data, map[string]any{
			"id": r.ID, "object": "refund", "amount": r.Amount, "currency": p.Currency,
			"charge": chargeID, "payment_intent": p.IntentID, "status": "succeeded",
		})
	}
	return Event(eventID, "charge.refunded", created, map[string]any{
		"id": chargeID, "object": "charge", "amount": p.Amount, "amount_captured": p.Amount,
		"amount_refunded": total, "currency": p.Currency, "paid": true, "captured": true,
		"refunded": total == p.Amount, "status": "succeeded", "payment_intent": p.IntentID, "metadata": p.metadata(),
		"refunds": map[string]any{"object": "list", "data": data, "has_more": false, "url": "/v1/charges/" + chargeID + "/refunds"},
	})
}

// Dispute is the charge.dispute.created event (status "needs_response")
// or, with status "won" or "lost", charge.dispute.closed, of a dispute of
// the payment's charge. Disputes carry no metadata of the charge.
func (p Payment) Dispute(eventID, disputeID, chargeID, status string, created time.Time) []byte {
	typ := "charge.dispute.closed"
	if status == "needs_response" || status == "warning_needs_response" {
		typ = "charge.dispute.created"
	}
	return Event(eventID, typ, created, map[string]any{
		"id": disputeID, "object": "dispute", "amount": p.Amount, "currency": p.Currency, "charge": chargeID,
		"payment_intent": p.IntentID, "reason": "fraudulent", "status": status, "metadata": map[string]string{},
	})
}
