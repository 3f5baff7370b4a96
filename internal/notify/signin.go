package notify

import (
	"context"
	"log/slog"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/carebill/carebill/internal/clientauth"
)

// SignIns sends the portal's sign-in emails (clientauth.LinkSender): one
// request, at most one email, however often its message arrives.
type SignIns interface {
	Send(ctx context.Context, orgID, requestID string, lastTry bool) (clientauth.Outcome, error)
}

// signIn handles a message asking for a portal sign-in email. What
// happened (sent, not a client's address, throttled) is logged, never
// told to the person who asked; a failed send is retried by the queue
// until its last receive.
func (h *Handler) signIn(ctx context.Context, rec events.SQSMessage, orgID, requestID string) error {
	receives, _ := strconv.Atoi(rec.Attributes["ApproximateReceiveCount"])
	log := h.log.With(slog.String("org", orgID), slog.String("messageId", rec.MessageId))
	out, err := h.signIns.Send(ctx, orgID, requestID, receives >= h.maxReceives)
	if err != nil {
		if receives >= h.maxReceives {
			log.ErrorContext(ctx, "sign-in email failed for good", slog.String("error", err.Error()))
			return nil
		}
		return err
	}
	log.InfoContext(ctx, "sign-in request handled", slog.String("outcome", string(out)))
	return nil
}
