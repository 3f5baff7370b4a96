package billing

import (
	"context"
	"errors"
	"fmt"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/usecase"
)

// ErrCardPaymentPending is returned for a card refund (or dispute) of a
// payment not recorded yet: its own confirmation has not arrived. The
// processor is answered so that it delivers the event again later.
var ErrCardPaymentPending = errors.New("the card payment this event is about is not recorded yet")

// errNothingToRefund abandons a card refund write that would record
// nothing: the report was already recorded.
var errNothingToRefund = errors.New("card refund already recorded")

// cardRefundReason is the reason recorded on refunds made through the card
// processor.
const cardRefundReason = "Refunded by card"

// RecordCardRefund records a refund the card processor reported (Stripe
// charge.refunded) against the card payment of its payment intent, like
// RefundPayment with source "stripe:<refund ids>": first out of what the
// payment left as credit, then off its allocations, which reopen. It is
// idempotent by refund id (or, when the report lists no refunds, by the
// charge's cumulative amount refunded): a redelivery or an older report
// records nothing and returns the payment with fresh = false. Refunds
// beyond what is left of the payment (the pass-through fee) are not
// recorded. A refund of a payment not recorded yet is
// ErrCardPaymentPending; a currency other than the payment's is
// ledger.ErrCurrencyMismatch.
func (r *Reversals) RecordCardRefund(ctx context.Context, ref payment.CardRefunded) (pay *payment.Payment, fresh bool, err error) {
	defer usecase.Name(&err, "record card refund")
	if err := ref.Validate(); err != nil {
		return nil, false, err
	}
	found, err := r.store.PaymentByIntent(ctx, ref.OrgID, ref.IntentID)
	if errors.Is(err, payment.ErrNotFound) {
		return nil, false, fmt.Errorf("record card refund: %w", ErrCardPaymentPending)
	}
	if err != nil {
		return nil, false, fmt.Errorf("record card refund: %w", err)
	}
	if err := ledger.CheckCurrency(found.Input.Currency, ref.Currency, "card refund"); err != nil {
		return nil, false, err
	}
	ref.At = r.svc.now()
	actor := auth.Principal{OrgID: ref.OrgID, Email: cardActor}
	pay, err = r.store.ChangePayment(ctx, ref.OrgID, found.ID, func(c *client.Client, pay *payment.Payment, invoices map[string]*invoice.Invoice) ([]ledger.Entry, []activity.Event, error) {
		rf, ok := pay.NewCardRefund(ref, cardRefundReason)
		if !ok {
			return nil, nil, errNothingToRefund
		}
		u, err := pay.RefundPart(rf, invoices)
		if err != nil {
			return nil, nil, err
		}
		if err := u.CheckCredit(c.Balance.Credit); err != nil {
			return nil, nil, err
		}
		cur := pay.Input.Currency
		e := ledger.Undone(ledger.PaymentRefunded, pay.OrgID, pay.Input.ClientID, cur, ledger.Doc{ID: pay.ID, Number: pay.ReceiptNumber}, u.FromInvoices, u.FromCredit, rf.Reason)
		changed := map[string]*invoice.Invoice{}
		for id, inv := range invoices {
			if inv.UpdatedAt.Equal(rf.At) {
				changed[id] = inv
			}
		}
		detail := fmt.Sprintf("%s of receipt %s given back to the client's card", cur.Display(rf.Amount), pay.ReceiptNumber)
		return []ledger.Entry{e}, r.paymentEvents(actor, activity.PaymentRefunded, pay, changed, detail), nil
	})
	if errors.Is(err, errNothingToRefund) {
		return found, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("record card refund: %w", err)
	}
	return pay, true, nil
}
