package web

import (
	"bytes"
	"flag"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/id"
)

var update = flag.Bool("update", false, "rewrite rendered/ from templates/ (go generate ./internal/web)")

// renderPage executes a page's html/template sources: the layout, the
// shared partials and the page's own template. The asset function checks
// the file is embedded and writes the version marker in its URL; a page
// with an {id} gets the id marker.
func renderPage(t *testing.T, a *assets, name string) []byte {
	t.Helper()
	p := pages[name]
	cur, err := currencyTable(offeredCurrencies)
	if err != nil {
		t.Fatal(err)
	}
	asset := func(file string) string {
		a.url(file) // panics on a file that is not embedded
		return versionMarker + file
	}
	tmpl, err := template.New(p.Template).Funcs(template.FuncMap{"asset": asset}).ParseFiles(
		"templates/layout.html", "templates/partials.html", "templates/"+p.Template)
	if err != nil {
		t.Fatalf("page %s: %v", name, err)
	}
	v := struct {
		Page       page
		ID         string // the {id} of the path, checked against Page.IDKind
		Currencies string // JSON: code → {prefix, minor}
	}{Page: p, Currencies: cur}
	if p.IDKind != "" {
		v.ID = "_id_"
	}
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, "layout", v); err != nil {
		t.Fatalf("page %s: %v", name, err)
	}
	if p.IDKind != "" && bytes.Count(b.Bytes(), []byte(idMarker)) != 1 {
		t.Fatalf("page %s: want the id marker %s once", name, idMarker)
	}
	return b.Bytes()
}

// TestPagesAreRendered renders every page from templates/ and compares it
// with rendered/, which the function serves: a page edited without
// regenerating fails here. With -update (go generate) it rewrites
// rendered/ instead.
func TestPagesAreRendered(t *testing.T) {
	u, _, err := build(nil)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.RemoveAll("rendered"); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir("rendered", 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name := range pages {
		want := renderPage(t, u.assets, name)
		file := filepath.Join("rendered", name+".html")
		if *update {
			if err := os.WriteFile(file, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(file)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not what templates/ render (%v): run go generate ./internal/web", file, err)
		}
	}
	if *update {
		return
	}
	files, err := filepath.Glob("rendered/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if _, ok := pages[strings.TrimSuffix(filepath.Base(f), ".html")]; !ok {
			t.Errorf("%s is no page's: run go generate ./internal/web", f)
		}
	}
}

// TestServedPagesFillTheMarkers serves a page with an {id} and one
// without: the static files' version is in every asset URL, the id is in
// place, and no marker is left. withID escapes the id for its attribute
// (the route has already checked it against the page's id kind).
func TestServedPagesFillTheMarkers(t *testing.T) {
	t.Parallel()
	u, h, err := build(nil)
	if err != nil {
		t.Fatal(err)
	}
	invoiceID := id.New(id.Invoice, time.Now())
	for _, path := range []string{"/app/invoices/" + invoiceID, "/app/dashboard"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: "signed-in"})
		h.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != http.StatusOK || strings.Contains(body, "_version_") || strings.Contains(body, "_id_") ||
			!strings.Contains(body, `src="/static/`+u.assets.version+`/js/`) {
			t.Errorf("GET %s: %d\n%s", path, rec.Code, body)
		}
		if hasID := strings.Contains(body, `data-id="`+invoiceID+`"`); hasID != strings.Contains(path, invoiceID) {
			t.Errorf("GET %s: data-id present %v", path, hasID)
		}
	}
	const hostile = `"><script>alert(1)</script>`
	if got := string(withID([]byte(`<main `+idMarker+`>`), hostile)); got != `<main data-id="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">` {
		t.Errorf("withID: %s", got)
	}
}
