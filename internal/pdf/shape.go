package pdf

import (
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/go-text/typesetting/bidi"
	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
)

// family is one style's fonts for one document: a primary face, then the
// faces tried for characters it lacks (DejaVu Sans for the bold and
// oblique faces' gaps, then the CJK faces once needed). A bold family
// draws non-bold fallbacks with a synthetic bold (fill and stroke).
type family struct {
	doc   *docFonts
	faces []*face
	uses  []*fontUse // parallel to faces; nil until the face is drawn
	bold  bool
	cache map[string]*shaped // by text, for this document
}

// glyph is one positioned glyph of shaped text. Advances and offsets are
// in ems of the glyph's face; r or text is what it stands for in the
// ToUnicode map (text for a cluster of several characters, neither for
// the second and later glyphs of a cluster).
type glyph struct {
	face       int // index into family.faces
	gid        uint16
	adv        float64
	dx, dy     float64
	r          rune
	text       string
	adjustable bool // drawn with the face's nominal advance
}

// shaped is a line of text in visual order (left to right), ready to draw.
type shaped struct {
	glyphs []glyph
	width  float64 // ems
}

// use returns the PDF font resource of face i, creating it on first use.
func (fm *family) use(i int) *fontUse {
	for len(fm.uses) < len(fm.faces) {
		fm.uses = append(fm.uses, nil)
	}
	if fm.uses[i] == nil {
		f := fm.faces[i]
		fake := fm.bold && !f.bold
		for _, u := range fm.doc.uses {
			if u.face == f && u.fakeBold == fake {
				fm.uses[i] = u
				return u
			}
		}
		u := newFontUse(f, "F"+itoa(len(fm.doc.uses)+1), fake)
		fm.doc.uses = append(fm.doc.uses, u)
		fm.uses[i] = u
	}
	return fm.uses[i]
}

// faceFor returns the index of the first face that draws r, or -1.
func (fm *family) faceFor(r rune) int {
	for i, f := range fm.faces {
		if f.has(r) {
			return i
		}
	}
	return -1
}

// has reports whether some face of the family draws r, loading the CJK
// fonts when r needs them.
func (fm *family) has(r rune) bool {
	if fm.faceFor(r) >= 0 {
		return true
	}
	if isCJK(r) && !fm.doc.cjk {
		fm.doc.needCJK()
		return fm.faceFor(r) >= 0
	}
	return false
}

// width is the advance of cleaned text s at size points. Simple text is
// summed from nominal advances without building glyphs: layout measures
// many words and prefixes it never draws.
func (fm *family) width(s string, size float64) float64 {
	if sh, ok := fm.cache[s]; ok {
		return sh.width * size
	}
	if !simple(s) {
		return fm.shape(s).width * size
	}
	w := 0.0
	f0 := fm.faces[0]
	for _, r := range s {
		if g := f0.glyph(r); g != 0 {
			w += float64(f0.advance[g]) / float64(f0.unitsPerEm)
			continue
		}
		w += fm.runeWidth(r, 1)
	}
	return w * size
}

// runeWidth is the nominal advance of r at size points, for breaking
// inside words.
func (fm *family) runeWidth(r rune, size float64) float64 {
	i := fm.faceFor(r)
	if i < 0 {
		i, r = 0, fm.replacement()
	}
	f := fm.faces[i]
	return float64(f.advance[f.glyph(r)]) * size / float64(f.unitsPerEm)
}

// shape lays out one line of cleaned text, from the document's cache when
// it was measured before. Text of simple scripts (Latin, Greek, Cyrillic
// without combining marks, CJK) maps one character to one glyph at its
// nominal advance; everything else (marks, Hebrew, Arabic and other
// joining or right-to-left scripts) goes through the bidi algorithm and
// the HarfBuzz shaper, and comes back in visual order.
func (fm *family) shape(s string) *shaped {
	if sh, ok := fm.cache[s]; ok {
		return sh
	}
	var sh *shaped
	if simple(s) {
		sh = fm.shapeSimple(s)
	} else {
		sh = fm.shapeComplex(s)
	}
	if fm.cache == nil {
		fm.cache = map[string]*shaped{}
	}
	fm.cache[s] = sh
	return sh
}

// simple reports whether every character of s is drawn alone, left to
// right, at its nominal advance.
func simple(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r < 0x0300, r >= 0x0370 && r < 0x0483, r >= 0x048A && r < 0x0590:
		case r >= 0x1E00 && r < 0x2000, r >= 0x2010 && r < 0x2028, r >= 0x2030 && r < 0x2060, r >= 0x2070 && r < 0x20D0, r >= 0x2100 && r < 0x2C00:
		case r >= 0x3000 && r < 0xA000 && !unicode.Is(unicode.Mn, r), r >= 0xAC00 && r < 0xD7A4, r >= 0xF900 && r < 0xFB00, r >= 0xFF00 && r < 0xFFF0:
		default:
			return false
		}
	}
	return true
}

func (fm *family) shapeSimple(s string) *shaped {
	sh := &shaped{glyphs: make([]glyph, 0, len(s))}
	for _, r := range s {
		i := fm.faceFor(r)
		if i < 0 {
			i, r = 0, fm.replacement()
		}
		f := fm.faces[i]
		g := f.glyph(r)
		adv := float64(f.advance[g]) / float64(f.unitsPerEm)
		sh.glyphs = append(sh.glyphs, glyph{face: i, gid: g, adv: adv, r: r, adjustable: true})
		sh.width += adv
	}
	return sh
}

// shaperState is what one goroutine needs to shape: HarfBuzz's buffers,
// the bidi algorithm's, and a Face per font (Faces cache lookups and are
// not safe for concurrent use; Fonts are).
type shaperState struct {
	hb    shaping.HarfbuzzShaper
	para  bidi.Paragraph
	faces map[*face]*font.Face
}

// shapers keeps idle shaper states for reuse. Not a sync.Pool: that is
// emptied at every collection, and a state's HarfBuzz fonts (built from a
// face's layout tables on first use) cost far more than a render.
var shapers = make(chan *shaperState, 16)

func getShaper() *shaperState {
	select {
	case st := <-shapers:
		return st
	default:
		return &shaperState{faces: map[*face]*font.Face{}}
	}
}

func putShaper(st *shaperState) {
	select {
	case shapers <- st:
	default:
	}
}

// face is f as the shaper reads it, or nil when f cannot be parsed for
// shaping (its text is then drawn one glyph per character).
func (st *shaperState) face(f *face) *font.Face {
	ff, ok := st.faces[f]
	if !ok {
		ft, err := f.ot()
		if err != nil {
			return nil
		}
		ff = font.NewFace(ft)
		st.faces[f] = ff
	}
	return ff
}

// item is a run of text with one direction, script and face.
type item struct {
	start, end int
	face       int
	script     language.Script
	rtl        bool
	level      bidi.Level
}

func (fm *family) shapeComplex(s string) *shaped {
	st := getShaper()
	defer putShaper(st)
	text := []rune(s)

	// Bidi runs in logical order, each split by script and face.
	runs := st.para.Segment(text, bidi.Neutral)
	var items []item
	for k := range runs.NumRuns() {
		run := runs.Run(k)
		cur := item{start: run.Start, face: -1, rtl: !run.IsLeftToRight(), level: run.Level}
		for i := run.Start; i < run.End; i++ {
			r := text[i]
			sc := language.LookupScript(r)
			inherit := sc == language.Common || sc == language.Inherited || sc == language.Unknown
			fi := fm.faceFor(r)
			if fi < 0 {
				fi = 0
			}
			if cur.face >= 0 && (unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) || unicode.IsSpace(r)) && fm.faces[cur.face].has(r) {
				fi = cur.face // marks and spaces stay with their base's face
			}
			switch {
			case cur.face < 0:
				cur.face = fi
				if !inherit {
					cur.script = sc
				}
			case fi != cur.face || (!inherit && cur.script != 0 && sc != cur.script):
				cur.end = i
				items = append(items, cur)
				cur = item{start: i, face: fi, rtl: cur.rtl, level: cur.level}
				if !inherit {
					cur.script = sc
				}
			case !inherit && cur.script == 0:
				cur.script = sc
			}
		}
		cur.end = run.End
		items = append(items, cur)
	}

	// Shape each item; glyphs come back left to right within an item.
	shapedItems := make([][]glyph, len(items))
	for n, it := range items {
		f := fm.faces[it.face]
		dir := di.DirectionLTR
		if it.rtl {
			dir = di.DirectionRTL
		}
		script := it.script
		if script == 0 {
			script = language.Latin
		}
		hbFace := st.face(f)
		if hbFace == nil {
			shapedItems[n] = fm.shapeSimple(string(text[it.start:it.end])).glyphs
			if it.rtl {
				slices.Reverse(shapedItems[n])
			}
			continue
		}
		out := st.hb.ShapeNoExtents(shaping.Input{
			Text: text, RunStart: it.start, RunEnd: it.end, Direction: dir,
			Face: hbFace, Size: fixed.I(f.unitsPerEm), Script: script,
		})
		em := 64 * float64(f.unitsPerEm)
		gs := make([]glyph, len(out.Glyphs))
		for i, g := range out.Glyphs {
			gs[i] = glyph{face: it.face, gid: uint16(g.GlyphID), adv: float64(g.Advance) / em,
				dx: float64(g.XOffset) / em, dy: float64(g.YOffset) / em}
		}
		// ToUnicode: a cluster's characters go to its first glyph. In a
		// right-to-left run they are stored reversed: extractors (poppler)
		// read a right-to-left line's characters in visual order and
		// reverse them, which would otherwise turn a ligature's "لأ"
		// into "أل".
		for i := 0; i < len(out.Glyphs); {
			g := out.Glyphs[i]
			j := i + 1
			for j < len(out.Glyphs) && out.Glyphs[j].TextIndex() == g.TextIndex() {
				j++
			}
			end := min(g.TextIndex()+max(g.RunesCount(), 1), len(text))
			if end-g.TextIndex() == 1 {
				gs[i].r = text[g.TextIndex()]
			} else if it.rtl {
				rs := slices.Clone(text[g.TextIndex():end])
				slices.Reverse(rs)
				gs[i].text = string(rs)
			} else {
				gs[i].text = string(text[g.TextIndex():end])
			}
			i = j
		}
		shapedItems[n] = gs
	}

	// Visual order (UAX #9, L2): from the highest level down to the lowest
	// odd one, reverse every maximal sequence of items at that level or
	// higher.
	order := make([]int, len(items))
	var hi, loOdd bidi.Level = 0, 127
	for i, it := range items {
		order[i] = i
		hi = max(hi, it.level)
		if it.level%2 == 1 {
			loOdd = min(loOdd, it.level)
		}
	}
	for lvl := hi; lvl >= loOdd && lvl > 0; lvl-- {
		for i := 0; i < len(order); {
			if items[order[i]].level < lvl {
				i++
				continue
			}
			j := i
			for j < len(order) && items[order[j]].level >= lvl {
				j++
			}
			for a, b := i, j-1; a < b; a, b = a+1, b-1 {
				order[a], order[b] = order[b], order[a]
			}
			i = j
		}
	}
	sh := &shaped{}
	for _, n := range order {
		for _, g := range shapedItems[n] {
			sh.glyphs = append(sh.glyphs, g)
			sh.width += g.adv
		}
	}
	return sh
}
