// Package payments wires functions/payments.
package payments

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/card"
	"github.com/carebill/carebill/internal/cardpay"
	"github.com/carebill/carebill/internal/httpapi"
	"github.com/carebill/carebill/internal/paramext"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/wire"
	"github.com/carebill/carebill/internal/wire/coordinator"
)

// New builds functions/payments: the coordinator payment routes, card
// checkout from pay links, and Stripe's webhook.
//
// Variables: those of Invoicing (DELIVERIES_QUEUE_URL takes receipt
// emails), plus STRIPE_KEY_PARAM and
// STRIPE_WEBHOOK_SECRET_PARAM, the names of the SSM SecureString
// parameters holding the operator's Stripe secret key and the webhook
// endpoint's signing secret (read once, at the first card checkout or
// webhook, not at cold start: most requests record or list payments and
// need no Stripe; the values are never in the template or the
// environment), read through the Parameters and Secrets Lambda Extension
// (paramext: AWS_SESSION_TOKEN, and PARAMETERS_SECRETS_EXTENSION_HTTP_PORT
// when not 2773), and optionally STRIPE_API_BASE (another Stripe API
// address: stripe-mock locally).
func New(ctx context.Context, env wire.Env, cfg aws.Config, log *slog.Logger) (http.Handler, error) {
	return NewWithStripeClient(ctx, env, cfg, log, &http.Client{Timeout: StripeTimeout})
}

// StripeTimeout bounds each call to Stripe's API. stripe-go retries a
// failed call twice with the same idempotency key, so a checkout that
// cannot start answers within API Gateway's 29 seconds.
const StripeTimeout = 8 * time.Second

// NewWithStripeClient is New with the HTTP client Stripe's API is called
// through (tests put a faulty transport in it).
func NewWithStripeClient(ctx context.Context, env wire.Env, cfg aws.Config, log *slog.Logger, stripeHTTP *http.Client) (http.Handler, error) {
	if err := env.Require("STRIPE_KEY_PARAM", "STRIPE_WEBHOOK_SECRET_PARAM", "PUBLIC_BASE_URL", "DELIVERIES_QUEUE_URL"); err != nil {
		return nil, err
	}
	c, err := coordinator.New(env, cfg)
	if err != nil {
		return nil, err
	}
	params, err := paramext.FromEnv(env)
	if err != nil {
		return nil, err
	}
	keyParam, secretParam, apiBase := env("STRIPE_KEY_PARAM"), env("STRIPE_WEBHOOK_SECRET_PARAM"), env("STRIPE_API_BASE")
	cards := &stripeCards{log: log, load: func(ctx context.Context) (*cardpay.Stripe, error) {
		key, err := params.SecureString(ctx, keyParam)
		if err != nil {
			return nil, err
		}
		secret, err := params.SecureString(ctx, secretParam)
		if err != nil {
			return nil, err
		}
		return cardpay.New(cardpay.Config{APIKey: key, WebhookSecret: secret, APIBase: apiBase, HTTPClient: stripeHTTP})
	}}
	checkout, err := billing.NewCheckout(c.Billing, cards)
	if err != nil {
		return nil, err
	}
	reversals, err := billing.NewReversals(c.Billing, c.Store)
	if err != nil {
		return nil, err
	}
	disputes, err := billing.NewCardDisputes(c.Billing, c.Store)
	if err != nil {
		return nil, err
	}
	deliveries, err := queue.NewDeliveries(sqs.NewFromConfig(cfg), env("DELIVERIES_QUEUE_URL"))
	if err != nil {
		return nil, err
	}
	receipts, err := billing.NewReceipts(c.Billing, c.Store, deliveries)
	if err != nil {
		return nil, err
	}
	parked, err := billing.NewParkedCards(c.Billing, c.Store)
	if err != nil {
		return nil, err
	}
	return httpapi.NewPayments(httpapi.PaymentsConfig{
		Billing: c.Billing, Checkout: checkout, Reversals: reversals, Team: c.Team, Disputes: disputes, Receipts: receipts, Parked: parked, CardEvents: cards, Verifier: c.Verifier, Idempotency: c.Idem, Requests: c.Store,
		Log: log, Now: time.Now, PublicBaseURL: env("PUBLIC_BASE_URL"),
	})
}

// stripeCards is the Stripe card processor, built on its first use from
// the credentials in SSM. A failed read is logged, answers
// card.ErrUnavailable (503: Stripe retries its webhooks, the client is
// asked to try again) and is tried again on the next card request.
type stripeCards struct {
	log  *slog.Logger
	load func(context.Context) (*cardpay.Stripe, error)

	mu    sync.Mutex
	cards *cardpay.Stripe
}

// ssmTimeout bounds the credential read of a webhook delivery, which
// carries no request context of its own to ParseEvent.
const ssmTimeout = 10 * time.Second

func (s *stripeCards) get(ctx context.Context) (*cardpay.Stripe, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cards != nil {
		return s.cards, nil
	}
	c, err := s.load(ctx)
	if err != nil {
		s.log.ErrorContext(ctx, "stripe credentials", slog.String("error", err.Error()))
		return nil, fmt.Errorf("stripe credentials: %w: %w", card.ErrUnavailable, err)
	}
	s.cards = c
	return c, nil
}

// CreateCheckout is cardpay.Stripe's, once the credentials are read.
func (s *stripeCards) CreateCheckout(ctx context.Context, req payment.CheckoutRequest) (payment.CheckoutSession, error) {
	c, err := s.get(ctx)
	if err != nil {
		return payment.CheckoutSession{}, err
	}
	return c.CreateCheckout(ctx, req)
}

// ParseEvent is cardpay.Stripe's, once the credentials are read.
func (s *stripeCards) ParseEvent(payload []byte, signature string) (payment.CardEvent, error) {
	ctx, cancel := context.WithTimeout(context.Background(), ssmTimeout)
	defer cancel()
	c, err := s.get(ctx)
	if err != nil {
		return payment.CardEvent{}, err
	}
	return c.ParseEvent(payload, signature)
}
