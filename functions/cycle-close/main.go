// Command cycle-close runs on an EventBridge schedule: it closes every
// org's due billing cycles, writing statements and locking invoices.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/carebill/carebill/internal/wire"
	"github.com/carebill/carebill/internal/wire/awsenv"
	"github.com/carebill/carebill/internal/wire/cycleclose"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "cycle-close:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := awsenv.Config(os.Getenv)
	if err != nil {
		return err
	}
	h, err := cycleclose.New(ctx, os.Getenv, cfg, wire.Logger(os.Getenv))
	if err != nil {
		return err
	}
	lambda.Start(h)
	return nil
}
