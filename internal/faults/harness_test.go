package faults_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/carebill/carebill/internal/faults"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/teststack"
)

var (
	moto       *testenv.Moto
	stripeMock *testenv.StripeMock
)

func TestMain(m *testing.M) { testenv.MainWithMotoAndStripe(m, &moto, &stripeMock) }

// quick keeps the SDK's standard retry policy (3 attempts, the same
// errors retried) with backoff in milliseconds, so exhausting retries
// takes no seconds. The functions keep the SDK's default backoff.
func quick(cfg aws.Config) aws.Config {
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.NewExponentialJitterBackoff(20 * time.Millisecond)
		})
	}
	return cfg
}

// system is one provisioned stack with an API server and an org signed in.
type system struct {
	t     *testing.T
	st    *teststack.Stack
	srv   *httptest.Server
	sqs   *sqs.Client
	token string
	// aws injects faults into every function's AWS calls.
	aws *faults.AWS
}

var quiet = slog.New(slog.DiscardHandler)

// newSystem provisions a stack; serve then builds handlers on it.
func newSystem(t *testing.T) *system {
	t.Helper()
	st := teststack.New(t, moto)
	return &system{t: t, st: st, sqs: sqs.NewFromConfig(st.AWS), aws: faults.NewAWS()}
}

// awsFor is function's AWS config as deployed, with the injector and
// quick backoff.
func (s *system) awsFor(function string) aws.Config {
	return s.aws.Config(quick(s.st.AWSFor(function)))
}

// serve starts the test server with mux and signs an org up.
func (s *system) serve(mux http.Handler, orgName string) {
	s.t.Helper()
	s.srv.Config.Handler = mux
	s.srv.Start()
	email := "admin-" + unique() + "@example.com"
	s.must(201, "POST", "/auth/signup", map[string]string{"orgName": orgName, "email": email, "password": "Correct-Horse-9"})
	s.token = s.must(200, "POST", "/auth/login", map[string]string{"email": email, "password": "Correct-Horse-9"}).str("token")
}

type reply struct {
	status int
	body   map[string]any
	raw    string
	header http.Header
	err    error // the connection failed: no reply at all
}

func (r reply) str(path ...string) string {
	var v any = r.body
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[p]
	}
	s, _ := v.(string)
	return s
}

func (r reply) list(key string) []map[string]any {
	var out []map[string]any
	items, _ := r.body[key].([]any)
	for _, v := range items {
		out = append(out, v.(map[string]any))
	}
	return out
}

// noRedirects is a client that stops at a redirect (a checkout's, to
// Stripe's page) and reports it.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// try sends a request and returns what came back, or the connection's
// error when nothing did.
func (s *system) try(method, path string, body any, header ...string) reply {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		js, _ := json.Marshal(b)
		rd = bytes.NewReader(js)
	}
	if rd == nil && method == http.MethodPost {
		rd = strings.NewReader("")
	}
	if rd != nil {
		// Hidden from net/http, which would otherwise resend a request
		// with an Idempotency-Key by itself when its connection drops:
		// the tests decide when a client retries.
		rd = io.MultiReader(rd)
	}
	req, _ := http.NewRequest(method, s.srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := noRedirects.Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := reply{status: res.StatusCode, raw: string(raw), header: res.Header}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

func (s *system) do(method, path string, body any, header ...string) reply {
	s.t.Helper()
	r := s.try(method, path, body, header...)
	if r.err != nil {
		s.t.Fatalf("%s %s: %v", method, path, r.err)
	}
	return r
}

func (s *system) must(status int, method, path string, body any, header ...string) reply {
	s.t.Helper()
	r := s.do(method, path, body, header...)
	if r.status != status {
		s.t.Fatalf("%s %s = %d %s, want %d", method, path, r.status, r.raw, status)
	}
	return r
}

// client creates a client with an email address and a mobile number.
func (s *system) client(email, phone string) string {
	s.t.Helper()
	return s.must(201, "POST", "/v1/clients", map[string]any{"name": "Client",
		"contacts": []map[string]any{{"name": "Client", "email": email, "phone": phone}}}).str("id")
}

// draft creates a $2,260.50 draft for client cid.
func (s *system) draft(cid string) string {
	s.t.Helper()
	return s.must(201, "POST", "/v1/invoices", fmt.Sprintf(`{"clientId":%q,"name":"November","lineItems":[
 {"type":"variable","description":"Support coordination","quantity":"40","unit":"hours","rate":"50"},
 {"type":"variable","description":"Travel","quantity":"20","unit":"miles","rate":"0.25"},
 {"type":"fixed","description":"Consulting services","amount":"50"}]}`, cid)).str("id")
}

// receive takes n messages off the deliveries queue as Lambda's event
// source mapping would, hidden for 30 s.
func (s *system) receive(n int) events.SQSEvent {
	s.t.Helper()
	url := s.st.Resources.IDs["DeliveriesQueue"]
	var msgs []sqstypes.Message
	for try := 0; len(msgs) < n && try < 50; try++ {
		out, err := s.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: &url, MaxNumberOfMessages: int32(n - len(msgs)), VisibilityTimeout: 30,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		if err != nil {
			s.t.Fatal(err)
		}
		msgs = append(msgs, out.Messages...)
		if len(msgs) < n {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if len(msgs) != n {
		s.t.Fatalf("received %d messages from the deliveries queue, want %d", len(msgs), n)
	}
	return queue.Event(s.st.Resources.ARNs["DeliveriesQueue"], msgs)
}

// expire makes the messages of ev named by ids (those handed back to
// SQS) visible again, standing in for their visibility timeout passing.
func (s *system) expire(ev events.SQSEvent, ids []string) {
	s.t.Helper()
	url := s.st.Resources.IDs["DeliveriesQueue"]
	for _, r := range ev.Records {
		if !slices.Contains(ids, r.MessageId) {
			continue
		}
		if _, err := s.sqs.ChangeMessageVisibility(context.Background(), &sqs.ChangeMessageVisibilityInput{
			QueueUrl: &url, ReceiptHandle: &r.ReceiptHandle, VisibilityTimeout: 0,
		}); err != nil {
			s.t.Fatal(err)
		}
	}
}

// queueDepth is how many messages wait in a queue, visible or not.
func (s *system) queueDepth(logicalID string) int {
	s.t.Helper()
	url := s.st.Resources.IDs[logicalID]
	out, err := s.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: &url,
		AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	})
	if err != nil {
		s.t.Fatal(err)
	}
	var n int
	for _, k := range []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"} {
		var v int
		fmt.Sscan(out.Attributes[k], &v)
		n += v
	}
	return n
}

// sent counts the emails moto's SES accepted for addr and the texts its
// SNS accepted for phone.
func sent(t *testing.T, addr, phone string) (emails, texts int) {
	t.Helper()
	res, err := http.Get(moto.Endpoint + "/moto-api/data.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var c struct {
		SES struct {
			RawMessage []struct {
				RawData string `json:"raw_data"`
			} `json:"RawMessage"`
		} `json:"ses"`
		SNS struct {
			SMS []struct {
				PhoneNumber string `json:"phone_number"`
			} `json:"SMS"`
		} `json:"sns"`
	}
	if err := json.NewDecoder(res.Body).Decode(&c); err != nil {
		t.Fatal(err)
	}
	for _, m := range c.SES.RawMessage {
		if addr != "" && strings.Contains(m.RawData, addr) {
			emails++
		}
	}
	for _, m := range c.SNS.SMS {
		if m.PhoneNumber == phone {
			texts++
		}
	}
	return emails, texts
}

// unique is a short random token for addresses no other test uses.
func unique() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1<<40))
	return fmt.Sprintf("%x", n)
}

// uniquePhone is an Australian mobile number no other test uses.
func uniquePhone() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(100_000_000))
	return fmt.Sprintf("+614%08d", n)
}
