package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/carebill/carebill/infra/local/localstack"
	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/motoserver"
	"github.com/carebill/carebill/internal/stripemock"
)

// Stripe secrets for the stand-in: stripe-mock takes any test key.
const (
	stripeKey     = "sk_test_carebillload"
	webhookSecret = "whsec_carebill_load"
)

// stack is the local stack as `make dev` runs it (both build it with
// infra/local/localstack): moto and stripe-mock as child processes on
// free 127.0.0.1 ports, every resource of template.yaml created in moto,
// the three HTTP functions served on one port under the template's
// routes, and the notifier fed from the deliveries queue. Each function's AWS clients count their requests in
// meter, and its log lines (JSON at INFO, as the template configures
// Lambda) are counted in bytes.
type stack struct {
	URL   string
	meter *meter

	moto   *motoserver.Server
	stripe *stripemock.Server
	srv    *http.Server

	handlers map[string]http.Handler // function → its handler
	// deliveries feeds the deliveries queue to the notifier, its
	// receives and deletes counted as the event source mapping's.
	deliveries *localstack.Poller

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
	s := &stack{meter: newMeter()}
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
	cfg, err := localstack.AWSConfig(ctx, s.moto.Endpoint, "load")
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(tplPath)
	if err != nil {
		return nil, err
	}
	tpl, err := provision.Load(abs)
	if err != nil {
		return nil, err
	}
	res, err := tpl.Provision(ctx, cfg, "load-")
	if err != nil {
		return nil, fmt.Errorf("create the template's resources in moto: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s.URL = fmt.Sprintf("http://127.0.0.1:%d", port)
	local := &localstack.Stack{Template: tpl, Resources: res, AWS: cfg, MotoURL: s.moto.Endpoint, StripeURL: s.stripe.URL,
		BaseURL: s.URL, AWSFor: func(function string) aws.Config { return s.meter.config(cfg, function) }, Logger: s.meter.logger}
	if err := local.PutSecrets(ctx, stripeKey, webhookSecret); err != nil {
		return nil, err
	}
	if s.handlers, err = local.Handlers(ctx); err != nil {
		return nil, err
	}
	mux := local.Mux(s.handlers)
	s.deliveries, err = local.Poller(ctx, sqs.NewFromConfig(s.meter.config(cfg, "event source mapping")), "DeliveriesQueue")
	if err != nil {
		return nil, err
	}
	// What the event source mapping logs is AWS's, not the function's.
	s.deliveries.Log = slog.New(slog.DiscardHandler)

	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return nil, err
	}
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
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
			n, err := s.deliveries.Once(ctx)
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
