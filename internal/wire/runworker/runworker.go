// Package runworker wires functions/run-worker.
package runworker

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/queue"
	runworker "github.com/carebill/carebill/internal/runworker"
	"github.com/carebill/carebill/internal/wire"
)

// runsQueue is the runs queue and its dead-letter queue from
// RUNS_QUEUE_URL and RUNS_DLQ_URL.
func runsQueue(env wire.Env, cfg aws.Config) (*queue.Runs, error) {
	if err := env.Require("RUNS_QUEUE_URL", "RUNS_DLQ_URL"); err != nil {
		return nil, err
	}
	return queue.NewRuns(sqs.NewFromConfig(cfg), env("RUNS_QUEUE_URL"), env("RUNS_DLQ_URL"))
}

// New builds functions/run-worker: the runs queue's consumer.
//
// Variables: TABLE_NAME, DELIVERIES_QUEUE_URL and PUBLIC_BASE_URL (the
// invoices it sends), RUNS_QUEUE_URL and RUNS_DLQ_URL, RUN_MAX_RECEIVES
// (the runs queue's maxReceiveCount: the receive at which a failing client
// is parked).
func New(ctx context.Context, env wire.Env, cfg aws.Config, log *slog.Logger) (*runworker.Handler, error) {
	if err := env.Require("TABLE_NAME", "DELIVERIES_QUEUE_URL", "PUBLIC_BASE_URL", "RUN_MAX_RECEIVES"); err != nil {
		return nil, err
	}
	maxReceives, err := strconv.Atoi(env("RUN_MAX_RECEIVES"))
	if err != nil {
		return nil, fmt.Errorf("RUN_MAX_RECEIVES=%q is not a number", env("RUN_MAX_RECEIVES"))
	}
	store, err := dynamo.New(dynamodb.NewFromConfig(cfg), env("TABLE_NAME"))
	if err != nil {
		return nil, err
	}
	// The worker signs nobody up, so billing needs no directory here.
	svc, err := billing.New(store, nil, time.Now, id.New)
	if err != nil {
		return nil, err
	}
	deliveries, err := queue.NewDeliveries(sqs.NewFromConfig(cfg), env("DELIVERIES_QUEUE_URL"))
	if err != nil {
		return nil, err
	}
	sender, err := billing.NewSender(svc, store, deliveries)
	if err != nil {
		return nil, err
	}
	runs, err := runsQueue(env, cfg)
	if err != nil {
		return nil, err
	}
	work, err := billing.NewRuns(svc, store, runs, sender, env("PUBLIC_BASE_URL"))
	if err != nil {
		return nil, err
	}
	return runworker.New(work, store, maxReceives, time.Now, log)
}
