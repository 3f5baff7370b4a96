// Package localstack is what every stand-in for a deployed stack shares:
// `make dev` (infra/local) and the load test (bench/load) both create
// template.yaml's resources in moto, give each function its environment as
// Lambda would, build each function's handler as its functions/<name>/main.go
// does, mount the HTTP ones under the template's routes, and feed queue
// functions their messages as SQS event source mappings do.
package localstack

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/paramext/standin"
	"github.com/carebill/carebill/internal/wire"
	documentswire "github.com/carebill/carebill/internal/wire/documents"
	invoicingwire "github.com/carebill/carebill/internal/wire/invoicing"
	notifierwire "github.com/carebill/carebill/internal/wire/notifier"
	paymentswire "github.com/carebill/carebill/internal/wire/payments"
	portalwire "github.com/carebill/carebill/internal/wire/portal"
	runworkerwire "github.com/carebill/carebill/internal/wire/runworker"
	webwire "github.com/carebill/carebill/internal/wire/web"
)

// Region is the region the local stand-ins run in.
const Region = "ap-southeast-2"

// AWSConfig is an AWS config that reaches moto at endpoint with static
// test credentials named key.
func AWSConfig(ctx context.Context, endpoint, key string) (aws.Config, error) {
	return config.LoadDefaultConfig(ctx, config.WithRegion(Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(key, key, "")),
		config.WithBaseEndpoint(endpoint))
}

// Stack is one provisioned copy of the template and where its stand-ins
// listen.
type Stack struct {
	Template  *provision.Template
	Resources *provision.Resources
	// AWS reaches moto.
	AWS aws.Config
	// MotoURL is moto's endpoint: the user pool's JWKS is served there
	// rather than at the issuer.
	MotoURL string
	// StripeURL is the Stripe API base the payments function calls
	// (stripe-mock, or a front for it).
	StripeURL string
	// BaseURL is PUBLIC_BASE_URL for every function that builds links.
	BaseURL string
	// AWSFor, when set, gives function's AWS config (to count or record
	// its operations); else AWS.
	AWSFor func(function string) aws.Config
	// Logger, when set, gives function's logger; else slog.Default().
	Logger func(function string) *slog.Logger
}

func (s *Stack) awsFor(function string) aws.Config {
	if s.AWSFor != nil {
		return s.AWSFor(function)
	}
	return s.AWS
}

func (s *Stack) logger(function string) *slog.Logger {
	if s.Logger != nil {
		return s.Logger(function)
	}
	return slog.Default()
}

// Env is function's environment as Lambda would see it, with the JWKS at
// moto, Stripe at StripeURL and PUBLIC_BASE_URL at BaseURL.
func (s *Stack) Env(function string) (func(string) string, error) {
	env, err := s.Resources.Env(function)
	if err != nil {
		return nil, err
	}
	if pool := env["USER_POOL_ID"]; pool != "" {
		env["COGNITO_JWKS_URL"] = s.MotoURL + "/" + pool + "/.well-known/jwks.json"
	}
	if env["STRIPE_KEY_PARAM"] != "" {
		env["STRIPE_API_BASE"] = s.StripeURL
		ext, err := s.parametersExtension(function)
		if err != nil {
			return nil, err
		}
		maps.Copy(env, ext)
	}
	if _, ok := env["PUBLIC_BASE_URL"]; ok {
		env["PUBLIC_BASE_URL"] = s.BaseURL
	}
	return func(k string) string { return env[k] }, nil
}

// extensions are the Parameters and Secrets Extension stand-ins started,
// one per provisioned stack (its Resources) and function, each serving
// for as long as the process runs, as the layer does for an execution
// environment: the variables that reach it.
var extensions sync.Map // extensionKey → map[string]string

type extensionKey struct {
	res      *provision.Resources
	function string
}

// parametersExtension starts (once) the stand-in for the AWS Parameters
// and Secrets Lambda Extension that function reads its secrets through,
// answering from moto's SSM with function's AWS config (so its calls
// count as the function's), and returns the variables that point the
// function at it.
func (s *Stack) parametersExtension(function string) (map[string]string, error) {
	key := extensionKey{s.Resources, function}
	if env, ok := extensions.Load(key); ok {
		return maps.Clone(env.(map[string]string)), nil
	}
	_, env, err := standin.Start(ssm.NewFromConfig(s.awsFor(function)), "local-session-token")
	if err != nil {
		return nil, fmt.Errorf("parameters extension stand-in for %s: %w", function, err)
	}
	actual, _ := extensions.LoadOrStore(key, env)
	return maps.Clone(actual.(map[string]string)), nil
}

// PutSecrets stores the Stripe secret key and webhook signing secret in
// moto's SSM under the names the template gives the functions, as an
// operator does in AWS before deploying.
func (s *Stack) PutSecrets(ctx context.Context, stripeKey, webhookSecret string) error {
	values := map[string]string{}
	for _, f := range s.Template.Functions {
		env, err := s.Resources.Env(f.LogicalID)
		if err != nil {
			return err
		}
		if n := env["STRIPE_KEY_PARAM"]; n != "" {
			values[n] = stripeKey
		}
		if n := env["STRIPE_WEBHOOK_SECRET_PARAM"]; n != "" {
			values[n] = webhookSecret
		}
	}
	return provision.PutSecureStrings(ctx, s.AWS, values)
}

// httpBuilders make each HTTP function's handler, as its
// functions/<name>/main.go does in Lambda.
var httpBuilders = map[string]func(context.Context, wire.Env, aws.Config, *slog.Logger) (http.Handler, error){
	"InvoicingFunction": func(ctx context.Context, env wire.Env, cfg aws.Config, log *slog.Logger) (http.Handler, error) {
		return invoicingwire.New(ctx, env, cfg, log)
	},
	"PaymentsFunction": func(ctx context.Context, env wire.Env, cfg aws.Config, log *slog.Logger) (http.Handler, error) {
		return paymentswire.New(ctx, env, cfg, log)
	},
	"DocumentsFunction": func(ctx context.Context, env wire.Env, cfg aws.Config, log *slog.Logger) (http.Handler, error) {
		return documentswire.New(ctx, env, cfg, log)
	},
	"PortalFunction": func(ctx context.Context, env wire.Env, cfg aws.Config, log *slog.Logger) (http.Handler, error) {
		return portalwire.New(ctx, env, cfg, log)
	},
	// The UI calls no AWS service: cfg is not used.
	"WebFunction": func(ctx context.Context, env wire.Env, _ aws.Config, log *slog.Logger) (http.Handler, error) {
		return webwire.New(ctx, env, log)
	},
}

// Handlers builds the handler of each HTTP function the template routes
// to, once each, keyed by the function's logical id.
func (s *Stack) Handlers(ctx context.Context) (map[string]http.Handler, error) {
	handlers := map[string]http.Handler{}
	for _, rt := range s.Template.Routes {
		if _, ok := handlers[rt.Function]; ok {
			continue
		}
		build, known := httpBuilders[rt.Function]
		if !known {
			return nil, fmt.Errorf("template.yaml routes %s %s to %s, which the local stack does not know how to build", rt.Method, rt.Path, rt.Function)
		}
		env, err := s.Env(rt.Function)
		if err != nil {
			return nil, err
		}
		h, err := build(ctx, env, s.awsFor(rt.Function), s.logger(rt.Function))
		if err != nil {
			return nil, fmt.Errorf("build %s: %w", rt.Function, err)
		}
		handlers[rt.Function] = h
	}
	return handlers, nil
}

// Mux mounts every route of the template on its function's handler (from
// Handlers): "ANY" routes take every method; "{proxy+}" becomes a path
// prefix.
func (s *Stack) Mux(handlers map[string]http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range s.Template.Routes {
		mux.Handle(Pattern(rt.Method, rt.Path), handlers[rt.Function])
	}
	return mux
}

// Router builds every HTTP function and mounts the template's routes on
// them.
func (s *Stack) Router(ctx context.Context) (http.Handler, error) {
	handlers, err := s.Handlers(ctx)
	if err != nil {
		return nil, err
	}
	return s.Mux(handlers), nil
}

// Pattern turns an API Gateway route into a ServeMux pattern.
func Pattern(method, path string) string {
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

// QueueHandler is a queue function's handler, as its
// functions/<name>/main.go hands it to lambda.Start.
type QueueHandler func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)

// queueBuilders make each queue function's handler, as httpBuilders do for
// HTTP functions.
var queueBuilders = map[string]func(context.Context, wire.Env, aws.Config, *slog.Logger) (QueueHandler, error){
	"NotifierFunction": func(ctx context.Context, env wire.Env, cfg aws.Config, log *slog.Logger) (QueueHandler, error) {
		h, err := notifierwire.New(ctx, env, cfg, log)
		if err != nil {
			return nil, err
		}
		return h.Handle, nil
	},
	"RunWorkerFunction": func(ctx context.Context, env wire.Env, cfg aws.Config, log *slog.Logger) (QueueHandler, error) {
		h, err := runworkerwire.New(ctx, env, cfg, log)
		if err != nil {
			return nil, err
		}
		return h.Handle, nil
	},
}
