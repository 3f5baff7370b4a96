// Package queue is the SQS adapter: it puts deliveries on the deliveries
// queue, reads them back off a message, and turns received SQS messages
// into the events.SQSEvent Lambda hands a queue function, so the local
// stack and the tests invoke handlers exactly as Lambda would.
package queue

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/carebill/carebill/internal/id"
)

// ErrMalformed is returned for a message that is not a delivery message.
var ErrMalformed = errors.New("not a delivery message")

// deliveryMessage is the whole body of a deliveries-queue message: which
// delivery to send. Everything else is read from the table, so a message
// that arrives late or twice acts on the delivery's current state.
type deliveryMessage struct {
	OrgID      string `json:"orgId"`
	DeliveryID string `json:"deliveryId"`
}

// Deliveries is the deliveries queue.
type Deliveries struct {
	api *sqs.Client
	url string
}

// NewDeliveries returns the queue at url; the client is built once per cold
// start by the caller.
func NewDeliveries(api *sqs.Client, url string) (*Deliveries, error) {
	if api == nil || url == "" {
		return nil, errors.New("queue: an SQS client and the deliveries queue URL are required")
	}
	return &Deliveries{api: api, url: url}, nil
}

// Enqueue puts one delivery on the queue.
func (q *Deliveries) Enqueue(ctx context.Context, orgID, deliveryID string) error {
	body, err := json.Marshal(deliveryMessage{OrgID: orgID, DeliveryID: deliveryID})
	if err != nil {
		return err
	}
	if _, err := q.api.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q.url, MessageBody: aws.String(string(body))}); err != nil {
		return fmt.Errorf("enqueue delivery %s: %w", deliveryID, err)
	}
	return nil
}

// ParseDelivery reads a deliveries-queue message body.
func ParseDelivery(body string) (orgID, deliveryID string, err error) {
	var m deliveryMessage
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil || dec.More() {
		return "", "", ErrMalformed
	}
	if !id.Valid(id.Org, m.OrgID) || !id.Valid(id.Delivery, m.DeliveryID) {
		return "", "", ErrMalformed
	}
	return m.OrgID, m.DeliveryID, nil
}

// Event is what Lambda's SQS event source mapping hands a function for
// msgs received from the queue queueARN: bodies, receipt handles and the
// system attributes (ApproximateReceiveCount, SentTimestamp, …). Receive
// them with MessageSystemAttributeNames All.
func Event(queueARN string, msgs []types.Message) events.SQSEvent {
	region := ""
	if parts := strings.Split(queueARN, ":"); len(parts) > 3 {
		region = parts[3]
	}
	ev := events.SQSEvent{Records: make([]events.SQSMessage, 0, len(msgs))}
	for _, m := range msgs {
		rec := events.SQSMessage{
			MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle),
			Body: aws.ToString(m.Body), Md5OfBody: aws.ToString(m.MD5OfBody),
			Md5OfMessageAttributes: aws.ToString(m.MD5OfMessageAttributes),
			Attributes:             map[string]string{}, MessageAttributes: map[string]events.SQSMessageAttribute{},
			EventSourceARN: queueARN, EventSource: "aws:sqs", AWSRegion: region,
		}
		for k, v := range m.Attributes {
			rec.Attributes[k] = v
		}
		for k, v := range m.MessageAttributes {
			a := events.SQSMessageAttribute{DataType: aws.ToString(v.DataType), StringValue: v.StringValue, BinaryValue: bytes.Clone(v.BinaryValue)}
			rec.MessageAttributes[k] = a
		}
		ev.Records = append(ev.Records, rec)
	}
	return ev
}
