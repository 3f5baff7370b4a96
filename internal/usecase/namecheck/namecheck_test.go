package namecheck_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/carebill/carebill/internal/usecase/namecheck"
)

// The analyzer accepts the deferred wrap and reports each way of missing
// it, at the use case's name (the want comments in testdata/src/github.com/carebill/carebill/usecases).
func TestAnalyzer(t *testing.T) {
	t.Parallel()
	analysistest.Run(t, analysistest.TestData(), namecheck.Analyzer, "github.com/carebill/carebill/usecases")
}
