package billing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/usecase"
	"github.com/carebill/carebill/internal/validation"
)

// ReceiptStore keeps receipt deliveries (internal/dynamo implements it).
type ReceiptStore interface {
	// CreateReceiptDelivery stores a new receipt delivery with its events
	// and reports whether it did: not when one of its id exists, nor,
	// when hold is after its creation, while another send of the same
	// receipt to the same recipient holds the claim (taken until hold).
	CreateReceiptDelivery(ctx context.Context, d *delivery.Delivery, hold time.Time, events ...activity.Event) (bool, error)
	GetDelivery(ctx context.Context, orgID, id string) (*delivery.Delivery, error)
	UpdateDelivery(ctx context.Context, d *delivery.Delivery, events ...activity.Event) error
	ListPaymentDeliveries(ctx context.Context, orgID, paymentID string, limit int, cursor string) ([]*delivery.Delivery, string, error)
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
	GetPayment(ctx context.Context, orgID, id string) (*payment.Payment, error)
}

// Receipts emails payments' receipts, PDF attached, through the same
// deliveries queue and notifier as invoices: one delivery of kind receipt
// per email, sent once however often its message arrives.
type Receipts struct {
	svc   *Service
	store ReceiptStore
	queue DeliveryQueue
}

// NewReceipts builds the receipt-email use cases over the billing service.
func NewReceipts(svc *Service, store ReceiptStore, queue DeliveryQueue) (*Receipts, error) {
	if svc == nil || store == nil || queue == nil {
		return nil, errors.New("billing: receipts need the service, a receipt store and a delivery queue")
	}
	return &Receipts{svc: svc, store: store, queue: queue}, nil
}

// ReceiptEmail is what a coordinator may set on an emailed receipt: To
// replaces the client's billing contact, Message the standard words.
type ReceiptEmail struct {
	To      string
	Message string
}

// Validate checks the options as typed (the rules of an invoice email's
// to and body).
func (o ReceiptEmail) Validate() error {
	rename := func(field string, err error) error {
		if v, ok := validation.As(err); ok {
			return validation.Errorf(field, "%s", v.Message)
		}
		return err
	}
	if err := (delivery.EmailOptions{To: o.To}).Validate(); err != nil {
		return rename("to", err)
	}
	if err := (delivery.EmailOptions{Body: o.Message}).Validate(); err != nil {
		return rename("message", err)
	}
	return nil
}

// receiptRecipient is who a receipt goes to: to if given, else the plan
// manager of a plan-managed participant (who paid), else the client's
// billing contact's email; delivery.ErrNoEmail when there is none.
func receiptRecipient(c *client.Client, to string) (string, error) {
	if to != "" {
		return to, nil
	}
	if f := c.Profile.Funding; f.Type == client.PlanManaged && f.PlanManager != nil && f.PlanManager.Email != "" {
		return f.PlanManager.Email, nil
	}
	if bc, ok := c.BillingContact(); ok && bc.Email != "" {
		return bc.Email, nil
	}
	return "", delivery.ErrNoEmail
}

// ReceiptHold is how long emailing a receipt to a recipient holds off an
// identical request: a double click or ten tabs email once.
const ReceiptHold = 30 * time.Second

// Email queues payment paymentID's receipt for email to opts.To or the
// client's billing contact. A reversed payment's receipt is not emailed
// (payment.ErrReversed). An identical request within ReceiptHold queues
// nothing and answers the delivery the first one made. If the queue
// cannot take it, the delivery is failed (retrying is then safe) and
// ErrQueueUnavailable returned.
func (r *Receipts) Email(ctx context.Context, p auth.Principal, paymentID string, opts ReceiptEmail) (_ *delivery.Delivery, err error) {
	defer usecase.Name(&err, "email receipt %s", paymentID)
	if err := allow(p, auth.Bill); err != nil {
		return nil, err
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	pay, err := r.store.GetPayment(ctx, p.OrgID, paymentID)
	if err != nil {
		return nil, err
	}
	if pay.Reversed {
		return nil, fmt.Errorf("email receipt %s: %w", pay.ReceiptNumber, payment.ErrReversed)
	}
	c, err := r.store.GetClient(ctx, p.OrgID, pay.Input.ClientID)
	if err != nil {
		return nil, err
	}
	to, err := receiptRecipient(c, opts.To)
	if err != nil {
		return nil, err
	}
	now := r.svc.now()
	d := r.delivery(p, pay, c, r.svc.newID(id.Delivery, now), to, opts.Message, now)
	made, err := r.store.CreateReceiptDelivery(ctx, d, now.Add(ReceiptHold), r.sentEvent(p, d))
	if err != nil {
		return nil, fmt.Errorf("email receipt %s: %w", pay.ReceiptNumber, queueApplied(ctx, r.queue, r.store.GetDelivery, p.OrgID, err))
	}
	if !made {
		return r.latestTo(ctx, p.OrgID, pay.ID, to)
	}
	return d, r.enqueue(ctx, p, d, true)
}

// latestTo is the newest receipt delivery of paymentID to recipient: the
// one a concurrent identical request made.
func (r *Receipts) latestTo(ctx context.Context, orgID, paymentID, recipient string) (*delivery.Delivery, error) {
	ds, _, err := r.store.ListPaymentDeliveries(ctx, orgID, paymentID, 50, "")
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d.Recipient == recipient {
			return d, nil
		}
	}
	return nil, fmt.Errorf("email receipt of %s: %w", paymentID, delivery.ErrConflict)
}

// ReceiptDeliveryID is the id of the one automatic receipt email of a
// payment (recording with emailReceipt, or a card payment's webhook):
// derived from the payment's id, so however often the request or the
// webhook is retried, the store keeps one.
func ReceiptDeliveryID(paymentID string) string {
	return id.Delivery + "_" + strings.TrimPrefix(paymentID, id.Payment+"_")
}

// emailOnce queues pay's automatic receipt email to the client's usual
// recipient, once, holding off identical requests by hand for
// ReceiptHold (see Email). A retry finding it stored and still queued queues its
// message again (the notifier sends a delivery once, however often it is
// queued). With failUnqueued a delivery the queue refuses is failed and
// reported with ErrQueueUnavailable; without, it stays queued for the
// caller's retry to queue again.
func (r *Receipts) emailOnce(ctx context.Context, p auth.Principal, pay *payment.Payment, c *client.Client, failUnqueued bool) (*delivery.Delivery, error) {
	to, err := receiptRecipient(c, "")
	if err != nil {
		return nil, err
	}
	now := r.svc.now()
	d := r.delivery(p, pay, c, ReceiptDeliveryID(pay.ID), to, "", now)
	// It takes the same send claim as Email, so a request by hand to the
	// same address within ReceiptHold answers this delivery.
	made, err := r.store.CreateReceiptDelivery(ctx, d, now.Add(ReceiptHold), r.sentEvent(p, d))
	if err != nil {
		return nil, fmt.Errorf("email receipt %s: %w", pay.ReceiptNumber, queueApplied(ctx, r.queue, r.store.GetDelivery, p.OrgID, err))
	}
	if !made {
		stored, err := r.store.GetDelivery(ctx, p.OrgID, d.ID)
		if errors.Is(err, delivery.ErrNotFound) {
			// Not stored: a request by hand to the same address holds
			// the claim, and its delivery is this receipt's email.
			return r.latestTo(ctx, p.OrgID, pay.ID, to)
		}
		if err != nil {
			return nil, err
		}
		d = stored
		if d.Status != delivery.Queued {
			return d, nil
		}
	}
	return d, r.enqueue(ctx, p, d, failUnqueued)
}

func (r *Receipts) enqueue(ctx context.Context, p auth.Principal, d *delivery.Delivery, failUnqueued bool) error {
	qerr := r.queue.Enqueue(ctx, d.OrgID, d.ID)
	if qerr == nil {
		return nil
	}
	if !failUnqueued {
		return fmt.Errorf("%w: %w", ErrQueueUnavailable, qerr)
	}
	d.Fail("could not be queued for sending", r.svc.now())
	e := r.event(p, activity.ReceiptFailed, d)
	e.Detail = d.LastError
	if err := r.store.UpdateDelivery(context.WithoutCancel(ctx), d, e); err != nil {
		return errors.Join(fmt.Errorf("%w: %w", ErrQueueUnavailable, qerr), err)
	}
	return fmt.Errorf("%w: %w", ErrQueueUnavailable, qerr)
}

func (r *Receipts) delivery(p auth.Principal, pay *payment.Payment, c *client.Client, id, to, message string, now time.Time) *delivery.Delivery {
	return &delivery.Delivery{
		ID: id, OrgID: p.OrgID, Kind: delivery.ReceiptKind, PaymentID: pay.ID, Number: pay.ReceiptNumber,
		ClientID: c.ID, ClientName: c.Profile.Name, Channel: delivery.Email, Recipient: to, Body: message,
		Status: delivery.Queued, CreatedAt: now, UpdatedAt: now,
	}
}

func (r *Receipts) event(p auth.Principal, kind activity.Kind, d *delivery.Delivery) activity.Event {
	e := r.svc.event(p, kind)
	e.Number, e.ClientID, e.ClientName, e.Channel, e.Recipient = d.Number, d.ClientID, d.ClientName, string(d.Channel), d.Recipient
	return e
}

func (r *Receipts) sentEvent(p auth.Principal, d *delivery.Delivery) activity.Event {
	return r.event(p, activity.ReceiptSent, d)
}

// Deliveries lists a payment's receipt emails, newest first.
func (r *Receipts) Deliveries(ctx context.Context, p auth.Principal, paymentID string, limit int, cursor string) (_ []*delivery.Delivery, _ string, err error) {
	defer usecase.Name(&err, "receipt deliveries %s", paymentID)
	if _, err := r.store.GetPayment(ctx, p.OrgID, paymentID); err != nil {
		return nil, "", err
	}
	return r.store.ListPaymentDeliveries(ctx, p.OrgID, paymentID, limit, cursor)
}

// Recorded is a payment just recorded and, when asked for, its receipt
// email (nil if not asked for).
type Recorded struct {
	Payment *payment.Payment
	Receipt *delivery.Delivery
}

// RecordPayment is Service.RecordPayment that, with emailReceipt, also
// emails the receipt to the client's usual recipient. A client with no
// such address is refused (delivery.ErrNoEmail) before anything is
// recorded. Once the payment is recorded the request succeeds: a receipt
// the queue refuses comes back failed, to be emailed again by hand.
func (r *Receipts) RecordPayment(ctx context.Context, p auth.Principal, in payment.Input, emailReceipt bool) (_ Recorded, err error) {
	defer usecase.Name(&err, "record payment")
	if !emailReceipt {
		pay, err := r.svc.RecordPayment(ctx, p, in)
		return Recorded{Payment: pay}, err
	}
	if err := allow(p, auth.Bill); err != nil {
		return Recorded{}, err
	}
	if in.ClientID == "" {
		return Recorded{}, validation.Errorf("clientId", "is required")
	}
	c, err := r.store.GetClient(ctx, p.OrgID, in.ClientID)
	if err != nil {
		return Recorded{}, err
	}
	if _, err := receiptRecipient(c, ""); err != nil {
		return Recorded{}, fmt.Errorf("record payment with emailReceipt: %w", err)
	}
	pay, err := r.svc.RecordPayment(ctx, p, in)
	if err != nil {
		return Recorded{}, err
	}
	// The payment stands whatever happens to its email: a receipt that
	// could not be stored comes back nil, one the queue refused failed.
	d, _ := r.emailOnce(ctx, p, pay, c, true)
	return Recorded{Payment: pay, Receipt: d}, nil
}

// CardReceipt emails the receipt of a card payment the webhook recorded,
// unless the org turned card receipts off or the client has no email
// address (then it reports sent = false). It is safe to call for every
// delivery of the webhook's event: the receipt is emailed once. A queue
// failure is returned, for the webhook to answer so Stripe redelivers.
func (r *Receipts) CardReceipt(ctx context.Context, pay *payment.Payment) (sent bool, err error) {
	defer usecase.Name(&err, "card receipt")
	o, err := r.store.GetOrg(ctx, pay.OrgID)
	if err != nil {
		return false, err
	}
	if o.Settings.NoCardReceipts || pay.Reversed {
		return false, nil
	}
	c, err := r.store.GetClient(ctx, pay.OrgID, pay.Input.ClientID)
	if err != nil {
		return false, err
	}
	if _, err := receiptRecipient(c, ""); err != nil {
		return false, nil
	}
	if _, err := r.emailOnce(ctx, auth.Principal{OrgID: pay.OrgID, Email: cardActor}, pay, c, false); err != nil {
		return false, err
	}
	return true, nil
}

// MethodName is how a payment method reads on a receipt ("Bank transfer").
func MethodName(m payment.Method) string { return methodName(m) }

func methodName(m payment.Method) string {
	switch m {
	case payment.BankTransfer:
		return "Bank transfer"
	case payment.Card:
		return "Card"
	case payment.Cash:
		return "Cash"
	case payment.Cheque:
		return "Cheque"
	}
	return "Other"
}
