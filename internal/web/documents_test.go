package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/carebill/carebill/infra/local/localstack"
	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/teststack"
	documentswire "github.com/carebill/carebill/internal/wire/documents"
)

// withDocuments is the invoicing function's handler h with the documents
// function mounted where template.yaml routes it, so the pages' PDF links
// (invoice, receipt, statement) download as they do deployed.
func withDocuments(t *testing.T, st *teststack.Stack, h http.Handler) http.Handler {
	t.Helper()
	tpl, err := provision.Load(filepath.Join(testenv.RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	docs, err := documentswire.New(context.Background(), st.Env(t, "DocumentsFunction"), st.AWSFor("DocumentsFunction"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", h)
	for _, rt := range tpl.Routes {
		if rt.Function == "DocumentsFunction" {
			mux.Handle(localstack.Pattern(rt.Method, rt.Path), docs)
		}
	}
	return mux
}
