package pdf

import (
	"bytes"
	"compress/gzip"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	"github.com/go-fonts/dejavu/dejavusansoblique"
)

var update = flag.Bool("update", false, "rewrite fonts/ from github.com/go-fonts/dejavu (go generate ./internal/pdf)")

// TestEmbeddedFontsAreDejaVu inflates each embedded face and compares it
// with github.com/go-fonts/dejavu's, the module go.mod pins: the gzipped
// copies are those fonts byte for byte. With -update (go generate) it
// writes them instead.
func TestEmbeddedFontsAreDejaVu(t *testing.T) {
	for name, ttf := range map[string][]byte{
		"DejaVuSans":         dejavusans.TTF,
		"DejaVuSans-Bold":    dejavusansbold.TTF,
		"DejaVuSans-Oblique": dejavusansoblique.TTF,
	} {
		if *update {
			var b bytes.Buffer
			zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := zw.Write(ttf); err != nil {
				t.Fatal(err)
			}
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join("fonts", name+".ttf.gz"), b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := inflateFont(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, ttf) {
			t.Errorf("fonts/%s.ttf.gz is not github.com/go-fonts/dejavu's %s (%d bytes, want %d): run go generate ./internal/pdf", name, name, len(got), len(ttf))
		}
	}
}

// BenchmarkInflateFonts is what the gzipped faces add to the first
// document a process renders (BENCHMARKS.md, start-up).
func BenchmarkInflateFonts(b *testing.B) {
	for b.Loop() {
		for _, name := range []string{"DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"} {
			if _, err := inflateFont(name); err != nil {
				b.Fatal(err)
			}
		}
	}
}
