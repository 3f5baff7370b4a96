// Package openapitest holds the API tests to carebill's OpenAPI document:
// Validate wraps a handler so that every request it serves in a test, and
// every reply, is checked against the document the handler itself serves
// at GET /v1/openapi.json, with kin-openapi's openapi3filter (which
// validates OpenAPI 3.1 documents with a JSON Schema 2020-12 validator).
package openapitest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// DocumentPath is where the API serves its OpenAPI document.
const DocumentPath = "/v1/openapi.json"

func init() {
	// Replies that are files: checked for their declared media type, their
	// bytes taken as they are.
	for _, ct := range []string{"application/pdf", "text/csv", "application/zip", "text/html"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
}

// Load reads the OpenAPI document h serves and checks it is a valid
// OpenAPI 3.1 document.
func Load(t testing.TB, h http.Handler) *openapi3.T {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, DocumentPath, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s = %d %s", DocumentPath, rec.Code, rec.Body)
	}
	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	if err != nil {
		t.Fatalf("load %s: %v", DocumentPath, err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("%s is OpenAPI %s, want 3.1", DocumentPath, doc.OpenAPI)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%s is not a valid OpenAPI document: %v", DocumentPath, err)
	}
	return doc
}

// Validate wraps h: every request to a route the document describes, and
// its reply, is validated against it, and t fails (Errorf, naming the
// route) on a reply that does not match, or on a request the document
// refuses that the API nevertheless accepted (status below 400). Requests
// to paths the document does not describe (pages, static files) pass
// through unchecked.
func Validate(t testing.TB, h http.Handler) http.Handler {
	t.Helper()
	doc := Load(t, h)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("route %s: %v", DocumentPath, err)
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
		MultiError:            true,
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route, params, err := router.FindRoute(r)
		if err != nil { // not a route the document describes: a page, a static file, an unknown path
			h.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("openapi: read %s %s: %v", r.Method, r.URL.Path, err)
		}
		name := r.Method + " " + route.Path
		// The request as the API gets it, validated on a copy.
		check := r.Clone(r.Context())
		check.Body = io.NopCloser(bytes.NewReader(body))
		in := &openapi3filter.RequestValidationInput{Request: check, PathParams: params, Route: route, Options: opts}
		reqErr := openapi3filter.ValidateRequest(r.Context(), in)

		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		res := rec.Result()
		for k, vs := range res.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(res.StatusCode)
		_, _ = w.Write(rec.Body.Bytes())

		if reqErr != nil && res.StatusCode < 400 {
			t.Errorf("openapi: %s: the document refuses this request but the API answered %d:\n%s\nbody: %.300s", name, res.StatusCode, reqErr, body)
		}
		out := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
			Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes())), Options: opts,
		}
		if err := openapi3filter.ValidateResponse(r.Context(), out); err != nil {
			t.Errorf("openapi: %s: reply %d does not match the document:\n%s\nreply: %.500s", name, res.StatusCode, err, strings.TrimSpace(rec.Body.String()))
		}
	})
}
