package queue_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/carebill/carebill/internal/queue"
)

const (
	org = "org_01jd5v0g8m3x2c9h7t4r6y1kzq"
	dlv = "dlv_01jd5v0g8m3x2c9h7t4r6y1kzq"
)

func TestParseDelivery(t *testing.T) {
	t.Parallel()
	o, d, err := queue.ParseDelivery(`{"orgId":"` + org + `","deliveryId":"` + dlv + `"}`)
	if err != nil || o != org || d != dlv {
		t.Fatalf("a good message: %q %q %v", o, d, err)
	}
	for name, body := range map[string]string{
		"empty":          ``,
		"not JSON":       `hello`,
		"extra field":    `{"orgId":"` + org + `","deliveryId":"` + dlv + `","to":"x@example.com"}`,
		"trailing data":  `{"orgId":"` + org + `","deliveryId":"` + dlv + `"} {}`,
		"bad org":        `{"orgId":"org_x","deliveryId":"` + dlv + `"}`,
		"invoice not id": `{"orgId":"` + org + `","deliveryId":"inv_01jd5v0g8m3x2c9h7t4r6y1kzq"}`,
	} {
		if _, _, err := queue.ParseDelivery(body); !errors.Is(err, queue.ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}

func TestEventIsWhatLambdaHandsOver(t *testing.T) {
	t.Parallel()
	arn := "arn:aws:sqs:ap-southeast-2:123456789012:DeliveriesQueue"
	ev := queue.Event(arn, []types.Message{{
		MessageId: aws.String("m1"), ReceiptHandle: aws.String("rh"), Body: aws.String("{}"), MD5OfBody: aws.String("99914b932bd37a50b983c5e7c90ae93b"),
		Attributes:        map[string]string{"ApproximateReceiveCount": "3", "SentTimestamp": "1764059400000"},
		MessageAttributes: map[string]types.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String("email")}},
	}})
	if len(ev.Records) != 1 {
		t.Fatalf("%d records", len(ev.Records))
	}
	r := ev.Records[0]
	if r.MessageId != "m1" || r.ReceiptHandle != "rh" || r.Body != "{}" || r.EventSource != "aws:sqs" || r.EventSourceARN != arn ||
		r.AWSRegion != "ap-southeast-2" || r.Attributes["ApproximateReceiveCount"] != "3" || *r.MessageAttributes["kind"].StringValue != "email" {
		t.Errorf("record %+v", r)
	}
}
