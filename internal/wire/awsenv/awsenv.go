// Package awsenv builds a function's AWS configuration from its Lambda
// environment. It is its own package, not part of wire, so that a
// function calling no AWS service (functions/web) links none of the SDK.
package awsenv

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/carebill/carebill/internal/wire"
)

// Config is the AWS configuration of a function running in Lambda,
// built from the variables Lambda sets in every execution environment
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime):
// AWS_REGION, and the execution role's temporary credentials in
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, set for the execution
// environment's life (the "environment variables" credential source the
// default chain would pick first in Lambda anyway). AWS_ENDPOINT_URL,
// when set, sends every client to one endpoint (the start-up bench's
// stand-in).
//
// It replaces config.LoadDefaultConfig in the functions' mains: that
// resolves the whole default chain (shared config and credentials files,
// SSO, web identity, assume-role, IMDS), which links the config package
// with the STS, SSO, SSO-OIDC, sign-in and IMDS clients (1.5–1.8 MiB of
// each function's arm64 binary, BENCHMARKS.md) and reads
// files at every cold start, for credentials Lambda already hands over in
// the environment. Fields left zero take each client's own defaults: its
// HTTP client, the standard retryer (3 attempts), its endpoint resolver.
// Tests and the local stack build their configuration with the config
// package as before; they are not Lambda binaries.
//
// Errors: a missing region or access key, named.
func Config(env wire.Env) (aws.Config, error) {
	region := env("AWS_REGION")
	if region == "" {
		region = env("AWS_DEFAULT_REGION")
	}
	if region == "" {
		return aws.Config{}, fmt.Errorf("aws config: missing AWS_REGION")
	}
	if err := env.Require("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"); err != nil {
		return aws.Config{}, fmt.Errorf("aws config: %w", err)
	}
	cfg := aws.Config{
		Region: region,
		Credentials: credentials.NewStaticCredentialsProvider(
			env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"), env("AWS_SESSION_TOKEN")),
	}
	if endpoint := env("AWS_ENDPOINT_URL"); endpoint != "" {
		cfg.BaseEndpoint = aws.String(endpoint)
	}
	return cfg, nil
}
