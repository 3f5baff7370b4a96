package testenv

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/carebill/carebill/internal/stripemock"
)

// StripeMock is a running stripe-mock, Stripe's API stand-in.
type StripeMock struct {
	*stripemock.Server
}

// StartStripeMock runs stripe-mock on a free 127.0.0.1 port and waits
// until it answers. The caller must Stop it. A missing binary is an error
// saying how to install it, never a skip.
func StartStripeMock() (*StripeMock, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	srv, err := stripemock.Start(port)
	if err != nil {
		return nil, err
	}
	return &StripeMock{srv}, nil
}

// MainWithMotoAndStripe starts one moto server and one stripe-mock for a
// test package, runs its tests and stops both. Use it from TestMain.
func MainWithMotoAndStripe(m *testing.M, moto **Moto, stripe **StripeMock) {
	sm, err := StartStripeMock()
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
	mo, err := StartMoto()
	if err != nil {
		sm.Stop()
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
	*moto, *stripe = mo, sm
	code := m.Run()
	mo.Stop()
	sm.Stop()
	os.Exit(code)
}

// MainWithStripe starts one stripe-mock for a test package, runs its
// tests and stops it.
func MainWithStripe(m *testing.M, stripe **StripeMock) {
	sm, err := StartStripeMock()
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
	*stripe = sm
	code := m.Run()
	sm.Stop()
	os.Exit(code)
}

// StripeRecorder passes requests through to stripe-mock and keeps each
// one's form, so a test can see exactly what was asked of Stripe.
// stripe-mock validates the parameters but answers with canned objects.
type StripeRecorder struct {
	// URL is the API base to give the Stripe client instead of stripe-mock's.
	URL   string
	mu    sync.Mutex
	paths []string
	forms []url.Values
}

// Recorder starts a recording pass-through in front of this stripe-mock,
// closed when the test ends.
func (s *StripeMock) Recorder(tb testing.TB) *StripeRecorder {
	tb.Helper()
	target, err := url.Parse(s.URL)
	if err != nil {
		tb.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	rec := &StripeRecorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		rec.mu.Lock()
		rec.paths, rec.forms = append(rec.paths, r.Method+" "+r.URL.Path), append(rec.forms, form)
		rec.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	rec.URL = srv.URL
	return rec
}

// Count is how many requests reached Stripe.
func (r *StripeRecorder) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.forms)
}

// Last is the most recent request ("POST /v1/checkout/sessions") and its form.
func (r *StripeRecorder) Last(tb testing.TB) (string, url.Values) {
	tb.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.forms) == 0 {
		tb.Fatal("no request reached stripe-mock")
	}
	return r.paths[len(r.paths)-1], r.forms[len(r.forms)-1]
}
