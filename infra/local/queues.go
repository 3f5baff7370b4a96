package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/wire"
	notifierwire "github.com/carebill/carebill/internal/wire/notifier"
	runworkerwire "github.com/carebill/carebill/internal/wire/runworker"
)

// queueHandler is a queue function's handler, as its functions/<name>/main.go
// hands it to lambda.Start.
type queueHandler func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)

// queueBuilders make each queue function's handler from its environment,
// as builders do for HTTP functions.
var queueBuilders = map[string]func(context.Context, wire.Env, *stack) (queueHandler, error){
	"NotifierFunction": func(ctx context.Context, env wire.Env, s *stack) (queueHandler, error) {
		h, err := notifierwire.New(ctx, env, s.awsFor("NotifierFunction"), s.log)
		if err != nil {
			return nil, err
		}
		return h.Handle, nil
	},
	"RunWorkerFunction": func(ctx context.Context, env wire.Env, s *stack) (queueHandler, error) {
		h, err := runworkerwire.New(ctx, env, s.awsFor("RunWorkerFunction"), s.log)
		if err != nil {
			return nil, err
		}
		return h.Handle, nil
	},
}

// pollInterval is how long a poller waits after finding its queue empty.
// Receives never long-poll: moto serves one request at a time, and a
// waiting receive would hold up everything else.
const pollInterval = time.Second

// pollers builds, for every SQS event of template.yaml, a poller that feeds
// the queue's messages to its function's handler as Lambda's event source
// mapping does.
func (s *stack) pollers(ctx context.Context) ([]*poller, error) {
	api := sqs.NewFromConfig(s.aws)
	var out []*poller
	for _, qe := range s.tpl.QueueEvents {
		if !qe.Enabled {
			continue
		}
		build, ok := queueBuilders[qe.Function]
		if !ok {
			return nil, fmt.Errorf("template.yaml feeds %s to %s, which the local stack does not know how to build", qe.Queue, qe.Function)
		}
		env, err := s.env(qe.Function)
		if err != nil {
			return nil, err
		}
		h, err := build(ctx, env, s)
		if err != nil {
			return nil, fmt.Errorf("build %s: %w", qe.Function, err)
		}
		out = append(out, &poller{
			api: api, url: s.res.IDs[qe.Queue], arn: s.res.ARNs[qe.Queue], event: qe, handle: h,
			log: s.log.With(slog.String("function", qe.Function), slog.String("queue", qe.Queue)),
		})
	}
	return out, nil
}

// poller stands in for one SQS event source mapping.
type poller struct {
	api    *sqs.Client
	url    string
	arn    string
	event  provision.QueueEvent
	handle queueHandler
	log    *slog.Logger
}

// run polls until ctx ends.
func (p *poller) run(ctx context.Context) {
	for {
		n, err := p.once(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			p.log.Error("poll", slog.String("error", err.Error()))
		}
		if n == 0 || err != nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(pollInterval):
			}
		}
	}
}

// once receives one batch, hands it to the handler and deletes the
// messages that succeeded: all of them, unless the handler failed (then
// none) or reported batch item failures (then all but those). Failed
// messages come back after the queue's visibility timeout, and move to its
// dead-letter queue after maxReceiveCount receives, as in AWS.
func (p *poller) once(ctx context.Context) (int, error) {
	out, err := p.api.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: &p.url, MaxNumberOfMessages: int32(min(max(p.event.BatchSize, 1), 10)),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"},
	})
	if err != nil {
		return 0, fmt.Errorf("receive: %w", err)
	}
	if len(out.Messages) == 0 {
		return 0, nil
	}
	resp, err := p.handle(ctx, queue.Event(p.arn, out.Messages))
	if err != nil {
		p.log.Warn("the handler failed the whole batch", slog.Int("messages", len(out.Messages)), slog.String("error", err.Error()))
		return len(out.Messages), nil
	}
	failed := map[string]bool{}
	if p.event.ReportBatchItemFailures {
		for _, f := range resp.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
	}
	var done []types.DeleteMessageBatchRequestEntry
	for i, m := range out.Messages {
		if !failed[aws.ToString(m.MessageId)] {
			done = append(done, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
		}
	}
	if len(failed) > 0 {
		p.log.Info("messages left for retry", slog.Int("failed", len(failed)), slog.Int("done", len(done)))
	}
	if len(done) == 0 {
		return len(out.Messages), nil
	}
	del, err := p.api.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &p.url, Entries: done})
	if err != nil {
		return len(out.Messages), fmt.Errorf("delete handled messages: %w", err)
	}
	if len(del.Failed) > 0 {
		return len(out.Messages), fmt.Errorf("delete handled messages: %d not deleted: %s", len(del.Failed), aws.ToString(del.Failed[0].Message))
	}
	return len(out.Messages), nil
}
