package faults_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/faults"
)

// throttledTransaction is DynamoDB's answer to a transaction refused for
// capacity: TransactionCanceledException whose reasons name code for the
// item it could not serve and None for the others. The SDK does not retry
// it, so it reaches the store at once.
func throttledTransaction(code string) error {
	return &types.TransactionCanceledException{
		Message: aws.String("Transaction cancelled, please refer cancellation reasons for specific reasons [" + code + ", None] (injected)"),
		CancellationReasons: []types.CancellationReason{
			{Code: aws.String(code), Message: aws.String("Throughput exceeds the current capacity for one or more global secondary indexes")},
			{Code: aws.String("None")},
		},
	}
}

// TestThrottledTransactionAnswers503: a transaction cancelled because
// DynamoDB throttled it is not a lost race. Finalizing and recording a
// payment each try it once (no optimistic re-read spinning on it),
// answer 503 with Retry-After and change nothing; once DynamoDB serves
// again, the client's retry with the same Idempotency-Key runs once.
func TestThrottledTransactionAnswers503(t *testing.T) {
	t.Parallel()
	s := newCoordinatorAPI(t)
	cid := s.client("throttled-tx-"+unique()+"@example.com", "")
	iid := s.draft(cid)

	for _, code := range []string{"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"} {
		h := s.aws.Add(faults.Rule{Service: "DynamoDB", Operation: "TransactWriteItems", Err: throttledTransaction(code)})
		r := s.do("POST", "/v1/invoices/"+iid+"/finalize", nil, "Idempotency-Key", "fin-"+iid)
		if r.status != 503 || r.str("error", "code") != "unavailable" || r.header.Get("Retry-After") == "" {
			t.Fatalf("%s: finalize = %d %s (Retry-After %q), want 503 unavailable with Retry-After", code, r.status, r.raw, r.header.Get("Retry-After"))
		}
		if h.Faulted() != 1 {
			t.Errorf("%s: the finalize transaction was sent %d times, want once (a throttled transaction is not retried as a conflict)", code, h.Faulted())
		}
		s.aws.Clear()
		if inv := s.must(200, "GET", "/v1/invoices/"+iid, nil); inv.str("status") != "draft" || inv.str("number") != "" {
			t.Fatalf("%s: after the 503 the invoice is %s %q, want an unnumbered draft", code, inv.str("status"), inv.str("number"))
		}
	}
	fin := s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil, "Idempotency-Key", "fin-"+iid)
	if sequence(t, fin.str("number")) != 1 {
		t.Errorf("first number after three throttled finalizes = %s, want the first of the series", fin.str("number"))
	}

	h := s.aws.Add(faults.Rule{Service: "DynamoDB", Operation: "TransactWriteItems", Err: throttledTransaction("ThrottlingError")})
	body := map[string]any{"clientId": cid, "amount": "10.00", "method": "cash"}
	if r := s.do("POST", "/v1/payments", body, "Idempotency-Key", "pay-"+iid); r.status != 503 || r.header.Get("Retry-After") == "" {
		t.Fatalf("throttled payment = %d %s, want 503 with Retry-After", r.status, r.raw)
	}
	if h.Faulted() != 1 {
		t.Errorf("the payment transaction was sent %d times, want once", h.Faulted())
	}
	s.aws.Clear()
	if n := len(s.must(200, "GET", "/v1/payments?clientId="+cid, nil).list("data")); n != 0 {
		t.Fatalf("%d payments after a throttled attempt, want none", n)
	}
	s.must(201, "POST", "/v1/payments", body, "Idempotency-Key", "pay-"+iid)
	if n := len(s.must(200, "GET", "/v1/payments?clientId="+cid, nil).list("data")); n != 1 {
		t.Errorf("%d payments after the retry, want 1", n)
	}
}
