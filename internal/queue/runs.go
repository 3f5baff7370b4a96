package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/carebill/carebill/internal/id"
)

// ErrMalformedRun is returned for a message that is not a runs message.
var ErrMalformedRun = errors.New("not an invoice run message")

// runMessage is the whole body of a runs-queue message: one client of one
// run. Everything else is read from the table, so a late or repeated
// message acts on the client's current record on the run.
type runMessage struct {
	OrgID    string `json:"orgId"`
	RunID    string `json:"runId"`
	ClientID string `json:"clientId"`
}

// Runs is the runs queue and its dead-letter queue.
type Runs struct {
	api    *sqs.Client
	url    string
	dlqURL string
}

// NewRuns returns the runs queue at url with its dead-letter queue at
// dlqURL (read for the run page's depth).
func NewRuns(api *sqs.Client, url, dlqURL string) (*Runs, error) {
	if api == nil || url == "" || dlqURL == "" {
		return nil, errors.New("queue: an SQS client, the runs queue URL and its dead-letter queue URL are required")
	}
	return &Runs{api: api, url: url, dlqURL: dlqURL}, nil
}

// batchAttempts bounds retries of entries SendMessageBatch did not take.
const batchAttempts = 4

// EnqueueRunClients puts one message per client on the queue, ten to a
// SendMessageBatch call, enqueueWorkers calls at once; entries a call
// reports failed are sent again. On an error some messages may be sent:
// a message names its run and client, and the worker acts on the
// client's record on the run, so they do no harm.
func (q *Runs) EnqueueRunClients(ctx context.Context, orgID, runID string, clientIDs []string) error {
	// Batches go enqueueWorkers at a time: 10,000 participants are 1,000
	// calls, some 15 s one after another at SQS's latency.
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		sem   = make(chan struct{}, enqueueWorkers)
	)
	for start := 0; start < len(clientIDs) && ctx.Err() == nil; start += 10 {
		ids := clientIDs[start:min(start+10, len(clientIDs))]
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := q.sendBatch(ctx, orgID, runID, ids); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	if first == nil && parent.Err() != nil {
		return fmt.Errorf("enqueue run %s: %w", runID, parent.Err())
	}
	return first
}

// enqueueWorkers bounds the SendMessageBatch calls of one run start in
// flight at once.
const enqueueWorkers = 8

// sendBatch sends up to ten clients' messages in one SendMessageBatch,
// again for the entries it reports failed.
func (q *Runs) sendBatch(ctx context.Context, orgID, runID string, clientIDs []string) error {
	var entries []types.SendMessageBatchRequestEntry
	for i, cid := range clientIDs {
		body, err := json.Marshal(runMessage{OrgID: orgID, RunID: runID, ClientID: cid})
		if err != nil {
			return err
		}
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(string(body))})
	}
	for attempt := 1; len(entries) > 0; attempt++ {
		res, err := q.api.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &q.url, Entries: entries})
		if err != nil {
			return fmt.Errorf("enqueue run %s: %w", runID, err)
		}
		if len(res.Failed) == 0 {
			break
		}
		if attempt == batchAttempts {
			return fmt.Errorf("enqueue run %s: %d messages refused: %s", runID, len(res.Failed), aws.ToString(res.Failed[0].Message))
		}
		failed := map[string]bool{}
		for _, f := range res.Failed {
			failed[aws.ToString(f.Id)] = true
		}
		var again []types.SendMessageBatchRequestEntry
		for _, e := range entries {
			if failed[aws.ToString(e.Id)] {
				again = append(again, e)
			}
		}
		entries = again
	}
	return nil
}

// DeadLetters is the approximate number of messages in the runs
// dead-letter queue.
func (q *Runs) DeadLetters(ctx context.Context) (int, error) {
	res, err := q.api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &q.dlqURL,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil {
		return 0, fmt.Errorf("runs dead-letter queue: %w", err)
	}
	return strconv.Atoi(res.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessages)])
}

// ParseRun reads a runs-queue message body.
func ParseRun(body string) (orgID, runID, clientID string, err error) {
	var m runMessage
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil || dec.More() {
		return "", "", "", ErrMalformedRun
	}
	if !id.Valid(id.Org, m.OrgID) || !id.Valid("run", m.RunID) || !id.Valid(id.Client, m.ClientID) {
		return "", "", "", ErrMalformedRun
	}
	return m.OrgID, m.RunID, m.ClientID, nil
}
