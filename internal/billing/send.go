package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/idempotency"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/usecase"
	"github.com/carebill/carebill/internal/validation"
)

// ErrQueueUnavailable is returned when a send was stored but could not be
// handed to the notifier; the deliveries it could not queue are failed, so
// sending again is safe.
var ErrQueueUnavailable = errors.New("the invoice could not be queued for sending; try again shortly")

// DeliveryStore keeps deliveries (internal/dynamo implements it).
type DeliveryStore interface {
	// SendInvoice lets send mark the invoice sent and make its deliveries
	// and events, and stores all of them in one transaction.
	SendInvoice(ctx context.Context, orgID, invoiceID string, send func(*invoice.Invoice) ([]*delivery.Delivery, []activity.Event, error)) (*invoice.Invoice, error)
	UpdateDelivery(ctx context.Context, d *delivery.Delivery, events ...activity.Event) error
	ListDeliveries(ctx context.Context, orgID, invoiceID string, limit int, cursor string) ([]*delivery.Delivery, string, error)
	// ClaimSend takes the one right to send invoiceID over channel to
	// recipient until until, unless a claim live at now holds it; it
	// reports whether it took it. ReleaseSend gives it back.
	ClaimSend(ctx context.Context, orgID, invoiceID, channel, recipient string, now, until time.Time) (bool, error)
	ReleaseSend(ctx context.Context, orgID, invoiceID, channel, recipient string) error
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
	GetInvoice(ctx context.Context, orgID, id string) (*invoice.Invoice, error)
}

// SendWindow is how long a send of an invoice over a channel to a
// recipient holds off identical sends: a double-click, a retried request or
// ten tabs send once.
const SendWindow = 30 * time.Second

// DeliveryQueue hands a stored delivery to the notifier (internal/queue: SQS).
type DeliveryQueue interface {
	Enqueue(ctx context.Context, orgID, deliveryID string) error
}

// Sender sends invoices to clients: it records one delivery per channel and
// queues each for the notifier, which does the sending.
type Sender struct {
	svc   *Service
	store DeliveryStore
	queue DeliveryQueue
}

// NewSender builds the send use case over the billing service.
func NewSender(svc *Service, store DeliveryStore, queue DeliveryQueue) (*Sender, error) {
	if svc == nil || store == nil || queue == nil {
		return nil, errors.New("billing: sending needs the service, a delivery store and a delivery queue")
	}
	return &Sender{svc: svc, store: store, queue: queue}, nil
}

// SendRequest is what a coordinator asks for.
type SendRequest struct {
	Channels []delivery.Channel
	Email    delivery.EmailOptions
	// RotateLink (resend only) revokes every earlier pay link of the invoice.
	RotateLink bool
}

// Sent is a send's outcome: the invoice as it is now and its new deliveries.
type Sent struct {
	Invoice    InvoiceView
	Deliveries []*delivery.Delivery
}

// Send finalizes a draft (numbering it like FinalizeInvoice) and sends the
// invoice over each channel with a fresh pay link under base.
func (s *Sender) Send(ctx context.Context, p auth.Principal, invoiceID, base string, req SendRequest) (_ Sent, err error) {
	defer usecase.Name(&err, "send invoice %s", invoiceID)
	return s.send(ctx, p, invoiceID, base, req, false)
}

// Resend sends a finalized invoice again; with RotateLink the new pay link
// replaces every earlier one.
func (s *Sender) Resend(ctx context.Context, p auth.Principal, invoiceID, base string, req SendRequest) (_ Sent, err error) {
	defer usecase.Name(&err, "resend invoice %s", invoiceID)
	return s.send(ctx, p, invoiceID, base, req, true)
}

func (s *Sender) send(ctx context.Context, p auth.Principal, invoiceID, base string, req SendRequest, resend bool) (Sent, error) {
	if err := allow(p, auth.Bill); err != nil {
		return Sent{}, err
	}
	if err := req.validate(resend); err != nil {
		return Sent{}, err
	}
	inv, err := s.store.GetInvoice(ctx, p.OrgID, invoiceID)
	if err != nil {
		return Sent{}, err
	}
	switch {
	case inv.Status() == invoice.Void:
		return Sent{}, invoice.ErrVoidNotSent
	case inv.Status() == invoice.Draft && resend:
		return Sent{}, invoice.ErrNotFinalized
	}
	// Recipients are checked before a draft is finalized, so a send that
	// cannot go anywhere leaves the draft as it was.
	c, err := s.store.GetClient(ctx, p.OrgID, inv.Spec.ClientID)
	if err != nil {
		return Sent{}, err
	}
	to, err := recipients(c, req)
	if err != nil {
		return Sent{}, err
	}
	o, err := s.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return Sent{}, err
	}
	if inv.Status() == invoice.Draft {
		v, err := s.svc.FinalizeInvoice(ctx, p, invoiceID)
		switch {
		case errors.Is(err, invoice.ErrNotDraft):
			// Another request finalized it first: carry on with the
			// invoice it made open.
			if inv, err = s.store.GetInvoice(ctx, p.OrgID, invoiceID); err != nil {
				return Sent{}, err
			}
			if inv.Status() == invoice.Void {
				return Sent{}, invoice.ErrVoidNotSent
			}
		case err != nil:
			return Sent{}, err
		default:
			inv = v.Invoice
		}
	}
	// Claim each channel and recipient for this kind of send; one another
	// request is sending right now is left to it.
	kind := "send"
	if resend {
		kind = "resend"
		if req.RotateLink {
			kind = "resend-rotate"
		}
	}
	claims, err := claimSends(ctx, s.store, p.OrgID, invoiceID, kind, req.Channels, to, s.svc.now())
	if err != nil {
		return Sent{}, fmt.Errorf("send invoice %s: %w", invoiceID, err)
	}
	if len(claims.channels) == 0 {
		v, err := s.svc.view(ctx, inv)
		if err != nil {
			return Sent{}, err
		}
		return Sent{Invoice: v, Deliveries: []*delivery.Delivery{}}, nil
	}
	req.Channels, to = claims.channels, claims.to
	rotate := resend && req.RotateLink
	link, err := s.svc.issuePayLink(ctx, inv, base, rotate)
	if err != nil {
		return Sent{}, err
	}

	var ds []*delivery.Delivery
	stored, err := s.store.SendInvoice(ctx, p.OrgID, invoiceID, func(inv *invoice.Invoice) ([]*delivery.Delivery, []activity.Event, error) {
		now := s.svc.now()
		if err := inv.MarkSent(now); err != nil {
			return nil, nil, err
		}
		ds = ds[:0]
		var events []activity.Event
		for i, ch := range req.Channels {
			d := &delivery.Delivery{
				ID: s.svc.newID("dlv", now), OrgID: inv.OrgID, InvoiceID: inv.ID, Number: inv.Number,
				ClientID: inv.Spec.ClientID, ClientName: inv.ClientName, Channel: ch, Recipient: to[i],
				PayLinkURL: link, Status: delivery.Queued, CreatedAt: now, UpdatedAt: now,
			}
			if ch == delivery.Email {
				d.ReplyTo, d.Subject, d.Body = replyTo(o, req.Email), subject(o, inv, req.Email), req.Email.Body
			}
			ds = append(ds, d)
			e := s.svc.invoiceEvent(p, activity.Sent, inv)
			e.Channel, e.Recipient = string(ch), d.Recipient
			switch {
			case rotate:
				e.Detail = "resent with a new pay link; earlier links no longer work"
			case resend:
				e.Detail = "resent"
			}
			events = append(events, e)
		}
		return ds, events, nil
	})
	if err != nil {
		claims.release(ctx)
		if errors.Is(err, idempotency.ErrApplied) {
			if qerr := s.queueWaiting(ctx, p.OrgID, invoiceID); qerr != nil {
				err = qerr // not answered as applied: the retry queues them
			}
		}
		return Sent{}, fmt.Errorf("send invoice %s: %w", invoiceID, err)
	}
	if err := s.enqueue(ctx, p, stored, ds); err != nil {
		claims.release(ctx)
		return Sent{}, err
	}
	v, err := s.svc.view(ctx, stored)
	if err != nil {
		return Sent{}, err
	}
	return Sent{Invoice: v, Deliveries: ds}, nil
}

// queueWaiting queues the invoice's deliveries that were stored and never
// tried: those of this request's first run, which died after storing
// them and before queuing them (its retry meets idempotency.ErrApplied).
// The notifier sends a delivery once however often it is queued, so one
// queued twice by a concurrent send goes out once.
func (s *Sender) queueWaiting(ctx context.Context, orgID, invoiceID string) error {
	ds, _, err := s.store.ListDeliveries(ctx, orgID, invoiceID, 50, "")
	if err != nil {
		return fmt.Errorf("%w: %w", ErrQueueUnavailable, err)
	}
	for _, d := range ds {
		if d.Status != delivery.Queued || d.Attempts > 0 {
			continue
		}
		if err := s.queue.Enqueue(ctx, d.OrgID, d.ID); err != nil {
			return fmt.Errorf("%w: %w", ErrQueueUnavailable, err)
		}
	}
	return nil
}

// enqueue queues each delivery. One that cannot be queued would wait
// forever, so it is failed at once, with its activity, and the send
// reports ErrQueueUnavailable.
func (s *Sender) enqueue(ctx context.Context, p auth.Principal, inv *invoice.Invoice, ds []*delivery.Delivery) error {
	return enqueueDeliveries(ctx, s.queue, s.store, s.svc.now, ds, func(d *delivery.Delivery) activity.Event {
		e := s.svc.invoiceEvent(p, activity.Failed, inv)
		e.Channel, e.Recipient, e.Detail = string(d.Channel), d.Recipient, d.LastError
		return e
	})
}

func (r SendRequest) validate(resend bool) error {
	if len(r.Channels) == 0 {
		return validation.Errorf("channels", "name at least one channel: email, sms")
	}
	email := false
	for _, ch := range r.Channels {
		email = email || ch == delivery.Email
	}
	if !email && r.Email != (delivery.EmailOptions{}) {
		return validation.Errorf("email", "applies only when sending by email")
	}
	if r.RotateLink && !resend {
		return validation.Errorf("rotateLink", "applies only to a resend")
	}
	return r.Email.Validate()
}

// subject is the coordinator's subject or "Invoice INV-00042 from <org>".
func subject(o *org.Org, inv *invoice.Invoice, opts delivery.EmailOptions) string {
	if opts.Subject != "" {
		return opts.Subject
	}
	return fmt.Sprintf("Invoice %s from %s", inv.Number, o.Settings.Name)
}

// replyTo is the coordinator's address, else the org's email when it is a
// usable address, else none.
func replyTo(o *org.Org, opts delivery.EmailOptions) string {
	if opts.ReplyTo != "" {
		return opts.ReplyTo
	}
	if e := o.Settings.Email; e != "" && validation.Email("email", e) == nil {
		return e
	}
	return ""
}

// Deliveries lists an invoice's deliveries, newest first.
func (s *Sender) Deliveries(ctx context.Context, p auth.Principal, invoiceID string, limit int, cursor string) (_ []*delivery.Delivery, _ string, err error) {
	defer usecase.Name(&err, "invoice deliveries %s", invoiceID)
	if _, err := s.store.GetInvoice(ctx, p.OrgID, invoiceID); err != nil {
		return nil, "", err
	}
	return s.store.ListDeliveries(ctx, p.OrgID, invoiceID, limit, cursor)
}
