package wire

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
)

// ScheduleHandler is a schedule function's handler, as lambda.Start takes it.
type ScheduleHandler func(ctx context.Context, ev events.EventBridgeEvent) error

// CycleClose builds functions/cycle-close: on its EventBridge schedule it
// closes every org's due billing cycles (statements, locks), resuming
// where an earlier run stopped.
//
// Variables: TABLE_NAME.
func CycleClose(ctx context.Context, env Env, cfg aws.Config, log *slog.Logger) (ScheduleHandler, error) {
	if err := env.require("TABLE_NAME"); err != nil {
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
	return func(ctx context.Context, ev events.EventBridgeEvent) error {
		rep, err := cycles.CloseDue(ctx)
		log.InfoContext(ctx, "cycle close run", slog.String("event", ev.ID), slog.Int("orgs", rep.Orgs), slog.Int("closed", rep.Closed),
			slog.Int("statements", rep.Statements), slog.Int("busy", rep.Busy), slog.Int("unfinished", rep.Unfinished))
		return err
	}, nil
}
