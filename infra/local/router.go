package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/carebill/carebill/internal/wire"
	invoicingwire "github.com/carebill/carebill/internal/wire/invoicing"
	paymentswire "github.com/carebill/carebill/internal/wire/payments"
	portalwire "github.com/carebill/carebill/internal/wire/portal"
)

// builders make each HTTP function's handler from its environment, as its
// functions/<name>/main.go does in Lambda.
var builders = map[string]func(context.Context, wire.Env, *stack) (http.Handler, error){
	"InvoicingFunction": func(ctx context.Context, env wire.Env, s *stack) (http.Handler, error) {
		return invoicingwire.New(ctx, env, s.awsFor("InvoicingFunction"), s.log)
	},
	"PaymentsFunction": func(ctx context.Context, env wire.Env, s *stack) (http.Handler, error) {
		return paymentswire.New(ctx, env, s.awsFor("PaymentsFunction"), s.log)
	},
	"PortalFunction": func(ctx context.Context, env wire.Env, s *stack) (http.Handler, error) {
		return portalwire.New(ctx, env, s.awsFor("PortalFunction"), s.log)
	},
}

// router mounts every route of template.yaml on one mux: "ANY" routes take
// every method; "{proxy+}" becomes a path prefix.
func (s *stack) router(ctx context.Context) (http.Handler, error) {
	mux := http.NewServeMux()
	handlers := map[string]http.Handler{}
	for _, rt := range s.tpl.Routes {
		h, ok := handlers[rt.Function]
		if !ok {
			build, known := builders[rt.Function]
			if !known {
				return nil, fmt.Errorf("template.yaml routes %s %s to %s, which the local stack does not know how to build", rt.Method, rt.Path, rt.Function)
			}
			env, err := s.env(rt.Function)
			if err != nil {
				return nil, err
			}
			if h, err = build(ctx, env, s); err != nil {
				return nil, fmt.Errorf("build %s: %w", rt.Function, err)
			}
			handlers[rt.Function] = h
		}
		mux.Handle(pattern(rt.Method, rt.Path), h)
	}
	return mux, nil
}

// pattern turns an API Gateway route into a ServeMux pattern.
func pattern(method, path string) string {
	if path == "$default" {
		return "/"
	}
	if path == "/" {
		path = "/{$}" // API Gateway's "/" route is the root alone, not a catch-all
	}
	if i := strings.Index(path, "{proxy+}"); i >= 0 {
		path = path[:i]
	}
	if method == "ANY" {
		return path
	}
	return method + " " + path
}
