// Package cycleclose wires functions/cycle-close.
package cycleclose

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/requestlog"
	"github.com/carebill/carebill/internal/wire"
)

// ScheduleHandler is a schedule function's handler, as lambda.Start takes
// it: the schedule's constant input, or EventBridge's scheduled event.
type ScheduleHandler func(ctx context.Context, input json.RawMessage) error

// Jobs of the schedule function, named by its schedules' input.
const (
	JobCloseCycles = "close-cycles"
	JobReminders   = "reminders"
	// JobRecurringCharges bills every recurring charge due today.
	JobRecurringCharges = "recurring-charges"
)

// New builds functions/cycle-close, run by two EventBridge
// schedules: {"job":"close-cycles"} closes every org's due billing cycles
// (statements, locks), resuming where an earlier run stopped;
// {"job":"reminders"} sends the reminder steps due now;
// {"job":"recurring-charges"} bills the recurring charges due today.
//
// Variables: TABLE_NAME, DELIVERIES_QUEUE_URL (where reminders, and
// statements sent at close, queue their deliveries for the notifier),
// PUBLIC_BASE_URL (where pay links point).
func New(ctx context.Context, env wire.Env, cfg aws.Config, log *slog.Logger) (ScheduleHandler, error) {
	if err := env.Require("TABLE_NAME", "DELIVERIES_QUEUE_URL", "PUBLIC_BASE_URL"); err != nil {
		return nil, err
	}
	store, err := dynamo.New(dynamodb.NewFromConfig(cfg), env("TABLE_NAME"))
	if err != nil {
		return nil, err
	}
	cycles, err := billing.NewCycles(store, time.Now, id.New, log)
	if err != nil {
		return nil, err
	}
	svc, err := billing.New(store, nil, time.Now, id.New)
	if err != nil {
		return nil, err
	}
	deliveries, err := queue.NewDeliveries(sqs.NewFromConfig(cfg), env("DELIVERIES_QUEUE_URL"))
	if err != nil {
		return nil, err
	}
	statements, err := billing.NewStatementSender(svc, store, deliveries)
	if err != nil {
		return nil, err
	}
	cycles.AtClose = statements.AtClose(env("PUBLIC_BASE_URL"))
	reminders, err := billing.NewReminders(svc, store, deliveries, env("PUBLIC_BASE_URL"), log)
	if err != nil {
		return nil, err
	}
	charges, err := billing.NewRecurring(svc, store, log)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, input json.RawMessage) error {
		var in struct {
			Job string `json:"job"`
		}
		_ = json.Unmarshal(input, &in) // EventBridge's own scheduled event has no job: close cycles
		ctx = requestlog.With(ctx, slog.String("job", in.Job))
		switch in.Job {
		case JobReminders:
			rep, err := reminders.Run(ctx)
			log.InfoContext(ctx, "reminder run", slog.Int("orgs", rep.Orgs), slog.Int("invoices", rep.Invoices), slog.Int("sent", rep.Sent))
			return err
		case JobRecurringCharges:
			rep, err := charges.Run(ctx, store)
			log.InfoContext(ctx, "recurring charges run", slog.Int("charges", rep.Charges), slog.Int("billed", rep.Billed), slog.Int("failed", rep.Failed))
			return err
		case JobCloseCycles, "":
			rep, err := cycles.CloseDue(ctx)
			log.InfoContext(ctx, "cycle close run", slog.Int("orgs", rep.Orgs), slog.Int("closed", rep.Closed),
				slog.Int("statements", rep.Statements), slog.Int("queued", rep.Queued), slog.Int("busy", rep.Busy), slog.Int("unfinished", rep.Unfinished))
			return err
		default:
			return fmt.Errorf("cycle-close: unknown job %q", in.Job)
		}
	}, nil
}
