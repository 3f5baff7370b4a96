// Package wire holds what every function's wiring shares: its
// configuration lookup and its logger. Each function has its own wiring
// package below it (wire/invoicing, wire/payments, wire/portal,
// wire/notifier, wire/cycleclose), imported by its main and by the tests
// and local stack that build it, so that a function's binary links only
// the packages it uses. A new function gets a new wire/<name> package in
// the same shape: New(ctx, env, cfg, log) returning the handler.
//
// Keep this package small: whatever it imports, every function links.
package wire

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
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

// Logger is the JSON logger every function uses; LOG_LEVEL picks the level.
func Logger(env Env) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(env("LOG_LEVEL")))
	return slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level}))
}
