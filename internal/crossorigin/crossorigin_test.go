package crossorigin_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/carebill/carebill/internal/crossorigin"
)

// TestProtect is the guard's whole rule, as a table: writes a page on
// another origin makes (by Sec-Fetch-Site, else by Origin) get deny's
// answer; the site's own pages, a user's own navigation, non-browser
// clients and reads pass; every answer carries HSTS.
func TestProtect(t *testing.T) {
	t.Parallel()
	h := crossorigin.Protect(
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }),
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) }))
	for _, c := range []struct {
		method string
		header map[string]string
		want   int
	}{
		{"POST", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"PATCH", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"DELETE", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://billing.example.com"}, http.StatusForbidden},
		{"PUT", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"POST", map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"POST", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusNoContent},
		{"POST", map[string]string{"Sec-Fetch-Site": "none"}, http.StatusNoContent},
		{"POST", map[string]string{"Origin": "https://billing.example.com"}, http.StatusNoContent},
		{"POST", nil, http.StatusNoContent}, // curl, a webhook
		{"GET", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusNoContent},
	} {
		r := httptest.NewRequest(c.method, "https://billing.example.com/v1/clients", nil)
		for k, v := range c.header {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.want {
			t.Errorf("%s with %v = %d, want %d", c.method, c.header, w.Code, c.want)
		}
		if got := w.Header().Get("Strict-Transport-Security"); got != crossorigin.HSTS {
			t.Errorf("%s with %v: Strict-Transport-Security %q", c.method, c.header, got)
		}
	}
}
