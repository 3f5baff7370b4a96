package pdf

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"unicode"
)

// dejaVu holds the DejaVu Sans faces of github.com/go-fonts/dejavu,
// gzipped: 1.0 MiB in every function that renders PDFs instead of 2.0 MiB
// (BENCHMARKS.md, start-up). They are inflated with the rest of the
// parsing, once, at the first document. TestEmbeddedFontsAreDejaVu checks
// they are that module's fonts byte for byte; after updating the module,
// rewrite them with go generate ./internal/pdf.
//
//go:embed fonts/*.ttf.gz
var dejaVu embed.FS

//go:generate go test -run ^TestEmbeddedFontsAreDejaVu$ -update .

// FontDirEnv names the environment variable that points at the directory
// of fonts too large to embed in every function: NotoSansSC-Regular.ttf and
// NotoSansKR-Regular.ttf (scripts/fetch-fonts.sh fetches them; the Lambda
// layer puts them in /opt/fonts, the default). They are read only when a
// document draws Chinese, Japanese or Korean characters.
const FontDirEnv = "CAREBILL_FONT_DIR"

// DefaultFontDir is where the fonts layer is mounted in Lambda.
const DefaultFontDir = "/opt/fonts"

// LargeFonts are the fonts loaded from the font directory, in fallback order.
var LargeFonts = []string{"NotoSansSC-Regular.ttf", "NotoSansKR-Regular.ttf"}

// fontSet holds the embedded faces every document can use. DejaVu Sans
// covers Latin (Vietnamese included), Greek, Cyrillic, Hebrew and Arabic.
type fontSet struct {
	regular, bold, italic *face
}

// loadFonts parses the embedded fonts once per process; the result is
// never modified afterwards. It is a function over a sync.Once rather than
// a package-level sync.OnceValues: a closure assigned to a package
// variable is built by the package's init, so the linker would keep the
// 2 MiB of fonts in every binary importing pdf, rendering or not.
func loadFonts() (*fontSet, error) {
	embeddedFonts.once.Do(func() {
		embeddedFonts.set, embeddedFonts.err = parseEmbedded()
	})
	return embeddedFonts.set, embeddedFonts.err
}

var embeddedFonts struct {
	once sync.Once
	set  *fontSet
	err  error
}

func parseEmbedded() (*fontSet, error) {
	r, err := parseDejaVu("DejaVuSans", flagNonsymbolic)
	if err != nil {
		return nil, err
	}
	b, err := parseDejaVu("DejaVuSans-Bold", flagNonsymbolic|flagForceBold)
	if err != nil {
		return nil, err
	}
	i, err := parseDejaVu("DejaVuSans-Oblique", flagNonsymbolic|flagItalic)
	if err != nil {
		return nil, err
	}
	return &fontSet{regular: r, bold: b, italic: i}, nil
}

// parseDejaVu inflates and parses the embedded face fonts/<name>.ttf.gz.
func parseDejaVu(name string, flags int) (*face, error) {
	ttf, err := inflateFont(name)
	if err != nil {
		return nil, err
	}
	return parseFace(name, ttf, flags)
}

// inflateFont is the TrueType file of the embedded face name.
func inflateFont(name string) ([]byte, error) {
	gz, err := dejaVu.ReadFile("fonts/" + name + ".ttf.gz")
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", name, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", name, err)
	}
	ttf, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", name, err)
	}
	return ttf, nil
}

// fontDir is the directory of the large fonts: $CAREBILL_FONT_DIR, or the
// Lambda layer's /opt/fonts.
func fontDir() string {
	if d := os.Getenv(FontDirEnv); d != "" {
		return d
	}
	return DefaultFontDir
}

// loadCJK reads and parses the CJK fonts the first time a document needs
// them. Without them such characters print as U+FFFD, and the failure is
// logged once: a missing layer must not stop invoices from rendering.
var loadCJK = sync.OnceValue(func() []*face {
	dir := fontDir()
	var faces []*face
	for _, name := range LargeFonts {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			var f *face
			if f, err = parseFace(name[:len(name)-len(filepath.Ext(name))], b, flagNonsymbolic); err == nil {
				faces = append(faces, f)
				continue
			}
		}
		slog.Warn("pdf: CJK font unavailable; such characters print as U+FFFD",
			"font", name, "dir", dir, "env", FontDirEnv, "error", fmt.Sprint(err))
	}
	return faces
})

// isCJK reports whether r belongs to a script only the large fonts draw.
func isCJK(r rune) bool {
	switch {
	case r < 0x1100:
		return false
	case r >= 0x3000 && r <= 0x303F, r >= 0xFF00 && r <= 0xFFEF:
		return true
	}
	return unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana, unicode.Bopomofo)
}

// docFonts is one document's fonts: a family per style, and the fontUse
// (PDF font resource) of each face drawn, numbered F1, F2 … in first use.
type docFonts struct {
	reg, bold, ital *family
	uses            []*fontUse
	cjk             bool // CJK faces appended to every family
}

func newDocFonts(fs *fontSet) *docFonts {
	d := &docFonts{}
	d.reg = &family{doc: d, faces: []*face{fs.regular}}
	d.bold = &family{doc: d, faces: []*face{fs.bold, fs.regular}, bold: true}
	d.ital = &family{doc: d, faces: []*face{fs.italic, fs.regular}}
	return d
}

// needCJK appends the CJK faces to every family, loading them on the first
// document of the process that needs them.
func (d *docFonts) needCJK() {
	if d.cjk {
		return
	}
	d.cjk = true
	for _, fm := range []*family{d.reg, d.bold, d.ital} {
		fm.faces = append(fm.faces, loadCJK()...)
		fm.cache = nil // a measured string may now draw differently
	}
}
