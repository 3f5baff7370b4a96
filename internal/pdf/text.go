package pdf

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// clean makes s drawable with f: composed to NFC (so "e" + combining
// diaeresis becomes "ë", one glyph in the font), control and format
// characters dropped (bidi overrides cannot reorder what is printed; the
// bidi algorithm orders right-to-left text), tabs turned into spaces, and
// each character no face of the family draws (emoji, scripts beyond the
// fonts) replaced by one replacement mark. Line breaks are kept only when
// multiline is set.
func (f *family) clean(s string, multiline bool) string {
	if isPlain(s, multiline) {
		return s
	}
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	// joined is set after a zero-width joiner that follows a replaced
	// character: the next missing character belongs to the same emoji
	// sequence (👨‍👩‍👧) and gets no replacement of its own.
	replaced, joined := false, false
	for _, r := range s {
		if r == '\u200D' {
			joined = replaced
			continue
		}
		missing := false
		switch {
		case r == '\n':
			if multiline {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		case r == '\t':
			b.WriteByte(' ')
		case r == '\r' || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r):
			// dropped
		case f.has(r):
			b.WriteRune(r)
		case lookalike[r] != 0 && f.has(lookalike[r]):
			b.WriteRune(lookalike[r])
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Sk, unicode.Variation_Selector):
			// A mark or modifier with nothing to draw: the character it
			// modifies was already drawn or replaced.
			missing = replaced
		default:
			missing = true
			if !joined {
				b.WriteRune(f.replacement())
			}
		}
		replaced, joined = missing, false
	}
	return b.String()
}

// lookalike draws characters the fonts lack with ones they have that read
// the same.
var lookalike = map[rune]rune{
	'\u2010': '-', // hyphen
	'\u2011': '-', // non-breaking hyphen
	'\u2012': '–', // figure dash
	'\u2015': '—', // horizontal bar
}

// isPlain reports whether s is printable ASCII, which needs no cleaning (the
// primary fonts cover all of it).
func isPlain(s string, multiline bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' && !(multiline && c == '\n') || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func (f *family) replacement() rune {
	if f.faces[0].has('\uFFFD') {
		return '\uFFFD'
	}
	return '?'
}

func (f *family) ellipsis() string {
	if f.faces[0].has('…') {
		return "…"
	}
	return "..."
}

// wrap breaks cleaned text into lines no wider than width at size points:
// at line breaks, then between words, and inside words longer than a line.
// It returns at least one line.
func (f *family) wrap(s string, size, width float64) []string {
	var out []string
	for para := range strings.SplitSeq(s, "\n") {
		out = f.wrapPara(out, para, size, width)
	}
	return out
}

func (f *family) wrapPara(out []string, s string, size, width float64) []string {
	s = strings.TrimRight(s, " ")
	if f.width(s, size) <= width {
		return append(out, s)
	}
	var line strings.Builder
	lineW := 0.0
	space := f.width(" ", size)
	flush := func() {
		out = append(out, line.String())
		line.Reset()
		lineW = 0
	}
	for _, word := range strings.Fields(s) {
		w := f.width(word, size)
		if line.Len() > 0 && lineW+space+w <= width {
			line.WriteByte(' ')
			line.WriteString(word)
			lineW += space + w
			continue
		}
		if line.Len() > 0 {
			flush()
		}
		if w <= width {
			line.WriteString(word)
			lineW = w
			continue
		}
		// A word wider than the line (a URL, a run without spaces) is
		// broken between characters.
		for _, r := range word {
			rw := f.runeWidth(r, size)
			if line.Len() > 0 && lineW+rw > width {
				flush()
			}
			line.WriteRune(r)
			lineW += rw
		}
	}
	if line.Len() > 0 || len(out) == 0 {
		flush()
	}
	return out
}

// fit shortens s with an ellipsis until it is no wider than width.
func (f *family) fit(s string, size, width float64) string {
	if f.width(s, size) <= width {
		return s
	}
	return f.cut(s, size, width)
}

// cut ends s with an ellipsis, dropping characters until it fits width.
func (f *family) cut(s string, size, width float64) string {
	e := f.ellipsis()
	room := width - f.width(e, size)
	w := 0.0
	for i, r := range s {
		w += f.runeWidth(r, size)
		if w > room {
			return strings.TrimRight(s[:i], " ") + e
		}
	}
	return strings.TrimRight(s, " ") + e
}

// limit keeps at most n lines, marking a cut with an ellipsis on the last
// kept line.
func (f *family) limit(lines []string, n int, size, width float64) []string {
	if len(lines) <= n {
		return lines
	}
	lines = lines[:n:n]
	lines[n-1] = f.cut(lines[n-1], size, width)
	return lines
}
