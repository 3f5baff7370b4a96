// Package payments wires functions/payments.
package payments

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/cardpay"
	"github.com/carebill/carebill/internal/httpapi"
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
// endpoint's signing secret (read once, here, at cold start; the values
// are never in the template or the environment), and optionally
// STRIPE_API_BASE (another Stripe API address: stripe-mock locally).
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
	params := ssm.NewFromConfig(cfg)
	key, err := secureParameter(ctx, params, env("STRIPE_KEY_PARAM"))
	if err != nil {
		return nil, err
	}
	secret, err := secureParameter(ctx, params, env("STRIPE_WEBHOOK_SECRET_PARAM"))
	if err != nil {
		return nil, err
	}
	cards, err := cardpay.New(cardpay.Config{APIKey: key, WebhookSecret: secret, APIBase: env("STRIPE_API_BASE"), HTTPClient: stripeHTTP})
	if err != nil {
		return nil, err
	}
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
		Billing: c.Billing, Checkout: checkout, Reversals: reversals, Team: c.Team, Disputes: disputes, Receipts: receipts, Parked: parked, CardEvents: cards, Verifier: c.Verifier, Idempotency: c.Idem,
		Log: log, Now: time.Now, PublicBaseURL: env("PUBLIC_BASE_URL"),
	})
}

// secureParameter reads one SSM parameter, decrypted.
func secureParameter(ctx context.Context, api *ssm.Client, name string) (string, error) {
	out, err := api.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("read SSM parameter %s: %w", name, err)
	}
	if out.Parameter == nil || aws.ToString(out.Parameter.Value) == "" {
		return "", fmt.Errorf("SSM parameter %s is empty", name)
	}
	return aws.ToString(out.Parameter.Value), nil
}
