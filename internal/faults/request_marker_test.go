package faults_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/faults"
	"github.com/carebill/carebill/internal/idempotency"
)

// clock is a wall clock a test can move forward.
type clock struct {
	mu    sync.Mutex
	ahead time.Duration
}

// Now is the time, moved on by every Advance so far.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.ahead)
}

// Advance moves the clock on by d.
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ahead += d
}

// marked picks the transaction that carries an API request's marker:
// the one that takes the request's effect.
func marked(params any) bool {
	in, ok := params.(*dynamodb.TransactWriteItemsInput)
	if !ok {
		return false
	}
	for _, it := range in.TransactItems {
		if it.Put == nil {
			continue
		}
		if sk, ok := it.Put.Item["SK"].(*types.AttributeValueMemberS); ok && strings.HasPrefix(sk.Value, "REQUEST#") {
			return true
		}
	}
	return false
}

// lapseSendClaims stands in for the send window (30 s) passing on every
// send claim, as it has by the time a key's in-progress record expires.
func (s *system) lapseSendClaims() {
	s.t.Helper()
	db := dynamodb.NewFromConfig(s.st.AWS)
	table := s.st.Resources.IDs["DataTable"]
	out, err := db.Scan(context.Background(), &dynamodb.ScanInput{TableName: &table,
		FilterExpression:          aws.String("#t = :claim"),
		ExpressionAttributeNames:  map[string]string{"#t": "type"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":claim": &types.AttributeValueMemberS{Value: "send_claim"}},
	})
	if err != nil {
		s.t.Fatal(err)
	}
	if len(out.Items) == 0 {
		s.t.Fatal("no send claim to lapse")
	}
	for _, it := range out.Items {
		if _, err := db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
			TableName: &table, Key: map[string]types.AttributeValue{"PK": it["PK"], "SK": it["SK"]},
			UpdateExpression:          aws.String("SET expiresAt = :past"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":past": &types.AttributeValueMemberN{Value: "0"}},
		}); err != nil {
			s.t.Fatal(err)
		}
	}
}

// TestCrashAfterCommitThenRetryAfterExpiry: for each kind of thing a
// keyed POST makes, the function dies right after DynamoDB committed the
// request's write, before the Idempotency-Key's reply was stored. While
// the key's record is in progress a retry is told so (409
// request_in_progress); once the API's clock passes the in-progress
// expiry, the retry runs the request again, meets the marker its first
// run wrote in the same transaction, and answers what the first run
// would have: the route's success status and the made thing (the same
// id), marked Idempotent-Replayed, which the key then replays. Each thing
// exists once; the send's retry queues the delivery its first run stored
// and never queued.
func TestCrashAfterCommitThenRetryAfterExpiry(t *testing.T) {
	t.Parallel()
	s := newCoordinatorAPI(t)
	s.srv.Config.ErrorLog = discardLog
	cid := s.client("marker-"+unique()+"@example.com", "")
	toCredit := s.draft(cid)
	s.must(200, "POST", "/v1/invoices/"+toCredit+"/finalize", nil)
	toSend := s.draft(cid)

	for _, c := range []struct {
		name, path string
		body       any
		// before lets the time pass that other holds than the key's need.
		before func()
		// count is how many of the things the request makes exist.
		count func() int
		// status is the route's success; made, the id its answer names
		// (read back after the retry), "" to take the answer's own id
		// and read it back at get.
		status int
		made   func() string
		get    string
	}{
		{name: "client", path: "/v1/clients", status: 201, get: "/v1/clients/",
			body: map[string]any{"name": "Marker Client", "contacts": []map[string]any{{"name": "M", "email": "m-" + unique() + "@example.com"}}},
			count: func() int {
				n := 0
				for _, c := range s.must(200, "GET", "/v1/clients?search=Marker", nil).list("data") {
					if c["name"] == "Marker Client" {
						n++
					}
				}
				return n
			}},
		{name: "draft", path: "/v1/invoices", status: 201, get: "/v1/invoices/",
			body: map[string]any{"clientId": cid, "name": "Marker draft", "lineItems": []map[string]any{{"type": "fixed", "description": "Plan review", "amount": "120"}}},
			count: func() int {
				n := 0
				for _, inv := range s.must(200, "GET", "/v1/invoices?clientId="+cid, nil).list("data") {
					if inv["name"] == "Marker draft" {
						n++
					}
				}
				return n
			}},
		{name: "credit note", path: "/v1/credit-notes", status: 201, get: "/v1/credit-notes/",
			body: map[string]any{"invoiceId": toCredit, "amount": "60.50", "reason": "Travel not provided"},
			count: func() int {
				got := s.must(200, "GET", "/v1/invoices/"+toCredit, nil).str("amountCredited")
				switch got {
				case "0.00":
					return 0
				case "60.50":
					return 1
				case "121.00":
					return 2
				}
				t.Fatalf("credited %s", got)
				return -1
			}},
		{name: "send", path: "/v1/invoices/" + toSend + "/send", body: map[string]any{"channels": []string{"email"}},
			before: s.lapseSendClaims, status: 200, made: func() string { return toSend },
			count: func() int {
				return len(s.must(200, "GET", "/v1/invoices/"+toSend+"/deliveries", nil).list("data"))
			}},
		{name: "invoice run", path: "/v1/invoice-runs", body: map[string]any{"periodStart": "2026-09-01", "periodEnd": "2026-09-30"},
			status: 202, get: "/v1/invoice-runs/",
			count: func() int {
				return len(s.must(200, "GET", "/v1/invoice-runs", nil).list("data"))
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			key := "crash-" + unique()
			crash := s.aws.Add(faults.Rule{Service: "DynamoDB", Operation: "TransactWriteItems", Match: marked, Times: 1, Mode: faults.Crash})
			if r := s.try("POST", c.path, c.body, "Idempotency-Key", key); r.err == nil {
				t.Fatalf("the crashed request answered %d %s, want no answer", r.status, r.raw)
			}
			if crash.Faulted() != 1 {
				t.Fatalf("the request's write carried no request marker (crash injected %d times)", crash.Faulted())
			}
			if n := c.count(); n != 1 {
				t.Fatalf("%d made before the crash, want the one whose transaction committed", n)
			}
			if c.name == "send" {
				if n := s.queueDepth("DeliveriesQueue"); n != 0 {
					t.Fatalf("%d deliveries queued by the crashed send, want none (it died before queuing)", n)
				}
			}
			if r := s.do("POST", c.path, c.body, "Idempotency-Key", key); r.status != 409 || r.str("error", "code") != "request_in_progress" {
				t.Fatalf("retry while in progress = %d %s, want 409 request_in_progress", r.status, r.raw)
			}

			s.clock.Advance(idempotency.InProgressExpiry + time.Second)
			if c.before != nil {
				c.before()
			}
			r := s.do("POST", c.path, c.body, "Idempotency-Key", key)
			if r.status != c.status || r.header.Get("Idempotent-Replayed") != "true" || r.str("id") == "" {
				t.Fatalf("retry after the in-progress expiry = %d %s (replayed %q), want %d with what the first run made, replayed",
					r.status, r.raw, r.header.Get("Idempotent-Replayed"), c.status)
			}
			if n := c.count(); n != 1 {
				t.Fatalf("%d after the retry, want 1: the retry did it again", n)
			}
			if c.made != nil {
				if got, want := r.str("id"), c.made(); got != want {
					t.Errorf("the retry answered %s, want %s", got, want)
				}
			} else if got := s.must(200, "GET", c.get+r.str("id"), nil); got.raw != r.raw && c.status == 201 {
				t.Errorf("the retry answered %s, GET answers %s: want the same representation", r.raw, got.raw)
			}
			if loc := r.header.Get("Location"); c.get != "" && loc != c.get+r.str("id") {
				t.Errorf("Location %q, want %q", loc, c.get+r.str("id"))
			}
			if c.name == "send" {
				ds := s.must(200, "GET", "/v1/invoices/"+toSend+"/deliveries", nil).list("data")
				if got := r.list("deliveries"); len(got) != 1 || got[0]["id"] != ds[0]["id"] {
					t.Errorf("the retry answered deliveries %v, want the first run's %v", got, ds[0]["id"])
				}
			}
			if c.name == "send" {
				// The retry queued the delivery the first run stored.
				if n := s.queueDepth("DeliveriesQueue"); n != 1 {
					t.Errorf("%d deliveries queued after the retry, want the first run's one", n)
				}
			}
			again := s.do("POST", c.path, c.body, "Idempotency-Key", key)
			if again.raw != r.raw || again.header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("a later retry = %d %s (replayed %q), want the same answer replayed", again.status, again.raw, again.header.Get("Idempotent-Replayed"))
			}
			// Without the key nothing ties the request to the first: it is a new one.
			if c.name == "client" {
				s.must(201, "POST", c.path, c.body)
				if n := c.count(); n != 2 {
					t.Errorf("a new request without a key made %d in all, want 2", n)
				}
			}
		})
	}
}
