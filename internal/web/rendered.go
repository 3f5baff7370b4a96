package web

import (
	"bytes"
	"embed"
	"fmt"
	"html"
	"sync"
)

// The UI's pages are rendered from their html/template sources
// (templates/) when the code is generated, not in the function: executing
// a template links reflection that keeps every method of the AWS clients
// in the binary, and parsing costs start-up (BENCHMARKS.md, start-up).
// A page's only inputs are fixed when it is generated (its title, script
// and navigation entry, the currency table) except two, left as markers
// that renderedPages and withID fill in:
//
//   - the static files' version, which changes with any file under
//     static/, so editing a script does not require regenerating the
//     pages: "/static/_version_/" in every asset URL;
//   - the {id} of the path: data-id="_id_" on <main>.
//
// TestPagesAreRendered renders every page from its sources and fails if
// rendered/ differs; after editing templates/, regenerate with
//
//go:generate go test -run ^TestPagesAreRendered$ -update .

//go:embed rendered/*.html
var renderedFiles embed.FS

// Markers in rendered pages.
const (
	versionMarker = "/static/_version_/"
	idMarker      = `data-id="_id_"`
)

// renderedPages reads each page's HTML on its first request and puts the
// static files' version in its asset URLs.
func renderedPages(a *assets) map[string]func() ([]byte, error) {
	m := make(map[string]func() ([]byte, error), len(pages))
	for name := range pages {
		m[name] = sync.OnceValues(func() ([]byte, error) {
			b, err := renderedFiles.ReadFile("rendered/" + name + ".html")
			if err != nil {
				return nil, fmt.Errorf("web: page %s: %w", name, err)
			}
			return bytes.ReplaceAll(b, []byte(versionMarker), []byte("/static/"+a.version+"/")), nil
		})
	}
	return m
}

// withID puts the path's id, escaped for the attribute, in place of the
// marker of a page that shows one.
func withID(page []byte, pathID string) []byte {
	if pathID == "" {
		return page
	}
	return bytes.Replace(page, []byte(idMarker), []byte(`data-id="`+html.EscapeString(pathID)+`"`), 1)
}
