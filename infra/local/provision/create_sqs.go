package provision

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// createQueues creates every queue after the dead-letter queue it redrives
// to, since the redrive policy needs that queue's ARN.
func (r *Resources) createQueues(ctx context.Context, c *sqs.Client, queues []Queue) error {
	pending := append([]Queue(nil), queues...)
	for len(pending) > 0 {
		var next []Queue
		for _, q := range pending {
			if _, ready := r.ARNs[q.DeadLetterQueue]; q.DeadLetterQueue != "" && !ready {
				next = append(next, q)
				continue
			}
			if err := r.createQueue(ctx, c, q); err != nil {
				return fmt.Errorf("provision queue %s: %w", q.LogicalID, err)
			}
		}
		if len(next) == len(pending) {
			return fmt.Errorf("provision queues: dead-letter queues form a cycle through %s", next[0].LogicalID)
		}
		pending = next
	}
	return nil
}

func (r *Resources) createQueue(ctx context.Context, c *sqs.Client, q Queue) error {
	name := r.Prefix + q.LogicalID
	if q.FIFO {
		name += ".fifo"
	}
	attrs := make(map[string]string, len(q.Attributes)+1)
	for k, v := range q.Attributes {
		attrs[k] = v
	}
	if q.DeadLetterQueue != "" {
		policy, err := json.Marshal(struct {
			DeadLetterTargetArn string `json:"deadLetterTargetArn"`
			MaxReceiveCount     int64  `json:"maxReceiveCount"`
		}{r.ARNs[q.DeadLetterQueue], q.MaxReceiveCount})
		if err != nil {
			return err
		}
		attrs["RedrivePolicy"] = string(policy)
	}
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		return fmt.Errorf("create queue %s: %w", name, err)
	}
	got, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       out.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return fmt.Errorf("read ARN of queue %s: %w", name, err)
	}
	r.IDs[q.LogicalID] = aws.ToString(out.QueueUrl)
	r.ARNs[q.LogicalID] = got.Attributes[string(types.QueueAttributeNameQueueArn)]
	return nil
}
