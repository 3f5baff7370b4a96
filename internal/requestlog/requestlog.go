// Package requestlog makes every log line of a request or message carry
// what an operator follows it by: Lambda's request id, API Gateway's
// request id and route, the queue and message, and the org once known.
//
// Transport code adds attributes to the context as it learns them (With),
// or, for what a request learns only part-way (the org a pay link belongs
// to), to the request's Scope (NewScope, Learn), which every line logged
// with the context from then on carries, the transport's closing line too.
// Handler, wrapped around the JSON handler every function logs through,
// writes them into each record logged with that context (the *Context
// logging methods). Lambda's own request id is read from the invocation's
// context, so every function gets it without doing anything.
package requestlog

import (
	"context"
	"log/slog"
	"sync"

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
	// RequestID is the X-Request-Id a response carries: the caller's, or
	// one made up for the request.
	RequestID = "requestId"
)

type ctxKey struct{}

// With returns ctx carrying attrs for every line logged with it, after
// those ctx already carries (a later attribute of the same key replaces
// an earlier one).
func With(ctx context.Context, attrs ...slog.Attr) context.Context {
	prev, _ := ctx.Value(ctxKey{}).([]slog.Attr)
	return context.WithValue(ctx, ctxKey{}, replace(prev, attrs))
}

type scopeKey struct{}

// Scope is what a request learns part-way for its log: set once known
// (Learn), carried by every line logged from then on with any context
// derived from the one NewScope returned, including the closing line the
// transport logs with its own, earlier context. Safe for concurrent use.
type Scope struct {
	mu    sync.Mutex
	attrs []slog.Attr
}

// NewScope returns ctx carrying a fresh, empty Scope. Its attributes
// come after (and replace) those With added.
func NewScope(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeKey{}, &Scope{})
}

// Learn sets attrs in ctx's Scope, replacing any of the same key; a
// context without a Scope is left as it is (use With there).
func Learn(ctx context.Context, attrs ...slog.Attr) {
	sc, _ := ctx.Value(scopeKey{}).(*Scope)
	if sc == nil {
		return
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.attrs = replace(sc.attrs, attrs)
}

func (sc *Scope) snapshot() []slog.Attr {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return append([]slog.Attr(nil), sc.attrs...)
}

// Attrs returns what ctx carries for the log, Lambda's request id first,
// then With's attributes, then the Scope's.
func Attrs(ctx context.Context) []slog.Attr {
	var out []slog.Attr
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		out = append(out, slog.String(LambdaRequestID, lc.AwsRequestID))
	}
	attrs, _ := ctx.Value(ctxKey{}).([]slog.Attr)
	out = append(out, attrs...)
	if sc, _ := ctx.Value(scopeKey{}).(*Scope); sc != nil {
		out = replace(out, sc.snapshot())
	}
	return out
}

// replace returns prev without the keys attrs has, then attrs.
func replace(prev, attrs []slog.Attr) []slog.Attr {
	merged := make([]slog.Attr, 0, len(prev)+len(attrs))
	for _, a := range prev {
		if !has(attrs, a.Key) {
			merged = append(merged, a)
		}
	}
	return append(merged, attrs...)
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
