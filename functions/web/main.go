// Command web is the coordinator's hosted UI behind API Gateway: GET /,
// /app/… and /static/…. It calls no AWS service, so it builds no AWS
// configuration.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/carebill/carebill/internal/wire"
	"github.com/carebill/carebill/internal/wire/httpfn"
	"github.com/carebill/carebill/internal/wire/web"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "web:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	h, err := web.New(ctx, os.Getenv, wire.Logger(os.Getenv))
	if err != nil {
		return err
	}
	lambda.Start(httpfn.Handler(h))
	return nil
}
