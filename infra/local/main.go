// Command local runs the whole of carebill on one machine: moto stands in
// for AWS, everything template.yaml declares is created in it, a demo org is
// seeded, every HTTP function's handler is served on one port under the
// paths the template gives it, every queue function is fed its queue's
// messages, and /dev/outbox shows the emails and texts moto captured.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/carebill/carebill/infra/local/localstack"
	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/motoserver"
	"github.com/carebill/carebill/internal/stripemock"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

func envInt(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("%s=%q is not a port number", name, v)
	}
	return n, nil
}

func run() error {
	tplPath := flag.String("template", "template.yaml", "the SAM template to stand up")
	flag.Parse()
	port, err := envInt("PORT", 3000)
	if err != nil {
		return err
	}
	motoPort, err := envInt("MOTO_PORT", 4566)
	if err != nil {
		return err
	}
	stripePort, err := envInt("STRIPE_MOCK_PORT", 12111)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	moto, err := motoserver.Start(motoPort)
	if err != nil {
		return err
	}
	defer moto.Stop()
	log.Info("moto running", "endpoint", moto.Endpoint)
	stripe, err := stripemock.Start(stripePort)
	if err != nil {
		return err
	}
	defer stripe.Stop()
	log.Info("stripe-mock running", "endpoint", stripe.URL)

	cfg, err := localstack.AWSConfig(ctx, moto.Endpoint, "local")
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(*tplPath)
	tpl, err := provision.Load(abs)
	if err != nil {
		return err
	}
	res, err := tpl.Provision(ctx, cfg, "carebill-")
	if err != nil {
		return fmt.Errorf("create the template's resources in moto: %w", err)
	}
	// Links are built only from PUBLIC_BASE_URL (the template parameter a
	// deployment must set); locally it is this server, unless set.
	baseURL := os.Getenv("PUBLIC_BASE_URL")
	if baseURL == "" {
		baseURL = fmt.Sprintf("http://localhost:%d", port)
	}
	// The payments function reaches stripe-mock through the stand-in
	// checkout's front, which hands out sessions payable on this stack.
	co := newCheckout(stripe.URL, localWebhookSecret)
	co.public = baseURL
	co.webhooks = fmt.Sprintf("http://127.0.0.1:%d/webhooks/stripe", port)
	front, err := co.front(ctx)
	if err != nil {
		return err
	}
	st := &stack{tpl: tpl, res: res, aws: cfg, moto: moto.Endpoint, stripe: front, baseURL: baseURL, log: log, invites: newInvitations(cfg)}
	if err := st.putSecrets(ctx); err != nil {
		return err
	}
	handler, err := st.router(ctx)
	if err != nil {
		return err
	}
	pollers, err := st.pollers(ctx)
	if err != nil {
		return err
	}
	tickers, err := st.tickers(ctx)
	if err != nil {
		return err
	}
	demo, err := st.seed(ctx)
	if err != nil {
		return fmt.Errorf("seed the demo org: %w", err)
	}

	for _, p := range pollers {
		go p.Run(ctx)
	}
	for _, t := range tickers {
		go t.run(ctx)
	}
	root := http.NewServeMux()
	(&outbox{moto: moto.Endpoint, http: &http.Client{Timeout: 60 * time.Second}}).routes(root)
	co.routes(root)
	scheduleRoutes(root, tickers)
	root.Handle("/", handler)

	srv := &http.Server{Addr: fmt.Sprintf("127.0.0.1:%d", port), Handler: root, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	fmt.Printf(`
carebill is running locally.

  API        http://localhost:%d   (routes from %s)
  Outbox     http://localhost:%d/dev/outbox   (emails and texts sent, with their pay links; invited members' temporary passwords)
  Schedules  http://localhost:%d/dev/schedules   (billing cycles close here at the template's rate; "Run now")
  AWS (moto) %s
  Stripe     %s   (stripe-mock; webhooks signed with %s)
  Checkout   pay links' "Pay now" opens a local test checkout whose Pay and Decline send signed webhooks

  Demo sign-in
    email     %s
    password  %s

  Try it:
    TOKEN=$(curl -s localhost:%d/auth/login -H 'Content-Type: application/json' -d '{"email":"%s","password":"%s"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
    curl -s localhost:%d/v1/clients -H "Authorization: Bearer $TOKEN"

Ctrl-C stops everything.
`, port, filepath.Base(abs), port, port, moto.Endpoint, stripe.URL, localWebhookSecret, demo.email, demo.password, port, demo.email, demo.password, port)

	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// stack is the local stand-in for one deployed stack.
type stack struct {
	tpl    *provision.Template
	res    *provision.Resources
	aws    aws.Config
	moto   string
	stripe string // stripe-mock's API base
	// baseURL is PUBLIC_BASE_URL for every function that builds links.
	baseURL string
	log     *slog.Logger
	// record, when set, gives each function's AWS config (tests record
	// its operations to check them against its IAM policy).
	record func(function string) aws.Config
	// invites, when set, stands in for Cognito's invitation email
	// (invitations.go).
	invites *invitations
}

// awsFor is the AWS config function's clients are built from.
func (s *stack) awsFor(function string) aws.Config {
	cfg := s.aws
	if s.record != nil {
		cfg = s.record(function)
	}
	if s.invites != nil {
		cfg = s.invites.on(cfg)
	}
	return cfg
}

// shared is the stack as localstack sees it: env, router and pollers are
// the ones the load test uses too.
func (s *stack) shared() *localstack.Stack {
	return &localstack.Stack{Template: s.tpl, Resources: s.res, AWS: s.aws, MotoURL: s.moto, StripeURL: s.stripe,
		BaseURL: s.baseURL, AWSFor: s.awsFor, Logger: func(string) *slog.Logger { return s.log }}
}

// env is a function's environment as Lambda would see it; the JWKS lives
// at moto's address rather than at the issuer.
func (s *stack) env(function string) (func(string) string, error) { return s.shared().Env(function) }

// router mounts every route of template.yaml on one mux.
func (s *stack) router(ctx context.Context) (http.Handler, error) { return s.shared().Router(ctx) }

// poller stands in for one SQS event source mapping.
type poller = localstack.Poller

// pollers builds, for every SQS event of template.yaml, a poller that feeds
// the queue's messages to its function's handler.
func (s *stack) pollers(ctx context.Context) ([]*poller, error) {
	return s.shared().Pollers(ctx, sqs.NewFromConfig(s.aws))
}

// Local Stripe secrets: stripe-mock takes any test key, and webhooks sent
// to the local stack must be signed with this secret.
const (
	localStripeKey     = "sk_test_carebilllocal"
	localWebhookSecret = "whsec_carebill_local"
)

// putSecrets stores the Stripe secrets in moto's SSM under the names the
// template gives the functions, as an operator does in AWS before deploying.
func (s *stack) putSecrets(ctx context.Context) error {
	return s.shared().PutSecrets(ctx, localStripeKey, localWebhookSecret)
}
