package billing

import (
	"context"
	"errors"
	"fmt"

	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/idempotency"
)

// queueApplied is what a send answers when its store write met the
// marker of the request's earlier execution (err is an
// idempotency.AppliedError naming that execution's deliveries, in Ref or
// Made): that execution may have died after storing its deliveries and
// before queuing them, so each that is still queued and never tried is
// queued now, and err is returned for the API to answer the earlier
// success. The notifier sends a delivery once however often it is
// queued. A delivery that cannot be read or queued answers
// ErrQueueUnavailable instead, so the key is released and the retry
// queues it. Any other err is returned as it is.
func queueApplied(ctx context.Context, queue DeliveryQueue, get func(ctx context.Context, orgID, id string) (*delivery.Delivery, error), orgID string, err error) error {
	var ae *idempotency.AppliedError
	if !errors.As(err, &ae) {
		return err
	}
	ids := ae.Made
	if len(ids) == 0 && ae.Ref != "" {
		ids = []string{ae.Ref}
	}
	for _, did := range ids {
		d, gerr := get(ctx, orgID, did)
		if gerr != nil {
			return fmt.Errorf("%w: %w", ErrQueueUnavailable, gerr)
		}
		if d.Status != delivery.Queued || d.Attempts > 0 {
			continue
		}
		if qerr := queue.Enqueue(ctx, orgID, d.ID); qerr != nil {
			return fmt.Errorf("%w: %w", ErrQueueUnavailable, qerr)
		}
	}
	return err
}
