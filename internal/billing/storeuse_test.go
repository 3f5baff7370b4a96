package billing_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// storeGroups says which narrow store (embedded in billing.Store) each file
// of Service use cases calls through s.store. A file not listed must not
// call it.
var storeGroups = map[string]string{
	"service.go":        "OrgStore",
	"clients.go":        "ClientStore",
	"invoices.go":       "InvoiceStore",
	"reissue.go":        "InvoiceStore",
	"initialbalance.go": "InvoiceStore",
	"sessions.go":       "InvoiceStore",
	"cycles.go":         "InvoiceStore",
	"credits.go":        "CreditNoteStore",
	"payments.go":       "PaymentStore",
	"cards.go":          "CardPaymentStore",
	"payall.go":         "CardPaymentStore",
	"paylinks.go":       "PayLinkStore",
	"ndia.go":           "PayLinkStore",
	"activity.go":       "ActivityStore",
}

// TestServiceStoreUse keeps billing.Store honest: it is only the sum of
// narrow stores, each declared in a file of the use cases that use it and
// naming exactly the store methods those use cases call (no more, so a
// reader sees what each group touches; no fewer, or it would not build);
// and no other use case reaches through a Service to its store
// (x.svc.store): those take their own narrow store, which the compiler
// checks. It reads the package's source, so a new call shows up here.
func TestServiceStoreUse(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	names, err := filepath.Glob("*.go") // the test runs in the package's directory
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = f
	}
	if len(files) < 10 || files["service.go"] == nil {
		t.Fatalf("read %d files of package billing, without service.go: run from its directory", len(files))
	}

	// The interfaces the package declares: their methods, embeds and file.
	type iface struct {
		file    string
		methods map[string]bool
		embeds  []string
	}
	ifaces := map[string]iface{}
	for name, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			it, ok := ts.Type.(*ast.InterfaceType)
			if !ok {
				return true
			}
			in := iface{file: name, methods: map[string]bool{}}
			for _, m := range it.Methods.List {
				if len(m.Names) == 0 {
					if id, ok := m.Type.(*ast.Ident); ok {
						in.embeds = append(in.embeds, id.Name)
					}
					continue
				}
				in.methods[m.Names[0].Name] = true
			}
			ifaces[ts.Name.Name] = in
			return false
		})
	}
	store, ok := ifaces["Store"]
	if !ok || len(store.methods) != 0 {
		t.Fatalf("billing.Store must only embed the narrow stores: %+v", store)
	}

	// What each file calls through the Service's store.
	calls := map[string]map[string]bool{}
	for name, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			recv := serviceReceiver(fd)
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				inner, ok := sel.X.(*ast.SelectorExpr)
				if !ok || inner.Sel.Name != "store" {
					return true
				}
				switch x := inner.X.(type) {
				case *ast.SelectorExpr:
					if x.Sel.Name == "svc" {
						t.Errorf("%s: %s reaches through the Service to its store (.svc.store.%s): give it a narrow store of its own",
							fset.Position(sel.Pos()), fd.Name.Name, sel.Sel.Name)
					}
				case *ast.Ident:
					if recv != "" && x.Name == recv {
						if calls[name] == nil {
							calls[name] = map[string]bool{}
						}
						calls[name][sel.Sel.Name] = true
					}
				}
				return true
			})
		}
	}

	used := map[string]map[string]bool{} // group → methods its files call
	for file, ms := range calls {
		group, ok := storeGroups[file]
		if !ok {
			t.Errorf("%s calls the Service's store (%v) but has no group in storeGroups", file, slices.Sorted(maps.Keys(ms)))
			continue
		}
		if used[group] == nil {
			used[group] = map[string]bool{}
		}
		maps.Copy(used[group], ms)
	}
	groupFiles := map[string][]string{}
	for file, group := range storeGroups {
		groupFiles[group] = append(groupFiles[group], file)
	}
	if got, want := slices.Sorted(slices.Values(store.embeds)), slices.Sorted(maps.Keys(groupFiles)); !slices.Equal(got, want) {
		t.Errorf("billing.Store embeds %v, want the groups %v", got, want)
	}
	for group, gfiles := range groupFiles {
		in, ok := ifaces[group]
		switch {
		case !ok:
			t.Errorf("no interface %s is declared", group)
			continue
		case !slices.Contains(gfiles, in.file):
			t.Errorf("%s is declared in %s, not beside its use cases in %v", group, in.file, gfiles)
		}
		for m := range in.methods {
			if !used[group][m] {
				t.Errorf("%s names %s, which none of %v calls", group, m, gfiles)
			}
		}
		for m := range used[group] {
			if !in.methods[m] {
				t.Errorf("%v call %s, which %s does not name", gfiles, m, group)
			}
		}
	}
}

// serviceReceiver is the receiver's name of a method on *Service, else "".
func serviceReceiver(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) != 1 || len(fd.Recv.List[0].Names) != 1 {
		return ""
	}
	st, ok := fd.Recv.List[0].Type.(*ast.StarExpr)
	if !ok {
		return ""
	}
	if id, ok := st.X.(*ast.Ident); !ok || id.Name != "Service" {
		return ""
	}
	return fd.Recv.List[0].Names[0].Name
}
