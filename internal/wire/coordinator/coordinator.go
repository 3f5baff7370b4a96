// Package coordinator builds what every coordinator-facing function
// (invoicing, payments) builds first: storage, the billing service, the
// team and sign-in verification.
package coordinator

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/cognito"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/wire"
)

// Core is storage, the billing service and sign-in verification.
type Core struct {
	Store    *dynamo.Store
	Billing  *billing.Service
	Idem     *dynamo.Idempotency
	Verifier *auth.Verifier
	Dir      *cognito.Directory
	Team     *billing.Team
}

// New builds the Core from TABLE_NAME, IDEMPOTENCY_TABLE_NAME,
// USER_POOL_ID, USER_POOL_CLIENT_ID, COGNITO_ISSUER and optionally
// COGNITO_JWKS_URL (when the JWKS is not at the issuer, as with moto).
func New(env wire.Env, cfg aws.Config) (*Core, error) {
	if err := env.Require("TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "USER_POOL_ID", "USER_POOL_CLIENT_ID", "COGNITO_ISSUER"); err != nil {
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
	return &Core{Store: store, Billing: svc, Idem: idem, Verifier: verifier, Dir: dir, Team: team}, nil
}
