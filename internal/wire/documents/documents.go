// Package documents wires functions/documents.
package documents

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/documents"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/httpapi"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/wire"
)

// New builds functions/documents: every PDF a coordinator downloads
// (httpapi.NewDocuments), so that the invoicing and payments functions
// link no PDF renderer, shaper or fonts. It signs members in as they do
// (the Cognito ID token, checked against the member records) but invites
// and signs up no one, so it builds no Cognito client.
//
// Variables: TABLE_NAME, USER_POOL_CLIENT_ID (the tokens' audience),
// COGNITO_ISSUER, optionally COGNITO_JWKS_URL (when the JWKS is not at the
// issuer, as with moto), and CAREBILL_FONT_DIR, where the Chinese and
// Korean fonts are (default /opt/fonts, the fonts layer).
func New(_ context.Context, env wire.Env, cfg aws.Config, log *slog.Logger) (http.Handler, error) {
	if err := env.Require("TABLE_NAME", "USER_POOL_CLIENT_ID", "COGNITO_ISSUER"); err != nil {
		return nil, err
	}
	store, err := dynamo.New(dynamodb.NewFromConfig(cfg), env("TABLE_NAME"))
	if err != nil {
		return nil, err
	}
	verifier, err := auth.NewVerifier(auth.Config{
		Issuer: env("COGNITO_ISSUER"), Audience: env("USER_POOL_CLIENT_ID"), JWKSURL: env("COGNITO_JWKS_URL"),
	})
	if err != nil {
		return nil, err
	}
	// No one is invited or signed up here, so billing and the team need
	// no directory.
	svc, err := billing.New(store, nil, time.Now, id.New)
	if err != nil {
		return nil, err
	}
	team, err := billing.NewTeam(store, nil, time.Now)
	if err != nil {
		return nil, err
	}
	docs, err := documents.New(store)
	if err != nil {
		return nil, err
	}
	cycles, err := billing.NewCycles(store, time.Now, id.New, log)
	if err != nil {
		return nil, err
	}
	statements, err := billing.NewStatements(svc, store, cycles)
	if err != nil {
		return nil, err
	}
	return httpapi.NewDocuments(httpapi.DocumentsConfig{
		Documents: docs, Statements: statements, Team: team, Verifier: verifier, Log: log, Now: time.Now,
	})
}
