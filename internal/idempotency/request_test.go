package idempotency_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/idempotency"
)

// recordingStore claims every key and remembers what became of each.
type recordingStore struct {
	mu                  sync.Mutex
	completed, released []string
}

func (s *recordingStore) Begin(context.Context, string, string, time.Time) (*idempotency.Record, error) {
	return nil, nil
}
func (s *recordingStore) Complete(_ context.Context, rec idempotency.Record, _ time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.completed = append(s.completed, rec.Key)
	return nil
}
func (s *recordingStore) Release(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.released = append(s.released, key)
	return nil
}

// The handler behind the middleware sees the request's marker (scope,
// key and body digest, a run of its own per execution, the time by the
// middleware's clock); a refusal
// releases the key, but a repeat that met its earlier execution's marker
// keeps its answer; a request without a key carries no marker.
func TestRequestMarker(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC) // the middleware's clock: the marker's expiry counts from it
	for _, c := range []struct {
		name         string
		applied      bool
		status       int
		wantComplete bool
	}{
		{"refused", false, http.StatusConflict, false},
		{"already applied", true, http.StatusConflict, true},
		{"already applied, then failed on our side", true, http.StatusServiceUnavailable, false},
		{"made", false, http.StatusCreated, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			store := &recordingStore{}
			var runs []string
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				req := idempotency.RequestFrom(r.Context())
				if req == nil {
					t.Fatal("no request marker in the context")
				}
				if req.Scope != "org_1" || !strings.HasPrefix(req.Key, "k-1#") || len(req.Key) != len("k-1#")+16 || req.Run == "" || !req.At.Equal(at) {
					t.Errorf("marker %+v", req)
				}
				if idempotency.Key(r.Context()) != req.Key {
					t.Errorf("Key = %q, marker key %q", idempotency.Key(r.Context()), req.Key)
				}
				runs = append(runs, req.Run)
				if c.applied {
					req.Applied()
				}
				w.WriteHeader(c.status)
			})
			h := idempotency.Middleware(store, func(*http.Request) string { return "org_1" }, func() time.Time { return at },
				func(w http.ResponseWriter, r *http.Request, code int, _, _ string) { w.WriteHeader(code) }, nil, next)
			for range 2 {
				req := httptest.NewRequest("POST", "/v1/clients", strings.NewReader(`{"name":"A"}`))
				req.Header.Set(idempotency.Header, "k-1")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != c.status {
					t.Fatalf("reply %d, want %d", rec.Code, c.status)
				}
			}
			if runs[0] == runs[1] {
				t.Errorf("two executions share run %q", runs[0])
			}
			if got := len(store.completed) == 2 && len(store.released) == 0; got != c.wantComplete {
				t.Errorf("completed %v, released %v; want kept = %v", store.completed, store.released, c.wantComplete)
			}
		})
	}
	h := idempotency.Middleware(&recordingStore{}, func(*http.Request) string { return "org_1" }, time.Now, nil, nil,
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if idempotency.RequestFrom(r.Context()) != nil {
				t.Error("a request without a key carries a marker")
			}
		}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/v1/clients", strings.NewReader(`{}`)))
}

// AppliedError is ErrApplied and names what the earlier execution made.
func TestAppliedError(t *testing.T) {
	err := error(&idempotency.AppliedError{Ref: "inv_1"})
	if !errors.Is(err, idempotency.ErrApplied) || !strings.Contains(err.Error(), "inv_1") {
		t.Errorf("%v", err)
	}
}
