// Command documents serves the PDFs coordinators download (invoices,
// credit notes, receipts, statements) behind API Gateway.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/carebill/carebill/internal/wire"
	"github.com/carebill/carebill/internal/wire/awsenv"
	"github.com/carebill/carebill/internal/wire/documents"
	"github.com/carebill/carebill/internal/wire/httpfn"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "documents:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := awsenv.Config(os.Getenv)
	if err != nil {
		return err
	}
	h, err := documents.New(ctx, os.Getenv, cfg, wire.Logger(os.Getenv))
	if err != nil {
		return err
	}
	lambda.Start(httpfn.Handler(h))
	return nil
}
