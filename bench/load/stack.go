package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/motoserver"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/stripemock"
	invoicingwire "github.com/carebill/carebill/internal/wire/invoicing"
	notifierwire "github.com/carebill/carebill/internal/wire/notifier"
	paymentswire "github.com/carebill/carebill/internal/wire/payments"
	portalwire "github.com/carebill/carebill/internal/wire/portal"
)

// Stripe secrets for the stand-in: stripe-mock takes any test key.
const (
	stripeKey     = "sk_test_carebillload"
	webhookSecret = "whsec_carebill_load"
)

// stack is the local stack as `make dev` runs it (infra/local): moto and
// stripe-mock as child processes on free 127.0.0.1 ports, every resource
// of template.yaml created in moto, the three HTTP functions served on one
// port under the template's routes, and the notifier fed from the
// deliveries queue. Each function's AWS clients count their requests in
// meter, and its log lines (JSON at INFO, as the template configures
// Lambda) are counted in bytes.
type stack struct {
	URL   string
	meter *meter

	moto   *motoserver.Server
	stripe *stripemock.Server
	srv    *http.Server
	tpl    *provision.Template
	res    *provision.Resources
	aws    aws.Config

	handlers map[string]http.Handler // function → its handler
	notifier func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)
	sqs      *sqs.Client
	queueURL string
	queueARN string

	stopPoll context.CancelFunc
	polling  sync.WaitGroup
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startStack stands the stack up from the template at tplPath. The caller
// must stop it.
func startStack(ctx context.Context, tplPath string) (_ *stack, err error) {
	s := &stack{meter: newMeter(), handlers: map[string]http.Handler{}}
	defer func() {
		if err != nil {
			s.stop()
		}
	}()
	// stripe-mock starts while moto does.
	sp, err := freePort()
	if err != nil {
		return nil, err
	}
	stripeUp := make(chan error, 1)
	go func() {
		var err error
		s.stripe, err = stripemock.Start(sp)
		stripeUp <- err
	}()
	mp, err := freePort()
	if err == nil {
		s.moto, err = motoserver.Start(mp)
	}
	if serr := <-stripeUp; serr != nil {
		return nil, fmt.Errorf("start stripe-mock: %w", serr)
	}
	if err != nil {
		return nil, fmt.Errorf("start moto: %w", err)
	}
	s.aws, err = config.LoadDefaultConfig(ctx, config.WithRegion("ap-southeast-2"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("load", "load", "")),
		config.WithBaseEndpoint(s.moto.Endpoint))
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(tplPath)
	if err != nil {
		return nil, err
	}
	if s.tpl, err = provision.Load(abs); err != nil {
		return nil, err
	}
	if s.res, err = s.tpl.Provision(ctx, s.aws, "load-"); err != nil {
		return nil, fmt.Errorf("create the template's resources in moto: %w", err)
	}
	if err := s.putSecrets(ctx); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s.URL = fmt.Sprintf("http://127.0.0.1:%d", port)

	mux := http.NewServeMux()
	for _, rt := range s.tpl.Routes {
		h, ok := s.handlers[rt.Function]
		if !ok {
			if h, err = s.build(ctx, rt.Function); err != nil {
				return nil, err
			}
			s.handlers[rt.Function] = h
		}
		mux.Handle(pattern(rt.Method, rt.Path), h)
	}
	env, err := s.env("NotifierFunction")
	if err != nil {
		return nil, err
	}
	nh, err := notifierwire.New(ctx, env, s.meter.config(s.aws, "NotifierFunction"), s.meter.logger("NotifierFunction"))
	if err != nil {
		return nil, fmt.Errorf("build NotifierFunction: %w", err)
	}
	s.notifier = nh.Handle
	s.sqs = sqs.NewFromConfig(s.meter.config(s.aws, "event source mapping"))
	s.queueURL, s.queueARN = s.res.IDs["DeliveriesQueue"], s.res.ARNs["DeliveriesQueue"]

	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return nil, err
	}
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

// build makes an HTTP function's handler as its functions/<name>/main.go
// does in Lambda.
func (s *stack) build(ctx context.Context, function string) (http.Handler, error) {
	env, err := s.env(function)
	if err != nil {
		return nil, err
	}
	cfg, log := s.meter.config(s.aws, function), s.meter.logger(function)
	var h http.Handler
	switch function {
	case "InvoicingFunction":
		h, err = invoicingwire.New(ctx, env, cfg, log)
	case "PaymentsFunction":
		h, err = paymentswire.New(ctx, env, cfg, log)
	case "PortalFunction":
		h, err = portalwire.New(ctx, env, cfg, log)
	default:
		return nil, fmt.Errorf("template.yaml routes to %s, which the load stack does not know how to build", function)
	}
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", function, err)
	}
	return h, nil
}

// env is a function's environment as Lambda would see it, with the JWKS at
// moto and Stripe at stripe-mock.
func (s *stack) env(function string) (func(string) string, error) {
	env, err := s.res.Env(function)
	if err != nil {
		return nil, err
	}
	if pool := env["USER_POOL_ID"]; pool != "" {
		env["COGNITO_JWKS_URL"] = s.moto.Endpoint + "/" + pool + "/.well-known/jwks.json"
	}
	if env["STRIPE_KEY_PARAM"] != "" {
		env["STRIPE_API_BASE"] = s.stripe.URL
	}
	if _, ok := env["PUBLIC_BASE_URL"]; ok {
		env["PUBLIC_BASE_URL"] = s.URL
	}
	return func(k string) string { return env[k] }, nil
}

// putSecrets stores the Stripe secrets in moto's SSM under the names the
// template gives the functions.
func (s *stack) putSecrets(ctx context.Context) error {
	values := map[string]string{}
	for _, f := range s.tpl.Functions {
		env, err := s.res.Env(f.LogicalID)
		if err != nil {
			return err
		}
		if n := env["STRIPE_KEY_PARAM"]; n != "" {
			values[n] = stripeKey
		}
		if n := env["STRIPE_WEBHOOK_SECRET_PARAM"]; n != "" {
			values[n] = webhookSecret
		}
	}
	return provision.PutSecureStrings(ctx, s.aws, values)
}

// pattern turns an API Gateway route into a ServeMux pattern, as the local
// stack's router does.
func pattern(method, path string) string {
	if path == "$default" {
		return "/"
	}
	if path == "/" {
		path = "/{$}"
	}
	if i := strings.Index(path, "{proxy+}"); i >= 0 {
		path = path[:i]
	}
	if method == "ANY" {
		return path
	}
	return method + " " + path
}

// poll feeds the deliveries queue to the notifier in the background, as
// the event source mapping does, until stopPolling.
func (s *stack) poll() {
	ctx, cancel := context.WithCancel(context.Background())
	s.stopPoll = cancel
	s.polling.Add(1)
	go func() {
		defer s.polling.Done()
		for ctx.Err() == nil {
			n, err := s.pollOnce(ctx, 10)
			if n == 0 || err != nil {
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
		}
	}()
}

func (s *stack) stopPolling() {
	if s.stopPoll != nil {
		s.stopPoll()
		s.polling.Wait()
		s.stopPoll = nil
	}
}

// pollOnce receives up to max messages, hands them to the notifier and
// deletes those it handled.
func (s *stack) pollOnce(ctx context.Context, max int32) (int, error) {
	out, err := s.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: &s.queueURL, MaxNumberOfMessages: max,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"},
	})
	if err != nil || len(out.Messages) == 0 {
		return 0, err
	}
	resp, err := s.notifier(ctx, queue.Event(s.queueARN, out.Messages))
	if err != nil {
		return len(out.Messages), err
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	var done []sqstypes.DeleteMessageBatchRequestEntry
	for i, m := range out.Messages {
		if !failed[aws.ToString(m.MessageId)] {
			done = append(done, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
		}
	}
	if len(done) > 0 {
		if _, err := s.sqs.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &s.queueURL, Entries: done}); err != nil {
			return len(out.Messages), err
		}
	}
	return len(out.Messages), nil
}

func (s *stack) stop() {
	s.stopPolling()
	if s.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = s.srv.Shutdown(ctx)
		cancel()
	}
	if s.stripe != nil {
		s.stripe.Stop()
	}
	if s.moto != nil {
		s.moto.Stop()
	}
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	mu sync.Mutex
	n  int64
	w  io.Writer
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.n += int64(len(p))
	c.mu.Unlock()
	if c.w == nil {
		return len(p), nil
	}
	return c.w.Write(p)
}

func (c *countingWriter) bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
