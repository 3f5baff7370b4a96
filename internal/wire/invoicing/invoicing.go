// Package invoicing wires functions/invoicing.
package invoicing

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/httpapi"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/wire"
	"github.com/carebill/carebill/internal/wire/coordinator"
)

// New builds functions/invoicing: the coordinator JSON API under
// /auth/ and /v1/. The hosted UI is functions/web's (wire/web).
//
// Variables: TABLE_NAME, IDEMPOTENCY_TABLE_NAME, USER_POOL_ID,
// USER_POOL_CLIENT_ID, COGNITO_ISSUER, DELIVERIES_QUEUE_URL (where sends
// queue their deliveries for the notifier), RUNS_QUEUE_URL and RUNS_DLQ_URL
// (invoice runs and their dead-letter queue), PUBLIC_BASE_URL (where clients
// reach pay pages: links are never built from a request's Host), and
// optionally COGNITO_JWKS_URL (when the JWKS is not at the issuer, as with
// moto).
func New(ctx context.Context, env wire.Env, cfg aws.Config, log *slog.Logger) (http.Handler, error) {
	return NewWithClock(ctx, env, cfg, log, time.Now)
}

// NewWithClock is New with the API's clock given: the one Idempotency-Key
// records are read against (their in-progress expiry), so a test can let
// it pass without waiting.
func NewWithClock(ctx context.Context, env wire.Env, cfg aws.Config, log *slog.Logger, now func() time.Time) (http.Handler, error) {
	if err := env.Require("DELIVERIES_QUEUE_URL", "PUBLIC_BASE_URL"); err != nil {
		return nil, err
	}
	c, err := coordinator.New(env, cfg)
	if err != nil {
		return nil, err
	}
	deliveries, err := queue.NewDeliveries(sqs.NewFromConfig(cfg), env("DELIVERIES_QUEUE_URL"))
	if err != nil {
		return nil, err
	}
	sender, err := billing.NewSender(c.Billing, c.Store, deliveries)
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
	accounts, err := billing.NewAccounts(c.Billing, c.Store)
	if err != nil {
		return nil, err
	}
	reversals, err := billing.NewReversals(c.Billing, c.Store)
	if err != nil {
		return nil, err
	}
	cycles, err := billing.NewCycles(c.Store, time.Now, id.New, log)
	if err != nil {
		return nil, err
	}
	statements, err := billing.NewStatements(c.Billing, c.Store, cycles)
	if err != nil {
		return nil, err
	}
	statementSender, err := billing.NewStatementSender(c.Billing, c.Store, deliveries)
	if err != nil {
		return nil, err
	}
	// "Run now" closes as the schedule does, sending statements if the
	// org asks.
	cycles.AtClose = statementSender.AtClose(env("PUBLIC_BASE_URL"))
	exporter, err := billing.NewExporter(c.Store, time.Now)
	if err != nil {
		return nil, err
	}
	sessions, err := billing.NewSessions(c.Billing, c.Store, sender)
	if err != nil {
		return nil, err
	}
	caseWork, err := billing.NewCases(c.Billing, c.Store)
	if err != nil {
		return nil, err
	}
	dashboards, err := billing.NewDashboards(c.Billing, c.Store)
	if err != nil {
		return nil, err
	}
	coordination, err := billing.NewCoordination(c.Billing, c.Store)
	if err != nil {
		return nil, err
	}
	recurringWork, err := billing.NewRecurring(c.Billing, c.Store, log)
	if err != nil {
		return nil, err
	}
	runsQ, err := runsQueue(env, cfg)
	if err != nil {
		return nil, err
	}
	runs, err := billing.NewRuns(c.Billing, c.Store, runsQ, nil, "")
	if err != nil {
		return nil, err
	}
	api, err := httpapi.New(httpapi.Config{
		Billing: c.Billing, Sender: sender, Team: c.Team, Accounts: accounts, Reversals: reversals, Receipts: receipts, Parked: parked, Cycles: cycles, Statements: statements, StatementSender: statementSender, Exporter: exporter, Sessions: sessions, Cases: caseWork, Dashboards: dashboards, Coordination: coordination, Runs: runs, Recurring: recurringWork, Verifier: c.Verifier, Idempotency: c.Idem, Requests: c.Store, Log: log, Now: now, PublicBaseURL: env("PUBLIC_BASE_URL"),
		Login: func(ctx context.Context, email, password, newPassword string) (string, time.Duration, error) {
			t, err := c.Dir.LoginSettingPassword(ctx, email, password, newPassword)
			return t.IDToken, t.ExpiresIn, err
		},
	})
	if err != nil {
		return nil, err
	}
	return api, nil
}

// runsQueue is the runs queue and its dead-letter queue from
// RUNS_QUEUE_URL and RUNS_DLQ_URL.
func runsQueue(env wire.Env, cfg aws.Config) (*queue.Runs, error) {
	if err := env.Require("RUNS_QUEUE_URL", "RUNS_DLQ_URL"); err != nil {
		return nil, err
	}
	return queue.NewRuns(sqs.NewFromConfig(cfg), env("RUNS_QUEUE_URL"), env("RUNS_DLQ_URL"))
}
