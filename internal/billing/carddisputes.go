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

// CardDisputeStore is the storage card disputes need beyond the billing
// store (internal/dynamo implements it).
type CardDisputeStore interface {
	// IntentOrg returns the org a card payment intent was recorded for;
	// payment.ErrNotFound when none was.
	IntentOrg(ctx context.Context, intent string) (string, error)
	ChangePayment(ctx context.Context, orgID, id string,
		change func(*client.Client, *payment.Payment, map[string]*invoice.Invoice) ([]ledger.Entry, []activity.Event, error)) (*payment.Payment, error)
	PaymentByIntent(ctx context.Context, orgID, intentID string) (*payment.Payment, error)
}

// CardDisputes handles disputes of card payments (Stripe
// charge.dispute.*): an opened dispute marks the invoices the payment paid
// disputed (reminders skip them, invoice.Invoice.MarkDisputed); one closed won
// clears the mark; one closed lost reverses the payment as entered in
// error (the money went back to the cardholder), reopening its invoices,
// and clears the mark.
type CardDisputes struct {
	svc   *Service
	store CardDisputeStore
}

// NewCardDisputes builds the card dispute use case.
func NewCardDisputes(svc *Service, store CardDisputeStore) (*CardDisputes, error) {
	if svc == nil || store == nil {
		return nil, errors.New("billing: card disputes need the service and a store")
	}
	return &CardDisputes{svc: svc, store: store}, nil
}

// errDisputeNoChange abandons a dispute write that would change nothing.
var errDisputeNoChange = errors.New("dispute already recorded")

// Record applies a dispute report to the card payment of its intent and
// returns that payment; found is false when no payment of the intent is
// recorded (another integration's charge, or one not recorded by
// carebill), which changes nothing. Every outcome is idempotent: marking,
// clearing and reversing again change nothing, so redeliveries and
// reports in any order are safe. A lost dispute of a payment whose
// credit the client has since spent is ledger.ErrInsufficientCredit
// (un-apply that credit, and Stripe's retry reverses it).
func (d *CardDisputes) Record(ctx context.Context, dis payment.CardDispute) (pay *payment.Payment, found bool, err error) {
	defer usecase.Name(&err, "record card dispute")
	orgID, err := d.store.IntentOrg(ctx, dis.IntentID)
	if errors.Is(err, payment.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("record card dispute: %w", err)
	}
	existing, err := d.store.PaymentByIntent(ctx, orgID, dis.IntentID)
	if err != nil {
		return nil, false, fmt.Errorf("record card dispute: %w", err)
	}
	actor := auth.Principal{OrgID: orgID, Email: cardActor}
	now := d.svc.now()
	pay, err = d.store.ChangePayment(ctx, orgID, existing.ID, func(c *client.Client, pay *payment.Payment, invoices map[string]*invoice.Invoice) ([]ledger.Entry, []activity.Event, error) {
		held := dis.Outcome == payment.DisputeOpened
		changed := false
		for _, inv := range invoices {
			switch {
			case inv.Disputed() == held:
			case held:
				if err := inv.MarkDisputed(now); err != nil {
					return nil, nil, err
				}
				changed = true
			default:
				inv.ResolveDispute(now)
				changed = true
			}
		}
		var entries []ledger.Entry
		kind, detail := activity.Disputed, fmt.Sprintf("the card holder disputes receipt %s; it counts as paid until the dispute is decided (Stripe dispute %s)", pay.ReceiptNumber, dis.DisputeID)
		switch dis.Outcome {
		case payment.DisputeWon:
			kind, detail = activity.DisputeClosed, fmt.Sprintf("decided in your favour, receipt %s stands (Stripe dispute %s)", pay.ReceiptNumber, dis.DisputeID)
		case payment.DisputeLost:
			kind = activity.PaymentReversed
			if pay.Reversed || !pay.Left().IsPositive() {
				break // reversed already, or all refunded: nothing left to take back
			}
			reason := "card dispute " + dis.DisputeID + " lost"
			u, err := pay.Reverse(reason, invoices, now)
			if err != nil {
				return nil, nil, err
			}
			if err := u.CheckCredit(c.Balance.Credit); err != nil {
				return nil, nil, err
			}
			cur := pay.Input.Currency
			entries = append(entries, ledger.Undone(ledger.PaymentReversed, pay.OrgID, pay.Input.ClientID, cur, ledger.Doc{ID: pay.ID, Number: pay.ReceiptNumber}, u.FromInvoices, u.FromCredit, reason))
			detail, changed = fmt.Sprintf("receipt %s for %s taken back: the card holder won the dispute (Stripe dispute %s)", pay.ReceiptNumber, cur.Display(pay.Input.Amount), dis.DisputeID), true
		}
		// A payment that settled no invoice (all client credit) has no
		// invoice to mark: the hold, and its end, are said on the client.
		onClient := len(invoices) == 0 && dis.Outcome != payment.DisputeLost
		if !changed && !onClient {
			return nil, nil, errDisputeNoChange
		}
		var events []activity.Event
		for _, inv := range invoices {
			ev := d.svc.invoiceEvent(actor, kind, inv)
			ev.Detail = detail
			events = append(events, ev)
		}
		if onClient {
			ev := d.svc.event(actor, kind)
			ev.ClientID, ev.ClientName, ev.Detail = c.ID, c.Profile.Name, detail+" (held as client credit; no money moves until it closes)"
			events = append(events, ev)
		}
		return entries, events, nil
	})
	if errors.Is(err, errDisputeNoChange) {
		return existing, true, nil
	}
	if err != nil {
		return nil, true, fmt.Errorf("record card dispute: %w", err)
	}
	return pay, true, nil
}
