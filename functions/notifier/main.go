// Command notifier consumes the deliveries queue: it emails invoices
// (PDF attached) through SES and texts pay links through SNS.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/carebill/carebill/internal/wire"
	"github.com/carebill/carebill/internal/wire/awsenv"
	"github.com/carebill/carebill/internal/wire/notifier"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "notifier:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := awsenv.Config(os.Getenv)
	if err != nil {
		return err
	}
	h, err := notifier.New(ctx, os.Getenv, cfg, wire.Logger(os.Getenv))
	if err != nil {
		return err
	}
	lambda.Start(h.Handle)
	return nil
}
