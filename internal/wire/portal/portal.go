// Package portal wires functions/portal.
package portal

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/clientauth"
	"github.com/carebill/carebill/internal/documents"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/portal"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/wire"
)

// New builds functions/portal: the pay pages pay links open and the
// client portal, whose sign-in requests go on the deliveries queue for the
// notifier to email (the request itself sends nothing).
//
// Variables: TABLE_NAME, DELIVERIES_QUEUE_URL and PUBLIC_BASE_URL (where
// clients reach the portal, for the links in sign-in emails; never the
// request's Host).
func New(ctx context.Context, env wire.Env, cfg aws.Config, log *slog.Logger) (http.Handler, error) {
	return NewWithClock(ctx, env, cfg, log, time.Now)
}

// NewWithClock is Portal with the clock sign-in links and sessions
// expire by (tests move it on).
func NewWithClock(_ context.Context, env wire.Env, cfg aws.Config, log *slog.Logger, now func() time.Time) (http.Handler, error) {
	if err := env.Require("TABLE_NAME", "DELIVERIES_QUEUE_URL", "PUBLIC_BASE_URL"); err != nil {
		return nil, err
	}
	store, err := dynamo.New(dynamodb.NewFromConfig(cfg), env("TABLE_NAME"))
	if err != nil {
		return nil, err
	}
	// The portal signs no coordinator up, so billing needs no directory here.
	svc, err := billing.New(store, nil, now, id.New)
	if err != nil {
		return nil, err
	}
	deliveries, err := queue.NewDeliveries(sqs.NewFromConfig(cfg), env("DELIVERIES_QUEUE_URL"))
	if err != nil {
		return nil, err
	}
	docs, err := documents.New(store)
	if err != nil {
		return nil, err
	}
	access, err := clientauth.New(store, deliveries, docs.InvoicePDF, now)
	if err != nil {
		return nil, err
	}
	cycles, err := billing.NewCycles(store, now, id.New, log)
	if err != nil {
		return nil, err
	}
	statements, err := billing.NewStatements(svc, store, cycles)
	if err != nil {
		return nil, err
	}
	return portal.New(portal.Config{PayLinks: svc, PDF: docs.InvoicePDF, Access: access, Statements: portalStatements{statements, docs}, Log: log, PublicBaseURL: env("PUBLIC_BASE_URL")})
}

// portalStatements are the portal's statements: listed by billing,
// printed by documents.
type portalStatements struct {
	*billing.Statements
	*documents.Renderer
}
