// Package requestlog makes every log line of a request or message carry
// what an operator follows it by: Lambda's request id, API Gateway's
// request id and route, the queue and message, and the org once known.
//
// Transport code adds attributes to the context as it learns them (With);
// Handler, wrapped around the JSON handler every function logs through,
// writes them into each record logged with that context (the *Context
// logging methods). Lambda's own request id is read from the invocation's
// context, so every function gets it without doing anything.
package requestlog

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Attribute keys used across carebill's logs.
const (
	// LambdaRequestID is the invocation's AWS request id (Lambda's own
	// START/END/REPORT lines carry the same).
	LambdaRequestID = "lambdaRequestId"
	// APIRequestID is API Gateway's request id, as in its access log.
	APIRequestID = "apiRequestId"
	// Route is API Gateway's route key ("POST /v1/invoices"), or the
	// router's pattern where there is no API Gateway.
	Route = "route"
	// Queue names the queue a message came from.
	Queue = "queue"
	// MessageID is the SQS message id.
	MessageID = "messageId"
	// Org is the tenant the request or message acts for.
	Org = "org"
)

type ctxKey struct{}

// With returns ctx carrying attrs for every line logged with it, after
// those ctx already carries (a later attribute of the same key replaces
// an earlier one).
func With(ctx context.Context, attrs ...slog.Attr) context.Context {
	prev, _ := ctx.Value(ctxKey{}).([]slog.Attr)
	merged := make([]slog.Attr, 0, len(prev)+len(attrs))
	for _, a := range prev {
		if !has(attrs, a.Key) {
			merged = append(merged, a)
		}
	}
	return context.WithValue(ctx, ctxKey{}, append(merged, attrs...))
}

// Attrs returns what ctx carries for the log, Lambda's request id first.
func Attrs(ctx context.Context) []slog.Attr {
	var out []slog.Attr
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		out = append(out, slog.String(LambdaRequestID, lc.AwsRequestID))
	}
	attrs, _ := ctx.Value(ctxKey{}).([]slog.Attr)
	return append(out, attrs...)
}

func has(attrs []slog.Attr, key string) bool {
	for _, a := range attrs {
		if a.Key == key {
			return true
		}
	}
	return false
}

// Handler adds the context's attributes to every record it handles.
type Handler struct {
	inner slog.Handler
}

// NewHandler wraps inner.
func NewHandler(inner slog.Handler) *Handler { return &Handler{inner: inner} }

// Enabled reports whether inner handles level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

// Handle adds ctx's attributes to r, unless r already sets the same key,
// and passes it on.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	attrs := Attrs(ctx)
	if len(attrs) > 0 {
		own := map[string]bool{}
		r.Attrs(func(a slog.Attr) bool { own[a.Key] = true; return true })
		r = r.Clone()
		for _, a := range attrs {
			if !own[a.Key] {
				r.AddAttrs(a)
			}
		}
	}
	return h.inner.Handle(ctx, r)
}

// WithAttrs returns a Handler over inner.WithAttrs(attrs).
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{inner: h.inner.WithAttrs(attrs)}
}

// WithGroup returns a Handler over inner.WithGroup(name).
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{inner: h.inner.WithGroup(name)}
}
