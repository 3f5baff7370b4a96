// Package web wires functions/web: the coordinator's hosted UI
// (internal/web), its page shells and static files, on its own so that
// the API functions carry none of it and the UI's function carries none
// of the AWS SDK.
package web

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/carebill/carebill/internal/web"
	"github.com/carebill/carebill/internal/wire"
)

// New builds functions/web: GET / and /app redirect to the dashboard,
// /app/… are the pages (a signed-out visit goes to /app/login and back,
// a cross-site navigation is served), /static/… the embedded assets.
// It reads no variable and calls no AWS service: pages load their data
// from the invoicing function's /v1 with the session cookie. env is taken
// for the shape every function's wiring has.
func New(_ context.Context, _ wire.Env, log *slog.Logger) (http.Handler, error) {
	return web.New(log)
}
