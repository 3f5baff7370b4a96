// Package httpfn serves an http.Handler as an API Gateway HTTP API
// (payload format 2.0) Lambda handler, the one entry every HTTP function's
// main uses.
package httpfn

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/carebill/carebill/internal/requestlog"
)

// Handler adapts h. Every line logged with the request's context carries
// API Gateway's request id and route key (and, through requestlog,
// Lambda's request id).
func Handler(h http.Handler) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	adapter := httpadapter.NewV2(h)
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		ctx = requestlog.With(ctx,
			slog.String(requestlog.APIRequestID, ev.RequestContext.RequestID),
			slog.String(requestlog.Route, ev.RouteKey))
		return adapter.ProxyWithContext(ctx, ev)
	}
}
