// Command portal serves clients behind API Gateway: the pay pages that
// pay links open and the client portal.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/carebill/carebill/internal/wire"
	"github.com/carebill/carebill/internal/wire/awsenv"
	"github.com/carebill/carebill/internal/wire/httpfn"
	"github.com/carebill/carebill/internal/wire/portal"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "portal:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := awsenv.Config(os.Getenv)
	if err != nil {
		return err
	}
	h, err := portal.New(ctx, os.Getenv, cfg, wire.Logger(os.Getenv))
	if err != nil {
		return err
	}
	lambda.Start(httpfn.Handler(h))
	return nil
}
