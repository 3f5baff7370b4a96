// Command invoicing is the coordinator JSON API behind API Gateway (the
// hosted UI is functions/web).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/carebill/carebill/internal/wire"
	"github.com/carebill/carebill/internal/wire/awsenv"
	"github.com/carebill/carebill/internal/wire/httpfn"
	"github.com/carebill/carebill/internal/wire/invoicing"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "invoicing:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := awsenv.Config(os.Getenv)
	if err != nil {
		return err
	}
	h, err := invoicing.New(ctx, os.Getenv, cfg, wire.Logger(os.Getenv))
	if err != nil {
		return err
	}
	lambda.Start(httpfn.Handler(h))
	return nil
}
