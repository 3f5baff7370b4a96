package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/delivery"
)

// recipients is where each channel of req goes for client c: the address
// or number delivery.Recipient picks, in req.Channels' order.
func recipients(c *client.Client, req SendRequest) ([]string, error) {
	out := make([]string, len(req.Channels))
	for i, ch := range req.Channels {
		var err error
		if out[i], err = delivery.Recipient(c, ch, req.Email.To); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sendClaimStore claims a document's sends (internal/dynamo implements it
// with a lease item per document, kind, channel and recipient).
type sendClaimStore interface {
	ClaimSend(ctx context.Context, orgID, documentID, channel, recipient string, now, until time.Time) (bool, error)
	ReleaseSend(ctx context.Context, orgID, documentID, channel, recipient string) error
}

// sendClaims are the channels and recipients one send of a document
// claimed for SendWindow, so an identical send meanwhile (a double click,
// a retried request) sends nothing.
type sendClaims struct {
	store             sendClaimStore
	orgID, documentID string
	kind              string // send, resend, resend-rotate
	channels          []delivery.Channel
	to                []string
}

// claimSends claims each channel and recipient of a kind of send of
// documentID; one that another request is sending right now is left out
// of the claims. On an error it releases what it had claimed.
func claimSends(ctx context.Context, store sendClaimStore, orgID, documentID, kind string, channels []delivery.Channel, to []string, now time.Time) (*sendClaims, error) {
	c := &sendClaims{store: store, orgID: orgID, documentID: documentID, kind: kind}
	for i, ch := range channels {
		ok, err := store.ClaimSend(ctx, orgID, documentID, kind+"#"+string(ch), to[i], now, now.Add(SendWindow))
		if err != nil {
			c.release(ctx)
			return nil, err
		}
		if ok {
			c.channels, c.to = append(c.channels, ch), append(c.to, to[i])
		}
	}
	return c, nil
}

// release gives the claims back after a send that did not go out, so it
// can be retried at once; a claim that cannot be released lapses with
// SendWindow.
func (c *sendClaims) release(ctx context.Context) {
	for i, ch := range c.channels {
		_ = c.store.ReleaseSend(context.WithoutCancel(ctx), c.orgID, c.documentID, c.kind+"#"+string(ch), c.to[i])
	}
}

// deliveryUpdater stores a delivery's new state with its activity.
type deliveryUpdater interface {
	UpdateDelivery(ctx context.Context, d *delivery.Delivery, events ...activity.Event) error
}

// enqueueDeliveries queues each delivery for the notifier. One that cannot
// be queued would wait forever, so it and every one after it is failed at
// once, recorded with the event failed gives, and the send reports
// ErrQueueUnavailable.
func enqueueDeliveries(ctx context.Context, queue DeliveryQueue, store deliveryUpdater, now func() time.Time, ds []*delivery.Delivery, failed func(*delivery.Delivery) activity.Event) error {
	var qerr error
	for _, d := range ds {
		if qerr == nil {
			if qerr = queue.Enqueue(ctx, d.OrgID, d.ID); qerr == nil {
				continue
			}
		}
		d.Fail("could not be queued for sending", now())
		if err := store.UpdateDelivery(context.WithoutCancel(ctx), d, failed(d)); err != nil {
			return errors.Join(fmt.Errorf("%w: %w", ErrQueueUnavailable, qerr), err)
		}
	}
	if qerr != nil {
		return fmt.Errorf("%w: %w", ErrQueueUnavailable, qerr)
	}
	return nil
}
