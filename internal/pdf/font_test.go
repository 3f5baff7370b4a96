package pdf

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

func fonts(t *testing.T) *fontSet {
	t.Helper()
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// TestSubsetIsAValidFont parses each subset with an independent TrueType
// reader and checks that the kept glyphs, including composite accented
// letters and their components, still have outlines.
func TestSubsetIsAValidFont(t *testing.T) {
	fs := fonts(t)
	for _, f := range []*face{fs.regular, fs.bold, fs.italic} {
		used := make([]bool, f.numGlyphs)
		text := "Zoë Müller-Ng Łukasz Søren ÅÉÎÕÜ 0123 $€–…"
		for _, r := range text {
			used[f.glyph(r)] = true
		}
		sub := f.subset(used)
		font, err := sfnt.Parse(sub)
		if err != nil {
			t.Fatalf("%s: subset does not parse: %v", f.name, err)
		}
		if font.NumGlyphs() != f.numGlyphs {
			t.Errorf("%s: %d glyphs, want ids kept (%d)", f.name, font.NumGlyphs(), f.numGlyphs)
		}
		var buf sfnt.Buffer
		for _, r := range strings.ReplaceAll(text, " ", "") {
			g := sfnt.GlyphIndex(f.glyph(r))
			segs, err := font.LoadGlyph(&buf, g, fixed.I(12), nil)
			if err != nil || len(segs) == 0 {
				t.Errorf("%s: glyph for %q lost its outline (err %v)", f.name, r, err)
			}
		}
		if len(sub) > len(f.ttf)/3 {
			t.Errorf("%s: subset of %d glyphs is %d bytes, the whole font %d", f.name, utf8.RuneCountInString(text), len(sub), len(f.ttf))
		}
		if checksum(sub) != 0xB1B0AFBA {
			t.Errorf("%s: whole-font checksum %#x, want 0xB1B0AFBA", f.name, checksum(sub))
		}
	}
}

func TestWrapFitsWidth(t *testing.T) {
	f := fonts(t).regular
	for _, s := range []string{
		"",
		"short",
		"The quick brown fox jumps over the lazy dog, again and again and again",
		strings.Repeat("x", 500),
		"word " + strings.Repeat("Ø", 300) + " tail",
		"para one\n\npara three",
	} {
		lines := f.wrap(f.clean(s, true), 9.5, 120)
		if len(lines) == 0 {
			t.Errorf("wrap(%.20q) returned no lines", s)
		}
		for _, l := range lines {
			if f.width(l, 9.5) > 120 {
				t.Errorf("wrap(%.20q): line %q is %.1fpt wide, limit 120", s, l, f.width(l, 9.5))
			}
		}
		if got, want := strings.Join(strings.Fields(strings.Join(lines, "")), ""), strings.Join(strings.Fields(s), ""); got != want {
			t.Errorf("wrap(%.20q) lost text", s)
		}
	}
}

func TestClean(t *testing.T) {
	f := fonts(t).regular
	for in, want := range map[string]string{
		"Zoë":                   "Zoë",
		"Zoe\u0308":             "Zoë", // decomposed → composed
		"a\tb\r\nc":             "a b c",
		"\u202Eabc\u202C":       "abc",
		"🌸":                     "\uFFFD",
		"👨‍👩‍👧 x":               "\uFFFD x",
		"👍🏽":                    "\uFFFD",
		"שלום":                  "\uFFFD\uFFFD\uFFFD\uFFFD",
		"bad \xff":              "bad \uFFFD",
		"Ελληνικά Кириллица":    "Ελληνικά Кириллица",
		"nbsp\u00a0and\u2003em": "nbsp\u00a0and em",
		"Müller\u2011Ng −$5":    "Müller-Ng −$5",
	} {
		if got := f.clean(in, false); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFitAndLimit(t *testing.T) {
	f := fonts(t).regular
	s := f.fit(strings.Repeat("wide ", 40), 10, 100)
	if f.width(s, 10) > 100 || !strings.HasSuffix(s, "…") {
		t.Errorf("fit = %q (%.1fpt)", s, f.width(s, 10))
	}
	lines := f.limit([]string{"one", "two", "three"}, 2, 10, 100)
	if len(lines) != 2 || lines[1] != "two…" {
		t.Errorf("limit = %q", lines)
	}
}
