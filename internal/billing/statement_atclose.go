package billing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/usecase"
)

// AtCloseSender sends a statement a cycle's close wrote, as the org's
// StatementsAtClose setting says. It is called for every statement of
// the cycle each time a run passes its client (a rerun, a second run), so
// it must send each statement at most once however often it is called.
type AtCloseSender interface {
	// SendAtClose queues the statement's deliveries; queued is how many
	// it queued (or queued again: see StatementSender.AtClose).
	SendAtClose(ctx context.Context, o *org.Org, c *client.Client, statementID string) (queued int, err error)
}

// AtClose is the sender a cycle's close uses when the org asks for its
// statements to be sent, with pay-all links under base.
//
// Each statement's delivery on a channel has an id made from the
// statement's (atCloseDeliveryID), written only if absent, so of any
// number of calls for one statement one writes it; a later call finding
// it still queued queues it again (the run that wrote it may have stopped
// before queueing), and the notifier sends a delivery once however often
// its message arrives. A channel the client has no address for (no
// billing email, no phone, an NDIA-managed client) is left out.
func (s *StatementSender) AtClose(base string) AtCloseSender {
	return atClose{s: s, base: base}
}

type atClose struct {
	s    *StatementSender
	base string
}

// atCloseDeliveryID is the id of statementID's delivery on ch sent by a
// close: the statement id's characters, the last one standing for the
// channel ("e" email, "s" text), under the delivery prefix.
func atCloseDeliveryID(statementID string, ch delivery.Channel) string {
	body := strings.TrimPrefix(statementID, "stm_")
	if body == "" {
		return ""
	}
	mark := "e"
	if ch == delivery.SMS {
		mark = "s"
	}
	return "dlv_" + body[:len(body)-1] + mark
}

// atCloseChannels are the channels setting st sends on.
func atCloseChannels(st org.StatementsAtClose) []delivery.Channel {
	switch st {
	case org.StatementsByEmail:
		return []delivery.Channel{delivery.Email}
	case org.StatementsByEmailAndText:
		return []delivery.Channel{delivery.Email, delivery.SMS}
	}
	return nil
}

func (a atClose) SendAtClose(ctx context.Context, o *org.Org, c *client.Client, statementID string) (_ int, err error) {
	defer usecase.Name(&err, "send statement %s at close", statementID)
	channels := atCloseChannels(o.Settings.StatementsAtClose)
	if len(channels) == 0 {
		return 0, nil
	}
	s := a.s
	sys := auth.Principal{OrgID: o.ID, Email: "system"}
	var fresh, again []*delivery.Delivery
	for _, ch := range channels {
		to, err := delivery.Recipient(c, ch, "")
		if err != nil {
			continue // nowhere to send it on this channel
		}
		dlvID := atCloseDeliveryID(statementID, ch)
		d, err := s.store.GetDelivery(ctx, o.ID, dlvID)
		switch {
		case errors.Is(err, delivery.ErrNotFound):
			fresh = append(fresh, &delivery.Delivery{ID: dlvID, OrgID: o.ID, StatementID: statementID, ClientID: c.ID,
				ClientName: c.Profile.Name, Channel: ch, Recipient: to})
		case err != nil:
			return 0, err
		case d.Status == delivery.Queued:
			again = append(again, d)
		}
	}
	if len(fresh) > 0 {
		st, err := s.store.GetStatement(ctx, o.ID, statementID)
		if err != nil {
			return 0, err
		}
		link, err := s.svc.IssuePayAllLink(ctx, o.ID, c.ID, a.base)
		if err != nil {
			return 0, err
		}
		now := s.svc.now()
		period := statementPeriod(st)
		var events []activity.Event
		for _, d := range fresh {
			d.PayLinkURL, d.Status, d.CreatedAt, d.UpdatedAt = link, delivery.Queued, now, now
			if d.Channel == delivery.Email {
				d.ReplyTo = replyTo(o, delivery.EmailOptions{})
				d.Subject = fmt.Sprintf("Statement %s from %s", period, o.Settings.Name)
			}
			e := s.svc.event(sys, activity.StatementSent)
			e.ClientID, e.ClientName, e.Channel, e.Recipient = c.ID, c.Profile.Name, string(d.Channel), d.Recipient
			e.Detail = period + ", sent when the billing cycle closed"
			events = append(events, e)
		}
		err = s.store.SendStatement(ctx, o.ID, statementID, fresh, events)
		switch {
		case errors.Is(err, delivery.ErrExists):
			// Another run wrote them first, and queues them.
			fresh = nil
		case err != nil:
			return 0, err
		}
	}
	// A delivery that cannot be queued stays queued and fails the close
	// here, so the next run, passing this client again, queues it again.
	ds := append(fresh, again...)
	for _, d := range ds {
		if err := s.queue.Enqueue(ctx, d.OrgID, d.ID); err != nil {
			return 0, fmt.Errorf("%w: %w", ErrQueueUnavailable, err)
		}
	}
	return len(ds), nil
}
