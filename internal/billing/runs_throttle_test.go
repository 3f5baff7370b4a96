package billing_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/runworker"
)

// throttle fails a deterministic share of DynamoDB calls with the errors
// DynamoDB throttles with. It sits after the SDK's retry middleware, so
// it sees every attempt and the retryer retries what it fails. Some of
// the write calls it picks reach the table first and lose only their
// reply: the write is applied, the caller sees a throttling error and the
// SDK sends the write again. DynamoDB answers a TransactWriteItems sent
// again with the same ClientRequestToken (the SDK fills one in and keeps
// it across its retries) as the success it was, without applying it
// twice; moto ignores the token, so throttle answers those itself.
type throttle struct {
	mu                        sync.Mutex
	rnd                       *rand.Rand
	percent                   int
	calls, throttled, applied int
	lost                      map[string]bool // ClientRequestTokens of applied transactions whose reply was dropped
}

type tokenKey struct{}

var throttleWrites = map[string]bool{"PutItem": true, "UpdateItem": true, "DeleteItem": true, "TransactWriteItems": true, "BatchWriteItem": true}

func (th *throttle) pick() (fail, afterApply bool, code string) {
	th.mu.Lock()
	defer th.mu.Unlock()
	th.calls++
	if th.rnd.IntN(100) >= th.percent {
		return false, false, ""
	}
	th.throttled++
	code = "ProvisionedThroughputExceededException"
	if th.rnd.IntN(2) == 0 {
		code = "ThrottlingException"
	}
	return true, th.rnd.IntN(2) == 0, code
}

func (th *throttle) add(stack *middleware.Stack) error {
	// The transaction's idempotency token, once the SDK has filled it in.
	if err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("transactionToken", func(
		ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
	) (middleware.InitializeOutput, middleware.Metadata, error) {
		if p, ok := in.Parameters.(*dynamodb.TransactWriteItemsInput); ok {
			ctx = context.WithValue(ctx, tokenKey{}, aws.ToString(p.ClientRequestToken))
		}
		return next.HandleInitialize(ctx, in)
	}), middleware.After); err != nil {
		return err
	}
	return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("injectThrottling", func(
		ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler,
	) (middleware.FinalizeOutput, middleware.Metadata, error) {
		token, _ := ctx.Value(tokenKey{}).(string)
		th.mu.Lock()
		done := token != "" && th.lost[token]
		th.mu.Unlock()
		if done {
			return middleware.FinalizeOutput{Result: &dynamodb.TransactWriteItemsOutput{}}, middleware.Metadata{}, nil
		}
		fail, after, code := th.pick()
		if !fail {
			return next.HandleFinalize(ctx, in)
		}
		op := middleware.GetOperationName(ctx)
		if after && throttleWrites[op] {
			out, md, err := next.HandleFinalize(ctx, in)
			if err != nil {
				return out, md, err
			}
			th.mu.Lock()
			th.applied++
			if token != "" {
				th.lost[token] = true
			}
			th.mu.Unlock()
		}
		if code == "ThrottlingException" {
			return middleware.FinalizeOutput{}, middleware.Metadata{}, &smithy.GenericAPIError{Code: code, Message: "injected: rate of requests exceeds the allowed throughput", Fault: smithy.FaultServer}
		}
		return middleware.FinalizeOutput{}, middleware.Metadata{}, &dbtypes.ProvisionedThroughputExceededException{Message: aws.String("injected: the level of configured provisioned throughput was exceeded")}
	}), "Retry", middleware.After)
}

// An invoice run whose worker sees a fifth of its DynamoDB calls
// throttled (some after the write was applied) still ends with one
// invoice per participant, gapless numbers, exact run counts and no claim
// reference twice: what the SDK's retryer does not absorb fails the
// message, and SQS delivers it again.
func TestRunIsExactlyOnceWithAFifthOfDynamoDBCallsThrottled(t *testing.T) {
	t.Parallel()
	w := newRunWorld(t, nil)
	const n = 9
	var ids []string
	for i := range n {
		ft := []client.FundingType{client.SelfManaged, client.PlanManaged, client.NDIAManaged}[i%3]
		ids = append(ids, w.participant(fmt.Sprintf("Person%02d Test", i), ft, fmt.Sprintf("4312345%02d", i), 3, 10))
	}
	rn := w.start(false)

	// The worker's own clients, as functions/run-worker builds them, with
	// the injection after the SDK's standard retryer (its backoff capped
	// so the test stays short).
	th := &throttle{rnd: rand.New(rand.NewPCG(4, 20)), percent: 20, lost: map[string]bool{}}
	cfg := w.aws.Copy()
	cfg.APIOptions = append(slices.Clone(cfg.APIOptions), th.add)
	cfg.Retryer = func() aws.Retryer { return retry.AddWithMaxBackoffDelay(retry.NewStandard(), 20*time.Millisecond) }
	store, err := dynamo.New(dynamodb.NewFromConfig(cfg), w.env("TABLE_NAME"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := billing.New(store, nil, w.clock.Now, id.New)
	if err != nil {
		t.Fatal(err)
	}
	api := sqs.NewFromConfig(w.aws)
	rq, err := queue.NewRuns(api, w.runsURL, w.env("RUNS_DLQ_URL"))
	if err != nil {
		t.Fatal(err)
	}
	dq, err := queue.NewDeliveries(api, w.dlvURL)
	if err != nil {
		t.Fatal(err)
	}
	sender, err := billing.NewSender(svc, store, dq)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := billing.NewRuns(svc, store, rq, sender, "https://billing.example.com")
	if err != nil {
		t.Fatal(err)
	}
	handler, err := runworker.New(runs, store, 5, w.clock.Now, slog.New(slog.NewTextHandler(testLog{t}, nil)))
	if err != nil {
		t.Fatal(err)
	}

	// SQS's part: a message the worker reports failed is visible again.
	redelivered := 0
	for round := 0; ; round++ {
		if round == 40 {
			t.Fatal("the runs queue did not drain in 40 receives")
		}
		res, err := api.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &w.runsURL, MaxNumberOfMessages: 10,
			MessageSystemAttributeNames: []sqsAttr{"All"}, VisibilityTimeout: 60})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Messages) == 0 {
			break
		}
		resp, err := handler.Handle(ctx, queue.Event("arn:aws:sqs:ap-southeast-2:123456789012:runs", res.Messages))
		if err != nil {
			t.Fatal(err)
		}
		failed := map[string]bool{}
		for _, f := range resp.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
		if len(failed) > 0 {
			// A message comes back once its visibility timeout (9 minutes
			// in template.yaml) has passed.
			w.clock.Set(w.clock.Now().Add(9 * time.Minute))
		}
		for _, m := range res.Messages {
			if failed[*m.MessageId] {
				redelivered++
				_, err = api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &w.runsURL, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0})
			} else {
				_, err = api.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &w.runsURL, ReceiptHandle: m.ReceiptHandle})
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("worker DynamoDB calls %d, throttled %d (%d after the write was applied); messages redelivered %d", th.calls, th.throttled, th.applied, redelivered)
	if th.throttled*100 < th.calls*15 || th.throttled*100 > th.calls*25 || th.applied == 0 {
		t.Fatalf("injection: %d of %d calls throttled, %d after applying; want about a fifth, some after applying", th.throttled, th.calls, th.applied)
	}

	v := w.view(rn.ID)
	if v.Status != run.Complete || v.Counts.Invoiced != n || v.Counts.Parked != 0 || v.Counts.Empty != 0 || v.Counts.Total != n ||
		v.Counts.ByRouting[run.ToParticipant] != 3 || v.Counts.ByRouting[run.ToPlanManager] != 3 || v.Counts.ByRouting[run.ToNDIA] != 3 {
		t.Fatalf("run %s %+v", v.Status, v.Counts)
	}
	if got := w.numbers(); !slices.Equal(got, gapless(n)) {
		t.Fatalf("numbers %v", got)
	}
	refs := map[string]bool{}
	for _, c := range v.Clients {
		for _, cl := range c.Claims {
			if refs[cl.Ref] {
				t.Errorf("claim reference %s emitted twice", cl.Ref)
			}
			refs[cl.Ref] = true
		}
		want := map[run.Routing]int{run.ToParticipant: 2, run.ToPlanManager: 1, run.ToNDIA: 0}[c.Routing]
		if ds := w.deliveries(c.InvoiceID); len(ds) != want || !c.Routed || c.RouteError != "" {
			t.Errorf("%s (%s): %d deliveries, want %d; routed %v %q", c.ClientName, c.Routing, len(ds), want, c.Routed, c.RouteError)
		}
	}
	if len(refs) != 3*2 {
		t.Errorf("%d claim references, want 6", len(refs))
	}
	for _, cid := range ids {
		invs, _, err := w.store.ListInvoices(ctx, w.org.ID, invoice.ListFilter{ClientID: cid, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(invs) != 1 || invs[0].Status() != invoice.Open {
			t.Errorf("client %s: %d invoices", cid, len(invs))
		}
	}
}
