package billing

import (
	"context"
	"errors"
	"fmt"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/usecase"
)

// ParkedStore keeps card payments parked for review (internal/dynamo
// implements it).
type ParkedStore interface {
	// ParkCardPayment stores a parked payment and its events unless its
	// payment intent is parked already, and reports whether it did.
	ParkCardPayment(ctx context.Context, p *payment.Parked, events ...activity.Event) (bool, error)
	GetParked(ctx context.Context, orgID, intentID string) (*payment.Parked, error)
	UpdateParked(ctx context.Context, p *payment.Parked, events ...activity.Event) error
	ListParked(ctx context.Context, orgID string, limit int, cursor string) ([]*payment.Parked, string, error)
	GetInvoice(ctx context.Context, orgID, id string) (*invoice.Invoice, error)
}

// ParkedCards keeps card payments carebill cannot record: money the card
// processor took in a currency the client does not bill in. Converting
// would invent a rate and refusing would lose the money (the processor
// retries a refused event for days, then gives up), so the payment is
// parked for an admin, who refunds it outside carebill or records how it
// was handled.
type ParkedCards struct {
	svc   *Service
	store ParkedStore
}

// NewParkedCards builds the parked-card use cases over the billing service.
func NewParkedCards(svc *Service, store ParkedStore) (*ParkedCards, error) {
	if svc == nil || store == nil {
		return nil, errors.New("billing: parked card payments need the service and a parked store")
	}
	return &ParkedCards{svc: svc, store: store}, nil
}

// RecordCardPayment records a confirmed card payment like
// Service.RecordCardPayment; one in a currency the client does not bill
// in is parked instead (parked non-nil, pay nil), once per payment intent
// however many events report it, with an activity entry. It is safe to
// call again for the same payment.
func (c *ParkedCards) RecordCardPayment(ctx context.Context, eventID string, paid payment.CardPaid) (pay *payment.Payment, parked *payment.Parked, fresh bool, err error) {
	defer usecase.Name(&err, "record card payment %s", eventID)
	pay, fresh, err = c.svc.RecordCardPayment(ctx, paid)
	var mismatch *ledger.MismatchError
	if !errors.As(err, &mismatch) {
		return pay, nil, fresh, err
	}
	parked, fresh, err = c.park(ctx, eventID, paid, mismatch)
	return nil, parked, fresh, err
}

func (c *ParkedCards) park(ctx context.Context, eventID string, paid payment.CardPaid, mismatch *ledger.MismatchError) (*payment.Parked, bool, error) {
	inv, err := c.store.GetInvoice(ctx, paid.OrgID, paid.InvoiceID)
	if err != nil {
		return nil, false, err
	}
	now := c.svc.now()
	pk := &payment.Parked{
		OrgID: paid.OrgID, IntentID: paid.IntentID, EventID: eventID, InvoiceID: inv.ID, InvoiceNumber: inv.Number,
		ClientID: inv.Spec.ClientID, ClientName: inv.ClientName, Amount: paid.Amount, Currency: paid.Currency,
		Expected: mismatch.Want, PaidAt: paid.At, CreatedAt: now,
	}
	ev := c.svc.invoiceEvent(auth.Principal{OrgID: paid.OrgID, Email: cardActor}, activity.CardParked, inv)
	ev.Detail = fmt.Sprintf("%s %s paid by card (%s) on a client who bills in %s; nothing recorded or converted until an admin resolves it",
		paid.Currency.Code(), paid.Currency.String(paid.Amount), paid.IntentID, mismatch.Want.Code())
	made, err := c.store.ParkCardPayment(ctx, pk, ev)
	if err != nil {
		return nil, false, fmt.Errorf("park card payment %s: %w", paid.IntentID, err)
	}
	if !made {
		pk, err = c.store.GetParked(ctx, paid.OrgID, paid.IntentID)
		return pk, false, err
	}
	return pk, true, nil
}

// Parked lists the org's parked card payments, newest first. Admins only.
func (c *ParkedCards) Parked(ctx context.Context, p auth.Principal, limit int, cursor string) (_ []*payment.Parked, _ string, err error) {
	defer usecase.Name(&err, "list parked card payments")
	if err := allow(p, auth.Refund); err != nil {
		return nil, "", err
	}
	return c.store.ListParked(ctx, p.OrgID, limit, cursor)
}

// Resolve settles a parked card payment: refunded outside carebill, or
// handled as reason says. Admins only; once only (payment.ErrParkedResolved).
func (c *ParkedCards) Resolve(ctx context.Context, p auth.Principal, intentID string, r payment.Resolution, reason string) (_ *payment.Parked, err error) {
	defer usecase.Name(&err, "resolve parked card payment %s", intentID)
	if err := allow(p, auth.Refund); err != nil {
		return nil, err
	}
	pk, err := c.store.GetParked(ctx, p.OrgID, intentID)
	if err != nil {
		return nil, err
	}
	now := c.svc.now()
	if err := pk.Resolve(r, reason, p.Email, now); err != nil {
		return nil, err
	}
	ev := c.svc.event(p, activity.CardResolved)
	ev.InvoiceID, ev.Number, ev.ClientID, ev.ClientName = pk.InvoiceID, pk.InvoiceNumber, pk.ClientID, pk.ClientName
	ev.Detail = fmt.Sprintf("%s %s (%s) %s: %s", pk.Currency.Code(), pk.Currency.String(pk.Amount), pk.IntentID, resolutionWords(r), reason)
	if err := c.store.UpdateParked(ctx, pk, ev); err != nil {
		return nil, fmt.Errorf("resolve parked card payment %s: %w", intentID, err)
	}
	return pk, nil
}

func resolutionWords(r payment.Resolution) string {
	if r == payment.RefundedOutside {
		return "refunded outside carebill"
	}
	return "handled"
}

// RefundedInStripe reports whether a card refund is of a parked payment,
// which has nothing recorded in carebill to refund; an open one is
// resolved as refunded outside carebill.
func (c *ParkedCards) RefundedInStripe(ctx context.Context, r payment.CardRefunded) (_ bool, err error) {
	defer usecase.Name(&err, "card refund in Stripe")
	pk, err := c.store.GetParked(ctx, r.OrgID, r.IntentID)
	if errors.Is(err, payment.ErrParkedNotFound) {
		return false, nil
	}
	if err != nil || !pk.Open() {
		return err == nil, err
	}
	actor := auth.Principal{OrgID: r.OrgID, Email: cardActor}
	reason := fmt.Sprintf("refunded in Stripe (charge %s)", r.ChargeID)
	if err := pk.Resolve(payment.RefundedOutside, reason, actor.Email, c.svc.now()); err != nil {
		return false, err
	}
	ev := c.svc.event(actor, activity.CardResolved)
	ev.InvoiceID, ev.Number, ev.ClientID, ev.ClientName = pk.InvoiceID, pk.InvoiceNumber, pk.ClientID, pk.ClientName
	ev.Detail = fmt.Sprintf("%s %s (%s) %s", pk.Currency.Code(), pk.Currency.String(pk.Amount), pk.IntentID, reason)
	if err := c.store.UpdateParked(ctx, pk, ev); err != nil {
		return false, fmt.Errorf("resolve parked card payment %s: %w", pk.IntentID, err)
	}
	return true, nil
}
