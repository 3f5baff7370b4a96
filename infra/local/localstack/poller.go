package localstack

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/queue"
)

// PollInterval is how long a poller waits after finding its queue empty.
// Receives never long-poll: moto serves one request at a time, and a
// waiting receive would hold up everything else.
const PollInterval = time.Second

// Pollers builds, for every enabled SQS event of the template, a poller
// that feeds the queue's messages to its function's handler as Lambda's
// event source mapping does; api receives and deletes the messages.
func (s *Stack) Pollers(ctx context.Context, api *sqs.Client) ([]*Poller, error) {
	var out []*Poller
	for _, qe := range s.Template.QueueEvents {
		if !qe.Enabled {
			continue
		}
		p, err := s.poller(ctx, api, qe)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Poller builds the poller of the template's SQS event on queue, the
// queue's logical id.
func (s *Stack) Poller(ctx context.Context, api *sqs.Client, queue string) (*Poller, error) {
	for _, qe := range s.Template.QueueEvents {
		if qe.Queue == queue {
			return s.poller(ctx, api, qe)
		}
	}
	return nil, fmt.Errorf("template.yaml feeds %s to no function", queue)
}

func (s *Stack) poller(ctx context.Context, api *sqs.Client, qe provision.QueueEvent) (*Poller, error) {
	build, ok := queueBuilders[qe.Function]
	if !ok {
		return nil, fmt.Errorf("template.yaml feeds %s to %s, which the local stack does not know how to build", qe.Queue, qe.Function)
	}
	env, err := s.Env(qe.Function)
	if err != nil {
		return nil, err
	}
	log := s.logger(qe.Function)
	h, err := build(ctx, env, s.awsFor(qe.Function), log)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", qe.Function, err)
	}
	return &Poller{
		API: api, URL: s.Resources.IDs[qe.Queue], ARN: s.Resources.ARNs[qe.Queue], Event: qe, Handle: h,
		Log: log.With(slog.String("function", qe.Function), slog.String("queue", qe.Queue)),
	}, nil
}

// Poller stands in for one SQS event source mapping.
type Poller struct {
	API      *sqs.Client
	URL, ARN string
	Event    provision.QueueEvent
	Handle   QueueHandler
	Log      *slog.Logger
}

// Run polls until ctx ends, waiting PollInterval after an empty or failed
// receive.
func (p *Poller) Run(ctx context.Context) {
	for {
		n, err := p.Once(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			p.Log.Error("poll", slog.String("error", err.Error()))
		}
		if n == 0 || err != nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(PollInterval):
			}
		}
	}
}

// Once receives one batch, hands it to the handler and deletes the
// messages that succeeded: all of them, unless the handler failed (then
// none) or reported batch item failures (then all but those). Failed
// messages come back after the queue's visibility timeout, and move to its
// dead-letter queue after maxReceiveCount receives, as in AWS. It returns
// how many messages it received.
func (p *Poller) Once(ctx context.Context) (int, error) {
	out, err := p.API.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: &p.URL, MaxNumberOfMessages: int32(min(max(p.Event.BatchSize, 1), 10)),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"},
	})
	if err != nil {
		return 0, fmt.Errorf("receive: %w", err)
	}
	if len(out.Messages) == 0 {
		return 0, nil
	}
	resp, err := p.Handle(ctx, queue.Event(p.ARN, out.Messages))
	if err != nil {
		p.Log.Warn("the handler failed the whole batch", slog.Int("messages", len(out.Messages)), slog.String("error", err.Error()))
		return len(out.Messages), nil
	}
	failed := map[string]bool{}
	if p.Event.ReportBatchItemFailures {
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
		p.Log.Info("messages left for retry", slog.Int("failed", len(failed)), slog.Int("done", len(done)))
	}
	if len(done) == 0 {
		return len(out.Messages), nil
	}
	del, err := p.API.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &p.URL, Entries: done})
	if err != nil {
		return len(out.Messages), fmt.Errorf("delete handled messages: %w", err)
	}
	if len(del.Failed) > 0 {
		return len(out.Messages), fmt.Errorf("delete handled messages: %d not deleted: %s", len(del.Failed), aws.ToString(del.Failed[0].Message))
	}
	return len(out.Messages), nil
}
