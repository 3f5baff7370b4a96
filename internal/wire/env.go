// Package wire holds what every function's wiring shares: its
// configuration lookup and its logger. Each function has its own wiring
// package below it (wire/invoicing, wire/payments, wire/documents, wire/portal,
// wire/notifier, wire/cycleclose, wire/web), imported by its main and by the tests
// and local stack that build it, so that a function's binary links only
// the packages it uses. A new function gets a new wire/<name> package in
// the same shape: New(ctx, env, cfg, log) returning the handler.
//
// Keep this package small: whatever it imports, every function links.
package wire

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/carebill/carebill/internal/requestlog"
)

// Env looks up a configuration variable: os.Getenv in Lambda, the
// environment template.yaml declares (resolved against moto) in tests.
type Env func(string) string

// Require fails naming every variable in names that is unset or empty.
func (e Env) Require(names ...string) error {
	var missing []string
	for _, n := range names {
		if e(n) == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing configuration: %s", strings.Join(missing, ", "))
	}
	return nil
}

// Logger is the JSON logger every function uses: each line carries the
// request's or message's attributes from its context (requestlog). The
// level is LOG_LEVEL, else Lambda's AWS_LAMBDA_LOG_LEVEL (the template's
// LoggingConfig.ApplicationLogLevel), else INFO.
func Logger(env Env) *slog.Logger { return LoggerTo(os.Stdout, env) }

// LoggerTo is Logger writing to w (tests read their function's lines).
func LoggerTo(w io.Writer, env Env) *slog.Logger {
	var level slog.Level
	name := env("LOG_LEVEL")
	if name == "" {
		name = env("AWS_LAMBDA_LOG_LEVEL")
	}
	_ = level.UnmarshalText([]byte(name))
	return slog.New(requestlog.NewHandler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})))
}
