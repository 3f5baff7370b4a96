package idempotency_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/idempotency"
	"github.com/carebill/carebill/internal/requestlog"
)

// brokenStore claims every key but cannot complete or release one.
type brokenStore struct{}

func (brokenStore) Begin(context.Context, string, string, time.Time) (*idempotency.Record, error) {
	return nil, nil
}
func (brokenStore) Complete(context.Context, idempotency.Record, time.Time) error {
	return errors.New("table unavailable")
}
func (brokenStore) Release(context.Context, string) error { return errors.New("table unavailable") }

// A key that cannot be completed or released is logged with the request's
// attributes (its org, API Gateway's and Lambda's request ids), the key
// and the reply's status, not dropped; the reply still goes out.
func TestCompletionFailuresLogged(t *testing.T) {
	for _, status := range []int{http.StatusCreated, http.StatusUnprocessableEntity} {
		var buf bytes.Buffer
		log := slog.New(requestlog.NewHandler(slog.NewJSONHandler(&buf, nil)))
		next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) })
		h := idempotency.Middleware(brokenStore{}, func(*http.Request) string { return "org_1" }, time.Now,
			func(w http.ResponseWriter, r *http.Request, code int, _, _ string) { w.WriteHeader(code) }, log, next)
		req := httptest.NewRequest("POST", "/v1/clients", strings.NewReader(`{}`))
		req.Header.Set(idempotency.Header, "k-1")
		req = req.WithContext(requestlog.With(req.Context(), slog.String(requestlog.Org, "org_1"),
			slog.String(requestlog.APIRequestID, "api-req-7"), slog.String(requestlog.LambdaRequestID, "lambda-req-7")))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != status {
			t.Errorf("reply %d, want %d", rec.Code, status)
		}
		out := buf.String()
		for _, want := range []string{`"level":"ERROR"`, "table unavailable", `"org":"org_1"`,
			`"apiRequestId":"api-req-7"`, `"lambdaRequestId":"lambda-req-7"`, `"key":"org_1#k-1"`, fmt.Sprintf(`"status":%d`, status)} {
			if !strings.Contains(out, want) {
				t.Errorf("status %d: failure logged without %s: %s", status, want, out)
			}
		}
	}
}
