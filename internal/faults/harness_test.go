package faults_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/carebill/carebill/internal/faults"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/testkit"
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
	_, s.token = testkit.SignUp(s.t, s.srv.URL, orgName)
}

// reply is testkit's reply under the names these tests use, with the
// connection's error when no reply came back at all.
type reply struct {
	status int
	body   map[string]any
	raw    string
	header http.Header
	err    error
}

func (r reply) str(path ...string) string        { return testkit.Reply{Body: r.body}.Str(path...) }
func (r reply) list(key string) []map[string]any { return testkit.Reply{Body: r.body}.List(key) }

// noRedirects is a client that stops at a redirect (a checkout's, to
// Stripe's page) and reports it.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// try sends a request (header: name, value, …) and returns what came
// back, or the connection's error when nothing did. net/http does not
// resend it by itself: the tests decide when a client retries.
func (s *system) try(method, path string, body any, header ...string) reply {
	s.t.Helper()
	h := map[string]string{}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	r, err := testkit.Send(testkit.Request{Method: method, URL: s.srv.URL + path, Body: body, Token: s.token,
		Header: h, Client: noRedirects, Unreplayable: true})
	return reply{status: r.Status, body: r.Body, raw: r.Raw, header: r.Header, err: err}
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
	return s.st.Receive(s.t, "DeliveriesQueue", n, 30)
}

// expire makes the messages of ev named by ids (those handed back to
// SQS) visible again, standing in for their visibility timeout passing.
func (s *system) expire(ev events.SQSEvent, ids []string) {
	s.t.Helper()
	if len(ids) > 0 {
		s.st.Expire(s.t, "DeliveriesQueue", ev, ids...)
	}
}

// queueDepth is how many messages wait in a queue, visible or not.
func (s *system) queueDepth(logicalID string) int {
	s.t.Helper()
	return s.st.QueueDepth(s.t, logicalID)
}

// sent counts the emails moto's SES accepted for addr and the texts its
// SNS accepted for phone.
func sent(t *testing.T, addr, phone string) (emails, texts int) {
	t.Helper()
	o := testkit.ReadOutbox(t, moto.Endpoint)
	for _, m := range o.SES.RawMessage {
		if addr != "" && strings.Contains(m.RawData, addr) {
			emails++
		}
	}
	return emails, len(o.TextsTo(phone))
}

var (
	unique      = testkit.Unique
	uniquePhone = testkit.UniquePhone
)
