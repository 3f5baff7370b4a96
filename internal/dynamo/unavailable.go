package dynamo

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// busyCodes are DynamoDB's answers that say "not now": throttling (of the
// table, the account or a hot partition) and its own failures. The SDK
// retries each with backoff; what reaches the store is what outlasted
// the retries.
var busyCodes = map[string]bool{
	"ProvisionedThroughputExceededException": true,
	"ThrottlingException":                    true,
	"RequestLimitExceeded":                   true,
	"InternalServerError":                    true,
	"ServiceUnavailable":                     true,
}

// Unavailable reports whether err is DynamoDB being too busy to answer
// after the SDK's retries: the request changed nothing (a transaction
// applies whole or not at all) and the same request may be sent again
// shortly. The transport answers it with 503 and Retry-After.
func Unavailable(err error) bool {
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		return cancelledByThrottling(tce)
	}
	var api smithy.APIError
	return errors.As(err, &api) && busyCodes[api.ErrorCode()]
}

// throttledReasons are the cancellation reason codes of a transaction
// that DynamoDB refused for capacity, not for its conditions (the
// TransactWriteItems reference lists them).
var throttledReasons = map[string]bool{
	"ThrottlingError":               true,
	"ProvisionedThroughputExceeded": true,
	"RequestLimitExceeded":          true,
}

// cancelledByThrottling reports whether any item of a cancelled
// transaction was refused for capacity. The whole transaction then
// changed nothing and no condition was judged, so it is neither a lost
// race nor a refusal.
func cancelledByThrottling(tce *types.TransactionCanceledException) bool {
	for _, r := range tce.CancellationReasons {
		if throttledReasons[aws.ToString(r.Code)] {
			return true
		}
	}
	return false
}
