package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// assets serves the embedded static tree under /static/<version>/, where
// version hashes every file. Pages link assets through the versioned path,
// so browsers may cache them for a year, and a deploy changes every URL at
// once; relative module imports inherit the versioned prefix.
type assets struct {
	version string
	files   map[string]asset
}

type asset struct {
	body []byte
	// gzip compresses body on the first request that accepts it, not at
	// cold start (compressing every asset there was most of invoicing's
	// start-up); nil when compression does not pay.
	gzip  func() []byte
	ctype string
	etag  string
}

// contentTypes pins the types that matter for module scripts and styles,
// whatever the host's mime tables say.
var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".svg": "image/svg+xml",
}

// newAssets reads every file of fsys once.
func newAssets(fsys fs.FS) (*assets, error) {
	a := &assets{files: map[string]asset{}}
	all := sha256.New()
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		fmt.Fprintf(all, "%s %x\n", name, sum)
		ctype := contentTypes[path.Ext(name)]
		if ctype == "" {
			ctype = mime.TypeByExtension(path.Ext(name))
		}
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		a.files[name] = asset{body: body, gzip: sync.OnceValue(func() []byte { return compress(body) }), ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read static files: %w", err)
	}
	if len(a.files) == 0 {
		return nil, fmt.Errorf("read static files: none embedded")
	}
	a.version = hex.EncodeToString(all.Sum(nil)[:6])
	return a, nil
}

func compress(body []byte) []byte {
	if len(body) < 1024 {
		return nil
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = zw.Write(body)
	_ = zw.Close()
	if b.Len() >= len(body) {
		return nil
	}
	return b.Bytes()
}

// url is the versioned address of a static file, e.g. "js/api.js" →
// "/static/3fa9c1d2e4b5/js/api.js". It panics on a name that is not
// embedded, so a typo in a template fails the first render in tests.
func (a *assets) url(name string) string {
	if _, ok := a.files[name]; !ok {
		panic(fmt.Sprintf("web: no static file %q", name))
	}
	return "/static/" + a.version + "/" + name
}

// ServeHTTP answers /static/<version>/<name>. A stale version still gets
// the current file (a page loaded before a deploy keeps working) but is
// not cached for long.
func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ver, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/static/"), "/")
	f, ok := a.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Vary", "Accept-Encoding")
	if ver == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	body, etag := f.body, f.etag
	if acceptsGzip(r) {
		if gz := f.gzip(); gz != nil {
			h.Set("Content-Encoding", "gzip")
			body, etag = gz, strings.TrimSuffix(etag, `"`)+`-gz"`
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
