package notifier

import (
	"errors"
	"net"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// sendRetryer is the SDK's retryer for SES and SNS sends, retrying only
// what cannot have gone out: an answer from the service (a throttle, a
// 5xx) or a connection that never opened. A send whose reply was lost
// (reset, timeout) may have been accepted; retrying it at once would send
// a second copy inside one attempt. It returns to the notifier instead,
// which records that the outcome is unknown and lets the queue retry
// (delivery.NoAnswer): at most one possible duplicate per lost reply,
// and one the delivery's history shows.
type sendRetryer struct{ aws.Retryer }

func (r sendRetryer) IsErrorRetryable(err error) bool {
	var api smithy.APIError
	var op *net.OpError
	switch {
	case errors.As(err, &api):
		return r.Retryer.IsErrorRetryable(err)
	case errors.As(err, &op) && op.Op == "dial":
		return true
	}
	return false
}

// sendsOnce makes a client's retryer a sendRetryer.
func sendsOnce(retryer *aws.Retryer) {
	if *retryer == nil {
		*retryer = retry.NewStandard()
	}
	*retryer = sendRetryer{*retryer}
}
