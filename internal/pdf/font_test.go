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

// families is a fresh document's font families.
func families(t *testing.T) *docFonts {
	t.Helper()
	return newDocFonts(fonts(t))
}

// TestSubsetIsAValidFont parses each subset with an independent TrueType
// reader and checks that the kept glyphs, including composite accented
// letters and their components, still have outlines.
func TestSubsetIsAValidFont(t *testing.T) {
	fs := fonts(t)
	for _, f := range []*face{fs.regular, fs.bold, fs.italic} {
		text := "Zoë Müller-Ng Łukasz Søren ÅÉÎÕÜ Nguyễn Thị Hằng Đức 0123 $€–…"
		gids, newID := []uint16{0}, map[rune]int{}
		for _, r := range strings.ReplaceAll(text, " ", "") {
			if _, ok := newID[r]; !ok {
				newID[r] = len(gids)
				gids = append(gids, f.glyph(r))
			}
		}
		sub := f.subset(gids)
		font, err := sfnt.Parse(sub)
		if err != nil {
			t.Fatalf("%s: subset does not parse: %v", f.name, err)
		}
		if font.NumGlyphs() < len(gids) || font.NumGlyphs() > 3*len(gids) {
			t.Errorf("%s: %d glyphs for %d drawn (composites add their parts)", f.name, font.NumGlyphs(), len(gids))
		}
		var buf sfnt.Buffer
		for r, n := range newID {
			segs, err := font.LoadGlyph(&buf, sfnt.GlyphIndex(n), fixed.I(12), nil)
			if err != nil || len(segs) == 0 {
				t.Errorf("%s: glyph for %q lost its outline (err %v)", f.name, r, err)
			}
			adv, err := font.GlyphAdvance(&buf, sfnt.GlyphIndex(n), fixed.I(int(f.unitsPerEm)), 0)
			if err != nil || int(adv.Round()) != int(f.advance[f.glyph(r)]) {
				t.Errorf("%s: glyph for %q advance %v, want %d", f.name, r, adv, f.advance[f.glyph(r)])
			}
		}
		if len(sub) > len(f.ttf)/10 {
			t.Errorf("%s: subset of %d glyphs is %d bytes, the whole font %d", f.name, utf8.RuneCountInString(text), len(sub), len(f.ttf))
		}
		if checksum(sub) != 0xB1B0AFBA {
			t.Errorf("%s: whole-font checksum %#x, want 0xB1B0AFBA", f.name, checksum(sub))
		}
	}
}

func TestWrapFitsWidth(t *testing.T) {
	f := families(t).reg
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
	f := families(t).reg
	for in, want := range map[string]string{
		"Zoë":                   "Zoë",
		"Zoe\u0308":             "Zoë", // decomposed → composed
		"a\tb\r\nc":             "a b c",
		"\u202Eabc\u202C":       "abc",
		"🌸":                     "\uFFFD",
		"👨‍👩‍👧 x":               "\uFFFD x",
		"👍🏽":                    "\uFFFD",
		"שלום":                  "שלום",
		"Nguye\u0302\u0303n":    "Nguyễn",
		"ꯀ":                     "\uFFFD", // Meetei Mayek: in no font here
		"bad \xff":              "bad \uFFFD",
		"Ελληνικά Кириллица":    "Ελληνικά Кириллица",
		"nbsp\u00a0and\u2003em": "nbsp\u00a0and\u2003em",
		"Müller\u2011Ng −$5":    "Müller\u2011Ng −$5",
	} {
		if got := f.clean(in, false); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFitAndLimit(t *testing.T) {
	f := families(t).reg
	s := f.fit(strings.Repeat("wide ", 40), 10, 100)
	if f.width(s, 10) > 100 || !strings.HasSuffix(s, "…") {
		t.Errorf("fit = %q (%.1fpt)", s, f.width(s, 10))
	}
	lines := f.limit([]string{"one", "two", "three"}, 2, 10, 100)
	if len(lines) != 2 || lines[1] != "two…" {
		t.Errorf("limit = %q", lines)
	}
}
