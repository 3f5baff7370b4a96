// Package teststack provisions what template.yaml declares into a test's
// moto server under a fresh prefix, so each test gets its own tables, user
// pool and queues, created from the same template that deploys.
package teststack

import (
	"context"
	"fmt"
	"maps"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/iampolicy"
	"github.com/carebill/carebill/internal/paramext/standin"
	"github.com/carebill/carebill/internal/testenv"
)

var seq atomic.Int64

// Stack is one provisioned copy of the template.
type Stack struct {
	AWS       aws.Config
	Moto      *testenv.Moto
	Resources *provision.Resources
	// BaseURL is the PUBLIC_BASE_URL functions get (Site sets it to the
	// test server's own address); "" gives https://carebill.invalid.
	BaseURL string
	// IAM records the AWS operations of clients built from AWSFor.
	IAM *iampolicy.Recorder

	t          testing.TB // New's: the extension stand-ins stop with it
	mu         sync.Mutex
	extensions map[string]map[string]string // function → variables reaching its stand-in
}

// New provisions the template into moto under a fresh prefix.
func New(t testing.TB, moto *testenv.Moto) *Stack {
	t.Helper()
	tpl, err := provision.Load(filepath.Join(testenv.RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatalf("load template: %v", err)
	}
	cfg := moto.AWSConfig(t)
	prefix := fmt.Sprintf("t%d%d-", time.Now().UnixNano()%1_000_000, seq.Add(1))
	res, err := tpl.Provision(context.Background(), cfg, prefix)
	if err != nil {
		t.Fatalf("provision template into moto: %v", err)
	}
	st := &Stack{AWS: cfg, Moto: moto, Resources: res, IAM: iampolicy.NewRecorder(res), t: t}
	// moto does not enforce IAM: when the test ends, every operation a
	// function made must be allowed by its policy in template.yaml.
	t.Cleanup(func() {
		for _, p := range st.IAM.Check(tpl) {
			t.Errorf("IAM: %s", p)
		}
	})
	return st
}

// AWSFor is the AWS config to build function's clients from (function is
// its logical id in template.yaml): AWS, recording each operation so the
// test fails if the function's policy would not allow it.
func (s *Stack) AWSFor(function string) aws.Config {
	return s.IAM.Config(s.AWS, function)
}

// Env is a function's environment as Lambda would see it, plus the JWKS
// address moto serves (apart from the issuer).
func (s *Stack) Env(t testing.TB, function string) func(string) string {
	t.Helper()
	env, err := s.Resources.Env(function)
	if err != nil {
		t.Fatalf("environment of %s: %v", function, err)
	}
	if pool := env["USER_POOL_ID"]; pool != "" {
		env["COGNITO_JWKS_URL"] = s.Moto.Endpoint + "/" + pool + "/.well-known/jwks.json"
	}
	if _, ok := env["PUBLIC_BASE_URL"]; ok {
		env["PUBLIC_BASE_URL"] = s.BaseURL
		if s.BaseURL == "" {
			env["PUBLIC_BASE_URL"] = "https://carebill.invalid"
		}
	}
	if env["STRIPE_KEY_PARAM"] != "" {
		maps.Copy(env, s.parametersExtension(function))
	}
	return func(k string) string { return env[k] }
}

// parametersExtension starts (once per function) the stand-in for the
// AWS Parameters and Secrets Lambda Extension the function reads its
// secrets through (paramext/standin), answering from moto's SSM with
// AWSFor(function), so its reads are checked against the function's
// policy; it stops when the test that made the stack ends.
func (s *Stack) parametersExtension(function string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if env, ok := s.extensions[function]; ok {
		return env
	}
	srv, env, err := standin.Start(ssm.NewFromConfig(s.AWSFor(function)), "test-session-token")
	if err != nil {
		s.t.Fatalf("parameters extension stand-in for %s: %v", function, err)
	}
	s.t.Cleanup(srv.Close)
	if s.extensions == nil {
		s.extensions = map[string]map[string]string{}
	}
	s.extensions[function] = env
	return env
}

// Site is a test server, not yet started, whose address is the stack's
// BaseURL: build handlers from Env, set srv.Config.Handler, then Start.
// Links are built only from PUBLIC_BASE_URL, so a test that follows them
// needs the server to know its address first.
func (s *Stack) Site(t testing.TB) *httptest.Server {
	srv := httptest.NewUnstartedServer(nil)
	t.Cleanup(srv.Close)
	s.BaseURL = "http://" + srv.Listener.Addr().String()
	return srv
}
