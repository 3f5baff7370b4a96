package dynamo

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// optimistic re-runs an attempt whose write lost a race, up to
// maxAttempts in all, then reports the conflict; any other outcome ends
// it at once.
func TestOptimisticRetriesOnlyLostRaces(t *testing.T) {
	conflict := errors.New("conflict")
	lost := fmt.Errorf("update x: %w", &types.TransactionCanceledException{})
	refused := errors.New("refused by the domain")
	raced := fmt.Errorf("update x: %w", &types.TransactionCanceledException{CancellationReasons: []types.CancellationReason{
		{Code: aws.String("None")}, {Code: aws.String("TransactionConflict")}}})
	throttled := map[string]error{}
	for _, code := range []string{"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"} {
		throttled[code] = fmt.Errorf("update x: %w", &types.TransactionCanceledException{CancellationReasons: []types.CancellationReason{
			{Code: aws.String("None")}, {Code: aws.String(code)}}})
	}
	for _, c := range []struct {
		name     string
		outcomes []error // what each attempt returns; the last repeats
		want     error
		attempts int
	}{
		{"first try", []error{nil}, nil, 1},
		{"wins after two lost races", []error{lost, &types.ConditionalCheckFailedException{}, nil}, nil, 3},
		{"always loses", []error{lost}, conflict, maxAttempts},
		{"refused", []error{refused}, refused, 1},
		{"refused after a lost race", []error{lost, refused}, refused, 2},
		{"wins after a transaction conflict", []error{raced, nil}, nil, 2},
		{"throttled", []error{throttled["ThrottlingError"]}, throttled["ThrottlingError"], 1},
		{"throttled for provisioned throughput", []error{throttled["ProvisionedThroughputExceeded"]}, throttled["ProvisionedThroughputExceeded"], 1},
		{"throttled for the account's request limit", []error{throttled["RequestLimitExceeded"]}, throttled["RequestLimitExceeded"], 1},
		{"throttled after a lost race", []error{lost, throttled["ThrottlingError"]}, throttled["ThrottlingError"], 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := 0
			err := optimistic(context.Background(), conflict, func() error {
				out := c.outcomes[min(n, len(c.outcomes)-1)]
				n++
				return out
			})
			if !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Errorf("err = %v, want %v", err, c.want)
			}
			if n != c.attempts {
				t.Errorf("%d attempts, want %d", n, c.attempts)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n := 0
	if err := optimistic(ctx, conflict, func() error { n++; return lost }); !errors.Is(err, context.Canceled) || n != 1 {
		t.Errorf("cancelled: err = %v after %d attempts, want context.Canceled after 1", err, n)
	}
}

// A transaction cancelled for capacity is Unavailable (503) and not a
// lost race; one cancelled by a condition is a lost race and not
// Unavailable.
func TestThrottledTransactionIsNotAConflict(t *testing.T) {
	for _, c := range []struct {
		code                  string
		conflict, unavailable bool
	}{
		{"ConditionalCheckFailed", true, false},
		{"TransactionConflict", true, false},
		{"ThrottlingError", false, true},
		{"ProvisionedThroughputExceeded", false, true},
		{"RequestLimitExceeded", false, true},
	} {
		err := fmt.Errorf("tx: %w", &types.TransactionCanceledException{CancellationReasons: []types.CancellationReason{
			{Code: aws.String("None")}, {Code: aws.String(c.code)}}})
		if got := isConditionFailed(err); got != c.conflict {
			t.Errorf("%s: isConditionFailed = %v, want %v", c.code, got, c.conflict)
		}
		if got := Unavailable(err); got != c.unavailable {
			t.Errorf("%s: Unavailable = %v, want %v", c.code, got, c.unavailable)
		}
	}
}
