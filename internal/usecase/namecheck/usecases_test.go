package namecheck_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/carebill/carebill/internal/usecase/namecheck"
)

const module = "github.com/carebill/carebill"

// mustHave are use-case packages the check must cover whatever it finds:
// if one stopped importing usecase it would otherwise drop out unseen.
var mustHave = []string{module + "/internal/billing", module + "/internal/clientauth"}

// Every use case in the module names its errors: the analyzer runs over
// each package that uses usecase.Name (and the known use-case packages),
// and any use case it reports is listed by file:line.
func TestUseCasesNameTheirErrors(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	all, err := packages.Load(&packages.Config{Mode: packages.NeedName | packages.NeedImports, Dir: root}, module+"/...")
	if err != nil {
		t.Fatalf("list the module's packages: %v", err)
	}
	paths := slices.Clone(mustHave)
	for _, p := range all {
		if _, ok := p.Imports[namecheck.WrapperPath]; ok && !slices.Contains(paths, p.PkgPath) {
			paths = append(paths, p.PkgPath)
		}
	}
	pkgs, err := packages.Load(&packages.Config{Mode: packages.LoadSyntax, Dir: root}, paths...)
	if err != nil {
		t.Fatalf("load %v: %v", paths, err)
	}
	if packages.PrintErrors(pkgs) > 0 {
		t.Fatalf("the use-case packages %v do not build", paths)
	}
	if len(pkgs) != len(paths) {
		t.Fatalf("loaded %d packages of %v", len(pkgs), paths)
	}
	graph, err := checker.Analyze([]*analysis.Analyzer{namecheck.Analyzer}, pkgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, act := range graph.Roots {
		if act.Err != nil {
			t.Errorf("%s: %v", act.Package.PkgPath, act.Err)
		}
		for _, d := range act.Diagnostics {
			pos := act.Package.Fset.Position(d.Pos)
			if rel, err := filepath.Rel(root, pos.Filename); err == nil {
				pos.Filename = rel
			}
			found = append(found, fmt.Sprintf("%s: %s", pos, d.Message))
		}
	}
	slices.Sort(found)
	if len(found) > 0 {
		t.Errorf("%d use cases do not name their errors (checked %v):\n%s", len(found), paths, strings.Join(found, "\n"))
	}
}
