// Package portal wires functions/portal.
package portal

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/clientauth"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/email/sesmail"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/portal"
	"github.com/carebill/carebill/internal/wire"
)

// New builds functions/portal: the pay pages pay links open and the
// client portal, whose sign-in links go out through SES.
//
// Variables: TABLE_NAME, SENDER_EMAIL (the From address of sign-in
// emails, a verified SES identity) and PUBLIC_BASE_URL (where clients reach
// the portal, for the links in those emails; never the request's Host).
func New(ctx context.Context, env wire.Env, cfg aws.Config, log *slog.Logger) (http.Handler, error) {
	return NewWithClock(ctx, env, cfg, log, time.Now)
}

// NewWithClock is New with the clock sign-in links and sessions
// expire by (tests move it on).
func NewWithClock(_ context.Context, env wire.Env, cfg aws.Config, log *slog.Logger, now func() time.Time) (http.Handler, error) {
	if err := env.Require("TABLE_NAME", "SENDER_EMAIL", "PUBLIC_BASE_URL"); err != nil {
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
	ses, err := sesmail.New(sesv2.NewFromConfig(cfg))
	if err != nil {
		return nil, err
	}
	mailer, err := portal.NewSignInMailer(ses, env("SENDER_EMAIL"))
	if err != nil {
		return nil, err
	}
	render := func(ctx context.Context, orgID, invoiceID string) ([]byte, *invoice.Invoice, error) {
		return svc.InvoicePDF(ctx, orgID, invoiceID)
	}
	access, err := clientauth.New(store, mailer, render, now)
	if err != nil {
		return nil, err
	}
	return portal.New(portal.Config{PayLinks: svc, PDF: render, Access: access, Log: log, PublicBaseURL: env("PUBLIC_BASE_URL")})
}
