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
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/statement"
	"github.com/carebill/carebill/internal/usecase"
)

// StatementDeliveryStore keeps a statement's deliveries (internal/dynamo
// implements it).
type StatementDeliveryStore interface {
	GetStatement(ctx context.Context, orgID, id string) (*statement.Statement, error)
	GetDelivery(ctx context.Context, orgID, id string) (*delivery.Delivery, error)
	// SendStatement stores the deliveries and their events in one
	// transaction, on condition that the statement still exists
	// (statement.ErrNotFound) and that no delivery has one of their ids
	// (delivery.ErrExists).
	SendStatement(ctx context.Context, orgID, statementID string, ds []*delivery.Delivery, events []activity.Event) error
	ListStatementDeliveries(ctx context.Context, orgID, statementID string, limit int, cursor string) ([]*delivery.Delivery, string, error)
	UpdateDelivery(ctx context.Context, d *delivery.Delivery, events ...activity.Event) error
	ClaimSend(ctx context.Context, orgID, documentID, channel, recipient string, now, until time.Time) (bool, error)
	ReleaseSend(ctx context.Context, orgID, documentID, channel, recipient string) error
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
}

// StatementSender sends statements to clients, like Sender sends
// invoices: one delivery per channel, queued for the notifier, which
// emails the statement's PDF with one pay-all link for everything the
// client has open, or texts the link.
type StatementSender struct {
	svc   *Service
	store StatementDeliveryStore
	queue DeliveryQueue
}

// NewStatementSender builds the statement send use case.
func NewStatementSender(svc *Service, store StatementDeliveryStore, queue DeliveryQueue) (*StatementSender, error) {
	if svc == nil || store == nil || queue == nil {
		return nil, errors.New("billing: sending statements needs the service, a delivery store and a delivery queue")
	}
	return &StatementSender{svc: svc, store: store, queue: queue}, nil
}

// StatementSent is a statement send's outcome: its new deliveries (none
// when an identical send is already under way).
type StatementSent struct {
	Statement  *statement.Statement
	Deliveries []*delivery.Delivery
}

// Send sends statement id over each channel of req (email options apply
// to email only) with a fresh pay-all link under base. Identical sends
// within SendWindow (a double click, a retried request) send once.
func (s *StatementSender) Send(ctx context.Context, p auth.Principal, id, base string, req SendRequest) (_ StatementSent, err error) {
	defer usecase.Name(&err, "send statement %s", id)
	if err := allow(p, auth.Bill); err != nil {
		return StatementSent{}, err
	}
	if err := req.validate(false); err != nil {
		return StatementSent{}, err
	}
	st, err := s.store.GetStatement(ctx, p.OrgID, id)
	if err != nil {
		return StatementSent{}, err
	}
	c, err := s.store.GetClient(ctx, p.OrgID, st.ClientID)
	if err != nil {
		return StatementSent{}, err
	}
	to, err := recipients(c, req)
	if err != nil {
		return StatementSent{}, err
	}
	o, err := s.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return StatementSent{}, err
	}
	now := s.svc.now()
	claims, err := claimSends(ctx, s.store, p.OrgID, id, "send", req.Channels, to, now)
	if err != nil {
		return StatementSent{}, fmt.Errorf("send statement %s: %w", id, err)
	}
	if len(claims.channels) == 0 {
		return StatementSent{Statement: st, Deliveries: []*delivery.Delivery{}}, nil
	}
	link, err := s.svc.IssuePayAllLink(ctx, p.OrgID, c.ID, base)
	if err != nil {
		claims.release(ctx)
		return StatementSent{}, err
	}
	period := statementPeriod(st)
	var ds []*delivery.Delivery
	var events []activity.Event
	for i, ch := range claims.channels {
		d := &delivery.Delivery{
			ID: s.svc.newID("dlv", now), OrgID: p.OrgID, StatementID: st.ID, ClientID: c.ID, ClientName: c.Profile.Name,
			Channel: ch, Recipient: claims.to[i], PayLinkURL: link, Status: delivery.Queued, CreatedAt: now, UpdatedAt: now,
		}
		if ch == delivery.Email {
			d.ReplyTo, d.Body = replyTo(o, req.Email), req.Email.Body
			d.Subject = req.Email.Subject
			if d.Subject == "" {
				d.Subject = fmt.Sprintf("Statement %s from %s", period, o.Settings.Name)
			}
		}
		ds = append(ds, d)
		e := s.svc.event(p, activity.StatementSent)
		e.ClientID, e.ClientName, e.Channel, e.Recipient, e.Detail = c.ID, c.Profile.Name, string(ch), d.Recipient, period
		events = append(events, e)
	}
	if err := s.store.SendStatement(ctx, p.OrgID, st.ID, ds, events); err != nil {
		claims.release(ctx)
		return StatementSent{}, queueApplied(ctx, s.queue, s.store.GetDelivery, p.OrgID, err)
	}
	if err := s.enqueue(ctx, p, ds); err != nil {
		claims.release(ctx)
		return StatementSent{}, err
	}
	return StatementSent{Statement: st, Deliveries: ds}, nil
}

// statementPeriod names a statement in words: "1 Oct 2026 – 31 Oct 2026",
// or "as at 31 Oct 2026" for an outstanding statement.
func statementPeriod(st *statement.Statement) string {
	const layout = "2 Jan 2006"
	if st.Kind == statement.Outstanding || st.From.IsZero() {
		return "as at " + st.To.Format(layout)
	}
	return st.From.Format(layout) + " – " + st.To.Format(layout)
}

// enqueue queues each delivery; one that cannot be queued is failed at
// once with its activity, and the send reports ErrQueueUnavailable.
func (s *StatementSender) enqueue(ctx context.Context, p auth.Principal, ds []*delivery.Delivery) error {
	return enqueueDeliveries(ctx, s.queue, s.store, s.svc.now, ds, func(d *delivery.Delivery) activity.Event {
		e := s.svc.event(p, activity.StatementFailed)
		e.ClientID, e.ClientName, e.Channel, e.Recipient, e.Detail = d.ClientID, d.ClientName, string(d.Channel), d.Recipient, d.LastError
		return e
	})
}

// Deliveries lists a statement's deliveries, newest first.
func (s *StatementSender) Deliveries(ctx context.Context, p auth.Principal, id string, limit int, cursor string) (_ []*delivery.Delivery, _ string, err error) {
	defer usecase.Name(&err, "statement deliveries %s", id)
	if _, err := s.store.GetStatement(ctx, p.OrgID, id); err != nil {
		return nil, "", err
	}
	return s.store.ListStatementDeliveries(ctx, p.OrgID, id, limit, cursor)
}
