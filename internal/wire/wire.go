// Package wire builds each function's handler from its environment, the
// same way in Lambda (os.Getenv) and in the local stack (the environment
// template.yaml declares, resolved against moto).
package wire

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/cognito"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/httpapi"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/web"
)

// Env looks up a configuration variable.
type Env func(string) string

func (e Env) require(names ...string) error {
	var missing []string
	for _, n := range names {
		if e(n) == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing configuration: %s", strings.Join(missing, ", "))
	}
	return nil
}

// Logger is the JSON logger every function uses; LOG_LEVEL picks the level.
func Logger(env Env) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(env("LOG_LEVEL")))
	return slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level}))
}

// Invoicing builds functions/invoicing: the coordinator JSON API under
// /auth/ and /v1/, and the hosted UI (internal/web) for every other path.
//
// Variables: TABLE_NAME, IDEMPOTENCY_TABLE_NAME, USER_POOL_ID,
// USER_POOL_CLIENT_ID, COGNITO_ISSUER, DELIVERIES_QUEUE_URL (where sends
// queue their deliveries for the notifier), RUNS_QUEUE_URL and RUNS_DLQ_URL
// (invoice runs and their dead-letter queue), PUBLIC_BASE_URL (where clients
// reach pay pages: links are never built from a request's Host), and
// optionally COGNITO_JWKS_URL (when the JWKS is not at the issuer, as with
// moto).
func Invoicing(ctx context.Context, env Env, cfg aws.Config, log *slog.Logger) (http.Handler, error) {
	if err := env.require("DELIVERIES_QUEUE_URL", "PUBLIC_BASE_URL"); err != nil {
		return nil, err
	}
	c, err := newCore(env, cfg)
	if err != nil {
		return nil, err
	}
	deliveries, err := queue.NewDeliveries(sqs.NewFromConfig(cfg), env("DELIVERIES_QUEUE_URL"))
	if err != nil {
		return nil, err
	}
	sender, err := billing.NewSender(c.billing, c.store, deliveries)
	if err != nil {
		return nil, err
	}
	receipts, err := billing.NewReceipts(c.billing, c.store, deliveries)
	if err != nil {
		return nil, err
	}
	parked, err := billing.NewParkedCards(c.billing, c.store)
	if err != nil {
		return nil, err
	}
	accounts, err := billing.NewAccounts(c.billing, c.store)
	if err != nil {
		return nil, err
	}
	reversals, err := billing.NewReversals(c.billing, c.store)
	if err != nil {
		return nil, err
	}
	cycles, err := billing.NewCycles(c.store, time.Now, id.New, log)
	if err != nil {
		return nil, err
	}
	statements, err := billing.NewStatements(c.billing, c.store, cycles)
	if err != nil {
		return nil, err
	}
	statementSender, err := billing.NewStatementSender(c.billing, c.store, deliveries)
	if err != nil {
		return nil, err
	}
	exporter, err := billing.NewExporter(c.store, time.Now)
	if err != nil {
		return nil, err
	}
	sessions, err := billing.NewSessions(c.billing, c.store, sender)
	if err != nil {
		return nil, err
	}
	caseWork, err := billing.NewCases(c.billing, c.store)
	if err != nil {
		return nil, err
	}
	dashboards, err := billing.NewDashboards(c.billing, c.store)
	if err != nil {
		return nil, err
	}
	coordination, err := billing.NewCoordination(c.billing, c.store)
	if err != nil {
		return nil, err
	}
	recurringWork, err := billing.NewRecurring(c.billing, c.store, log)
	if err != nil {
		return nil, err
	}
	runsQ, err := runsQueue(env, cfg)
	if err != nil {
		return nil, err
	}
	runs, err := billing.NewRuns(c.billing, c.store, runsQ, nil, "")
	if err != nil {
		return nil, err
	}
	api, err := httpapi.New(httpapi.Config{
		Billing: c.billing, Sender: sender, Team: c.team, Accounts: accounts, Reversals: reversals, Receipts: receipts, Parked: parked, Cycles: cycles, Statements: statements, StatementSender: statementSender, Exporter: exporter, Sessions: sessions, Cases: caseWork, Dashboards: dashboards, Coordination: coordination, Runs: runs, Recurring: recurringWork, Verifier: c.verifier, Idempotency: c.idem, Log: log, Now: time.Now, PublicBaseURL: env("PUBLIC_BASE_URL"),
		Login: func(ctx context.Context, email, password, newPassword string) (string, time.Duration, error) {
			t, err := c.dir.LoginSettingPassword(ctx, email, password, newPassword)
			return t.IDToken, t.ExpiresIn, err
		},
	})
	if err != nil {
		return nil, err
	}
	ui, err := web.New(log)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/auth/", api)
	mux.Handle("/v1/", api)
	mux.Handle("/", ui)
	return mux, nil
}

// core is what every coordinator-facing function builds first: storage,
// the billing service and sign-in verification.
type core struct {
	store    *dynamo.Store
	billing  *billing.Service
	idem     *dynamo.Idempotency
	verifier *auth.Verifier
	dir      *cognito.Directory
	team     *billing.Team
}

func newCore(env Env, cfg aws.Config) (*core, error) {
	if err := env.require("TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "USER_POOL_ID", "USER_POOL_CLIENT_ID", "COGNITO_ISSUER"); err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(cfg)
	store, err := dynamo.New(db, env("TABLE_NAME"))
	if err != nil {
		return nil, err
	}
	idem, err := dynamo.NewIdempotency(db, env("IDEMPOTENCY_TABLE_NAME"))
	if err != nil {
		return nil, err
	}
	dir, err := cognito.New(cip.NewFromConfig(cfg), env("USER_POOL_ID"), env("USER_POOL_CLIENT_ID"))
	if err != nil {
		return nil, err
	}
	verifier, err := auth.NewVerifier(auth.Config{
		Issuer: env("COGNITO_ISSUER"), Audience: env("USER_POOL_CLIENT_ID"), JWKSURL: env("COGNITO_JWKS_URL"),
	})
	if err != nil {
		return nil, err
	}
	svc, err := billing.New(store, dir, time.Now, id.New)
	if err != nil {
		return nil, err
	}
	team, err := billing.NewTeam(store, dir, time.Now)
	if err != nil {
		return nil, err
	}
	return &core{store: store, billing: svc, idem: idem, verifier: verifier, dir: dir, team: team}, nil
}
