// Package namecheck is the static check behind "use cases wrap errors
// with their name" (STYLE.md, rule 5): an [analysis.Analyzer] that
// reports a use case whose errors can leave it without the name
// usecase.Name gives them.
//
// The rule, as the use-case packages (internal/billing,
// internal/clientauth) follow it: every exported function or method that
// takes a context.Context and returns an error as its last result (a use
// case: it does I/O for a caller) names that result and begins with
//
//	defer usecase.Name(&err, "finalize invoice %s", id)
//
// deferred on that very result, with a constant, non-empty name. A
// deferred wrap at the top covers every return, including ones added
// later, which a check of each return statement could not promise. Pure
// value methods (no context: ReceiptEmail.Validate, PayAll.Quote) are
// not use cases and are left alone.
package namecheck

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// WrapperPath and WrapperName name the one wrapper the rule accepts.
const (
	WrapperPath = "github.com/carebill/carebill/internal/usecase"
	WrapperName = "Name"
)

// Analyzer reports, at the function's name, each use case that does not
// begin with a deferred usecase.Name on its named error result.
var Analyzer = &analysis.Analyzer{
	Name: "usecasename",
	Doc:  "report exported use cases (context in, error out) that do not begin with defer usecase.Name(&err, \"name\", …)",
	Run:  run,
}

func run(pass *analysis.Pass) (any, error) {
	for _, file := range pass.Files {
		if strings.HasSuffix(pass.Fset.File(file.Pos()).Name(), "_test.go") {
			continue
		}
		for _, decl := range file.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil || !fd.Name.IsExported() {
				continue
			}
			fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func)
			if !ok {
				continue
			}
			sig := fn.Type().(*types.Signature)
			if !takesContext(sig) || !returnsError(sig) {
				continue
			}
			if msg := check(pass, fd, sig); msg != "" {
				pass.Reportf(fd.Name.Pos(), "use case %s %s: its errors would reach the log without its name; begin it with defer usecase.Name(&err, \"<use case> %%s\", id) on a named error result", qualified(fd, pass.Pkg), msg)
			}
		}
	}
	return nil, nil
}

// check says what is wrong with fd's naming, or "" when nothing is.
func check(pass *analysis.Pass, fd *ast.FuncDecl, sig *types.Signature) string {
	res := sig.Results().At(sig.Results().Len() - 1)
	if res.Name() == "" || res.Name() == "_" {
		return "does not name its error result"
	}
	if len(fd.Body.List) == 0 {
		return "has an empty body"
	}
	def, ok := fd.Body.List[0].(*ast.DeferStmt)
	if !ok || !isWrapper(pass, def.Call.Fun) {
		return "does not begin with a deferred usecase.Name"
	}
	args := def.Call.Args
	if len(args) < 2 {
		return "calls usecase.Name without a name"
	}
	addr, ok := ast.Unparen(args[0]).(*ast.UnaryExpr)
	if !ok || addr.Op != token.AND {
		return "defers usecase.Name on something other than its error result"
	}
	id, ok := ast.Unparen(addr.X).(*ast.Ident)
	if !ok || pass.TypesInfo.Uses[id] != res {
		return "defers usecase.Name on something other than its error result " + res.Name()
	}
	name := pass.TypesInfo.Types[args[1]].Value
	if name == nil || name.Kind() != constant.String || strings.TrimSpace(constant.StringVal(name)) == "" {
		return "gives usecase.Name a name that is not a constant, non-empty string"
	}
	return ""
}

// isWrapper reports whether fun is usecase.Name itself.
func isWrapper(pass *analysis.Pass, fun ast.Expr) bool {
	var id *ast.Ident
	switch f := ast.Unparen(fun).(type) {
	case *ast.SelectorExpr:
		id = f.Sel
	case *ast.Ident:
		id = f
	default:
		return false
	}
	obj, ok := pass.TypesInfo.Uses[id].(*types.Func)
	return ok && obj.Pkg() != nil && obj.Pkg().Path() == WrapperPath && obj.Name() == WrapperName
}

// takesContext reports whether any parameter is a context.Context.
func takesContext(sig *types.Signature) bool {
	for p := range sig.Params().Variables() {
		if named, ok := p.Type().(*types.Named); ok {
			obj := named.Obj()
			if obj.Pkg() != nil && obj.Pkg().Path() == "context" && obj.Name() == "Context" {
				return true
			}
		}
	}
	return false
}

// returnsError reports whether the last result is the error interface.
func returnsError(sig *types.Signature) bool {
	n := sig.Results().Len()
	return n > 0 && types.Identical(sig.Results().At(n-1).Type(), types.Universe.Lookup("error").Type())
}

// qualified is how a diagnostic names fd: pkg.Func or pkg.(*T).Method.
func qualified(fd *ast.FuncDecl, pkg *types.Package) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return pkg.Name() + "." + fd.Name.Name
	}
	recv := fd.Recv.List[0].Type
	star := ""
	if s, ok := recv.(*ast.StarExpr); ok {
		star, recv = "*", s.X
	}
	switch r := recv.(type) {
	case *ast.IndexExpr:
		recv = r.X
	case *ast.IndexListExpr:
		recv = r.X
	}
	name := "?"
	if id, ok := recv.(*ast.Ident); ok {
		name = id.Name
	}
	if star != "" {
		return pkg.Name() + ".(*" + name + ")." + fd.Name.Name
	}
	return pkg.Name() + "." + name + "." + fd.Name.Name
}
