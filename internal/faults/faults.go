// Package faults injects failures into real calls for tests: an
// aws-sdk-go-v2 middleware that fails chosen operations (before the
// request leaves, so the service never sees it, or after the service
// answered, so its reply is lost), and an http.RoundTripper that does the
// same to Stripe's API. The services stay real (moto, stripe-mock); only
// the wire between them and carebill misbehaves, as it does in production.
package faults

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Mode is what a rule does to a call it matches.
type Mode int

// Modes of failure.
const (
	// Refuse fails the call without sending it: the service never sees it.
	Refuse Mode = iota
	// LoseReply sends the call, lets the service act on it, then fails it
	// as a connection reset would: the effect happened, the caller cannot
	// know.
	LoseReply
	// Crash sends the call, then stops the request as a function killed
	// right after the service answered: nothing after the call runs, and
	// the client gets no answer (a panic with http.ErrAbortHandler, which
	// net/http's server turns into a dropped connection).
	Crash
)

// Rule picks calls and says how they fail.
type Rule struct {
	// Service is the SDK's service id ("DynamoDB", "SESv2", "SNS", "SQS").
	Service string
	// Operation is the API operation ("TransactWriteItems", "SendEmail").
	Operation string
	// Match, when set, further picks calls by their input (such as a
	// *dynamodb.PutItemInput for one table).
	Match func(params any) bool
	// Times is how many matching calls fail; 0 fails every one.
	Times int
	// Mode is how they fail.
	Mode Mode
	// Err is what a Refuse returns; Throttling when nil.
	Err error
}

// AWS holds rules and counts what they did. The zero value is not ready;
// use NewAWS. Safe for concurrent use.
type AWS struct {
	mu    sync.Mutex
	rules []*rule
}

type rule struct {
	Rule
	faulted, seen int
}

// NewAWS returns an injector with no rules: every call passes.
func NewAWS() *AWS { return &AWS{} }

// Add starts faulting calls r matches and returns a handle to its counts.
func (a *AWS) Add(r Rule) *Handle {
	a.mu.Lock()
	defer a.mu.Unlock()
	ru := &rule{Rule: r}
	a.rules = append(a.rules, ru)
	return &Handle{a: a, r: ru}
}

// Clear removes every rule: calls pass again, as when a fault heals.
func (a *AWS) Clear() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.rules = nil
}

// Handle reads one rule's counts.
type Handle struct {
	a *AWS
	r *rule
}

// Faulted is how many calls the rule failed.
func (h *Handle) Faulted() int {
	h.a.mu.Lock()
	defer h.a.mu.Unlock()
	return h.r.faulted
}

// Seen is how many calls the rule matched, failed or not.
func (h *Handle) Seen() int {
	h.a.mu.Lock()
	defer h.a.mu.Unlock()
	return h.r.seen
}

// Throttling is the error a throttled DynamoDB, SES or SNS call returns;
// the SDK's standard retryer retries it with backoff.
func Throttling(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "Rate exceeded (injected)", Fault: smithy.FaultServer}
}

// errReset is what a lost reply looks like: the connection went away
// after the request was written.
var errReset = fmt.Errorf("read tcp: %w (injected after the service answered)", syscall.ECONNRESET)

// Config returns cfg with the injector in every client built from it. It
// sits below the SDK's retry middleware, so each attempt meets the rules
// and the SDK's own retries are part of what is tested.
func (a *AWS) Config(cfg aws.Config) aws.Config {
	c := cfg.Copy()
	c.APIOptions = append(c.APIOptions, withInputs, func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("faults-inject", func(
			ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler,
		) (middleware.DeserializeOutput, middleware.Metadata, error) {
			r := a.pick(ctx)
			if r == nil {
				return next.HandleDeserialize(ctx, in)
			}
			switch r.Mode {
			case LoseReply:
				out, md, err := next.HandleDeserialize(ctx, in)
				if err != nil {
					return out, md, err
				}
				return middleware.DeserializeOutput{}, md, &smithyhttp.RequestSendError{Err: errReset}
			case Crash:
				if _, _, err := next.HandleDeserialize(ctx, in); err != nil {
					return middleware.DeserializeOutput{}, middleware.Metadata{}, err
				}
				// http.ErrAbortHandler: recovering middleware lets it
				// through, and net/http drops the connection unanswered.
				panic(http.ErrAbortHandler)
			default:
				err := r.Err
				if err == nil {
					err = Throttling("ThrottlingException")
				}
				return middleware.DeserializeOutput{}, middleware.Metadata{}, err
			}
		}), middleware.Before)
	})
	return c
}

// pick is the first rule that matches the call in ctx and still has
// failures to give, counted; nil lets the call pass.
func (a *AWS) pick(ctx context.Context) *rule {
	service, op := awsmiddleware.GetServiceID(ctx), middleware.GetOperationName(ctx)
	params := operationInput(ctx)
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, r := range a.rules {
		if r.Service != service || r.Operation != op || (r.Match != nil && !r.Match(params)) {
			continue
		}
		r.seen++
		if r.Times > 0 && r.faulted >= r.Times {
			continue
		}
		r.faulted++
		return r
	}
	return nil
}

type inputKey struct{}

// operationInput is the operation's input, which the initialize step
// saves for Match (the deserialize step sees only the HTTP request).
func operationInput(ctx context.Context) any {
	return middleware.GetStackValue(ctx, inputKey{})
}

// withInputs keeps each operation's input on its stack for Match.
func withInputs(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("faults-input", func(
		ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
	) (middleware.InitializeOutput, middleware.Metadata, error) {
		return next.HandleInitialize(middleware.WithStackValue(ctx, inputKey{}, in.Parameters), in)
	}), middleware.After)
}

// Transport is an http.RoundTripper for Stripe's API that delays or
// loses chosen replies. Safe for concurrent use.
type Transport struct {
	// Base makes the real round trip; http.DefaultTransport when nil.
	Base http.RoundTripper

	mu       sync.Mutex
	delay    time.Duration
	lose     int
	delays   int
	requests []*http.Request
}

// Delay holds the next n replies for d each (after the server answered),
// as a slow network does; a client timeout shorter than d fails them.
func (t *Transport) Delay(n int, d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.delays, t.delay = n, d
}

// LoseReplies drops the next n replies after the server answered.
func (t *Transport) LoseReplies(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lose = n
}

// Requests are the requests that reached the server, in order.
func (t *Transport) Requests() []*http.Request {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]*http.Request(nil), t.requests...)
}

// ErrLostReply is what a request whose reply was dropped fails with.
var ErrLostReply = errors.New("faults: connection reset after the server answered (injected)")

// RoundTrip sends req to the server, then applies the next fault.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	res, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	t.requests = append(t.requests, req)
	lose := t.lose > 0
	if lose {
		t.lose--
	}
	var delay time.Duration
	if !lose && t.delays > 0 {
		t.delays--
		delay = t.delay
	}
	t.mu.Unlock()
	if lose {
		res.Body.Close()
		return nil, ErrLostReply
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-req.Context().Done():
			res.Body.Close()
			return nil, req.Context().Err()
		}
	}
	return res, nil
}

// Refusal is the error a service answers a request it will not act on
// with (SES's MessageRejected, say): the SDK does not retry it.
func Refusal(code, message string) error {
	return &smithy.GenericAPIError{Code: code, Message: message, Fault: smithy.FaultClient}
}

// ServerError is a 5xx answer from the service, which the SDK's standard
// retryer retries.
func ServerError(status int, code string) error {
	return &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status, Header: http.Header{}}},
		Err:      &smithy.GenericAPIError{Code: code, Message: "Service unavailable (injected)", Fault: smithy.FaultServer},
	}
}
