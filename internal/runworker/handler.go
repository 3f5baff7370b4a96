// Package runworker consumes the runs queue: each message is one client of
// one invoice run, and a batch of them is invoiced together
// (billing.Runs.Work: built in parallel, numbered in one transaction,
// routed). It reports partial batch failures, so SQS retries only the
// clients that failed; a message still failing at the queue's last
// receive parks its client on the run with the error and goes on to the
// dead-letter queue, which the run page shows.
package runworker

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/run"
)

// Work is the use case a batch is handed to (billing.Runs).
type Work interface {
	Work(ctx context.Context, orgID, runID string, clientIDs []string) map[string]error
}

// Parker parks a client a message gave up on (internal/dynamo): before
// its invoice, or (already invoiced) its send.
type Parker interface {
	SettleRunClient(ctx context.Context, orgID string, r *run.ClientResult) error
	ParkRunSend(ctx context.Context, orgID, runID, clientID, reason string, now time.Time) error
}

// Handler is the run worker's Lambda handler.
type Handler struct {
	work        Work
	park        Parker
	maxReceives int
	now         func() time.Time
	log         *slog.Logger
}

// New builds the handler; maxReceives is the runs queue's maxReceiveCount.
func New(work Work, park Parker, maxReceives int, now func() time.Time, log *slog.Logger) (*Handler, error) {
	if work == nil || park == nil || maxReceives < 1 || now == nil || log == nil {
		return nil, errors.New("runworker: work, parker, max receives, clock and logger are required")
	}
	return &Handler{work: work, park: park, maxReceives: maxReceives, now: now, log: log}, nil
}

type target struct{ org, run string }

// Handle invoices a batch of runs-queue messages (event source mapping
// with ReportBatchItemFailures): malformed messages and clients whose work
// failed are reported, the rest acknowledged.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	fail := func(rec events.SQSMessage, err error) {
		h.log.WarnContext(ctx, "run client not done; the queue will retry it", slog.String("messageId", rec.MessageId),
			slog.String("receives", rec.Attributes["ApproximateReceiveCount"]), slog.String("error", err.Error()))
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
	}
	groups := map[target][]events.SQSMessage{}
	var order []target
	for _, rec := range ev.Records {
		orgID, runID, _, err := queue.ParseRun(rec.Body)
		if err != nil {
			fail(rec, err)
			continue
		}
		t := target{orgID, runID}
		if _, ok := groups[t]; !ok {
			order = append(order, t)
		}
		groups[t] = append(groups[t], rec)
	}
	for _, t := range order {
		recs := groups[t]
		ids := make([]string, 0, len(recs))
		for _, rec := range recs {
			_, _, cid, _ := queue.ParseRun(rec.Body)
			ids = append(ids, cid)
		}
		failed := h.work.Work(ctx, t.org, t.run, ids)
		for i, rec := range recs {
			err, bad := failed[ids[i]]
			if !bad {
				continue
			}
			if n, _ := strconv.Atoi(rec.Attributes["ApproximateReceiveCount"]); n >= h.maxReceives {
				h.giveUp(ctx, t, ids[i], err)
			}
			fail(rec, err)
		}
	}
	return resp, nil
}

// giveUp parks a client whose message reached its last receive, so the
// run completes (with parked clients) and the coordinator can re-queue it.
// A client already invoiced has its send parked instead (the invoice and
// its number stand; the re-queue sends it).
func (h *Handler) giveUp(ctx context.Context, t target, clientID string, cause error) {
	ctx = context.WithoutCancel(ctx)
	reason := "the worker failed " + strconv.Itoa(h.maxReceives) + " times on this client; its message is in the dead-letter queue. Re-queue it, or ask support if it fails again"
	err := h.park.SettleRunClient(ctx, t.org, &run.ClientResult{RunID: t.run, ClientID: clientID,
		State: run.ClientParked, Reason: reason, UpdatedAt: h.now()})
	if errors.Is(err, run.ErrClientSettled) {
		err = h.park.ParkRunSend(ctx, t.org, t.run, clientID, "not sent: "+cause.Error()+"; "+reason, h.now())
	}
	if err != nil {
		h.log.ErrorContext(ctx, "could not park a client given up on", slog.String("org", t.org), slog.String("run", t.run),
			slog.String("client", clientID), slog.String("error", err.Error()))
	}
}
