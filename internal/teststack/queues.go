package teststack

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/carebill/carebill/internal/queue"
)

// Receive takes n messages off the queue with logical id queueID, as
// Lambda's event source mapping would hand them over, hidden for
// visibility seconds (0: the queue's own visibility timeout). It fails the
// test unless n arrive within about 2.5 s.
func (s *Stack) Receive(t testing.TB, queueID string, n int, visibility int32) events.SQSEvent {
	t.Helper()
	url := s.Resources.IDs[queueID]
	client := sqs.NewFromConfig(s.AWS)
	var msgs []sqstypes.Message
	for try := 0; len(msgs) < n && try < 50; try++ {
		out, err := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: &url, MaxNumberOfMessages: int32(n - len(msgs)), VisibilityTimeout: visibility,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, out.Messages...)
		if len(msgs) < n {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if len(msgs) != n {
		t.Fatalf("received %d messages from %s, want %d", len(msgs), queueID, n)
	}
	return queue.Event(s.Resources.ARNs[queueID], msgs)
}

// Expire makes ev's messages (those named by ids, or all when none are
// named) visible again on queueID at once, standing in for their
// visibility timeout passing.
func (s *Stack) Expire(t testing.TB, queueID string, ev events.SQSEvent, ids ...string) {
	t.Helper()
	url := s.Resources.IDs[queueID]
	client := sqs.NewFromConfig(s.AWS)
	for _, r := range ev.Records {
		if len(ids) > 0 && !slices.Contains(ids, r.MessageId) {
			continue
		}
		if _, err := client.ChangeMessageVisibility(context.Background(), &sqs.ChangeMessageVisibilityInput{
			QueueUrl: &url, ReceiptHandle: &r.ReceiptHandle, VisibilityTimeout: 0,
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// QueueDepth is how many messages wait in the queue with logical id
// queueID, visible or not.
func (s *Stack) QueueDepth(t testing.TB, queueID string) int {
	t.Helper()
	url := s.Resources.IDs[queueID]
	out, err := sqs.NewFromConfig(s.AWS).GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: &url,
		AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, k := range []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"} {
		v, err := strconv.Atoi(out.Attributes[k])
		if err != nil {
			t.Fatalf("%s of %s: %q", k, queueID, out.Attributes[k])
		}
		n += v
	}
	return n
}
