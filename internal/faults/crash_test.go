package faults_test

import (
	"context"
	"io"
	"log"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/faults"
)

// discardLog keeps net/http's note of a dropped connection out of the
// test output.
var discardLog = log.New(io.Discard, "", 0)

// expireInProgress stands in for the in-progress expiry (60 s) passing
// on every key the org's requests left in progress.
func (s *system) expireInProgress() {
	s.t.Helper()
	db := dynamodb.NewFromConfig(s.st.AWS)
	table := s.st.Resources.IDs["IdempotencyTable"]
	out, err := db.Scan(context.Background(), &dynamodb.ScanInput{TableName: &table})
	if err != nil {
		s.t.Fatal(err)
	}
	var n int
	for _, it := range out.Items {
		if st, ok := it["status"].(*types.AttributeValueMemberS); !ok || st.Value != "INPROGRESS" {
			continue
		}
		n++
		if _, err := db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
			TableName: &table, Key: map[string]types.AttributeValue{"PK": it["PK"]},
			UpdateExpression:          aws.String("SET inProgressUntil = :past"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":past": &types.AttributeValueMemberN{Value: "0"}},
		}); err != nil {
			s.t.Fatal(err)
		}
	}
	if n == 0 {
		s.t.Fatal("no Idempotency-Key was left in progress")
	}
}

// TestCrashAfterCommitBeforeReply: the payments function dies right after
// DynamoDB committed a payment, before the Idempotency-Key's reply was
// stored and before the client heard anything. The client's retry with
// the same key is told the request is in progress (409); once the
// in-progress record expires, the retry runs the request again, which
// finds the payment its key already recorded (in the payment's own
// transaction) and answers with it. One payment, one receipt number, and
// later retries replay the answer.
func TestCrashAfterCommitBeforeReply(t *testing.T) {
	t.Parallel()
	s := newCoordinatorAPI(t)
	s.srv.Config.ErrorLog = discardLog
	cid := s.client("crash-"+unique()+"@example.com", "")
	iid := s.draft(cid)
	inv := s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)

	crash := s.aws.Add(faults.Rule{Service: "DynamoDB", Operation: "TransactWriteItems", Times: 1, Mode: faults.Crash})
	body := map[string]any{"clientId": cid, "amount": "2260.50", "method": "bank_transfer", "reference": "EFT 2"}
	key := "pay-" + unique()
	if r := s.try("POST", "/v1/payments", body, "Idempotency-Key", key); r.err == nil {
		t.Fatalf("the crashed request answered %d %s, want no answer", r.status, r.raw)
	}
	if crash.Faulted() != 1 {
		t.Fatalf("crash injected %d times", crash.Faulted())
	}
	if got := s.must(200, "GET", "/v1/invoices/"+iid, nil); got.str("status") != "paid" {
		t.Fatalf("the payment's transaction did not commit before the crash: invoice %s", got.str("status"))
	}
	if r := s.do("POST", "/v1/payments", body, "Idempotency-Key", key); r.status != 409 || r.str("error", "code") != "request_in_progress" {
		t.Fatalf("retry while in progress = %d %s, want 409 request_in_progress", r.status, r.raw)
	}
	s.expireInProgress()
	first := s.must(201, "POST", "/v1/payments", body, "Idempotency-Key", key)
	again := s.must(201, "POST", "/v1/payments", body, "Idempotency-Key", key)
	if again.raw != first.raw || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the answer after the crash was not kept: %s then %s", first.raw, again.raw)
	}
	pays := s.must(200, "GET", "/v1/payments?clientId="+cid, nil).list("data")
	if len(pays) != 1 || pays[0]["id"] != first.str("id") {
		t.Fatalf("payments after the crash and retries: %v, want the one the retry answered with (%s)", pays, first.str("id"))
	}
	if first.str("receiptNumber") == "" || !strings.HasSuffix(first.str("receiptNumber"), "1") {
		t.Errorf("receipt %q: the first receipt number", first.str("receiptNumber"))
	}
	if got := s.must(200, "GET", "/v1/invoices/"+iid, nil); got.str("balance") != "0.00" {
		t.Errorf("balance %s after one payment of the total %s", got.str("balance"), inv.str("total"))
	}
	// The same key with another body is another request, refused while
	// the first's record lives.
	other := map[string]any{"clientId": cid, "amount": "1.00", "method": "cash"}
	if r := s.do("POST", "/v1/payments", other, "Idempotency-Key", key); r.status != 422 {
		t.Errorf("same key, other body = %d %s, want 422", r.status, r.raw)
	}

	// Finalizing is idempotent by state: the rerun after a crash finds
	// the invoice numbered and says so (409), and the number is not
	// used twice.
	second := s.draft(cid)
	s.aws.Add(faults.Rule{Service: "DynamoDB", Operation: "TransactWriteItems", Times: 1, Mode: faults.Crash})
	fin := "fin-" + unique()
	if r := s.try("POST", "/v1/invoices/"+second+"/finalize", nil, "Idempotency-Key", fin); r.err == nil {
		t.Fatalf("the crashed finalize answered %d %s", r.status, r.raw)
	}
	s.expireInProgress()
	r := s.do("POST", "/v1/invoices/"+second+"/finalize", nil, "Idempotency-Key", fin)
	got := s.must(200, "GET", "/v1/invoices/"+second, nil)
	if r.status != 409 || got.str("status") != "open" || sequence(t, got.str("number")) != sequence(t, inv.str("number"))+1 {
		t.Errorf("finalize rerun after a crash = %d %s; invoice %s %s (first was %s)", r.status, r.raw, got.str("status"), got.str("number"), inv.str("number"))
	}
}
