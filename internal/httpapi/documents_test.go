package httpapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/httpapi"
	"github.com/carebill/carebill/internal/teststack"
	documentswire "github.com/carebill/carebill/internal/wire/documents"
)

// newDocuments builds the documents function over st, its AWS operations
// recorded against DocumentsFunction's policy.
func newDocuments(t *testing.T, st *teststack.Stack) http.Handler {
	t.Helper()
	h, err := documentswire.New(context.Background(), st.Env(t, "DocumentsFunction"), st.AWSFor("DocumentsFunction"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// mountDocuments routes each of the documents function's routes to it, as
// API Gateway prefers them to the invoicing and payments functions'
// (template.yaml): found from its own route table, so a PDF route added
// there is served here too.
func mountDocuments(mux *http.ServeMux, docs http.Handler) {
	for _, p := range httpapi.Patterns(docs) {
		if strings.Contains(p, " ") { // not the "/v1/" catch-all
			mux.Handle(p, docs)
		}
	}
}
