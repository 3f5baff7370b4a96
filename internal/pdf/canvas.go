package pdf

import (
	"strconv"
)

// A4 in points, the unit of PDF user space.
const (
	pageW = 595.28
	pageH = 841.89
)

// fontUse records which glyphs of one face a document drew, so only those
// are embedded, and which character each glyph stands for, so the text can
// be extracted (ToUnicode).
type fontUse struct {
	face   *face
	id     string // resource name, e.g. "F1"
	used   []bool // by glyph id
	runeOf []rune // by glyph id; first character drawn with it
	any    bool
}

func newFontUse(f *face, id string) *fontUse {
	return &fontUse{face: f, id: id, used: make([]bool, f.numGlyphs), runeOf: make([]rune, f.numGlyphs)}
}

// style is how a run of text is drawn.
type style struct {
	font   *fontUse
	size   float64
	colour rgb
}

func (s style) width(t string) float64 { return s.font.face.width(t, s.size) }

// lineHeight is the vertical advance between baselines.
func (s style) lineHeight() float64 { return s.size * 1.3 }

// ascent is the distance from the top of a line box to its baseline: the
// glyphs' extent is centred in the box.
func (s style) ascent() float64 {
	f := s.font.face
	em := float64(f.unitsPerEm)
	return (s.lineHeight()-s.size*float64(f.ascent-f.descent)/em)/2 + s.size*float64(f.ascent)/em
}

// link is a clickable rectangle, in top-down page coordinates.
type link struct {
	x, y, w, h float64
	uri        string
}

// page is one page's content stream under construction. Coordinates passed
// in are top-down (y grows down the page, as layout thinks); page converts
// them to PDF's bottom-up space.
type page struct {
	content []byte
	links   []link
}

func (p *page) op(s string) { p.content = append(p.content, s...) }

func (p *page) nums(vs ...float64) {
	for _, v := range vs {
		p.content = appendNum(p.content, v)
		p.content = append(p.content, ' ')
	}
}

func (p *page) fillColour(c rgb) {
	p.nums(c.r, c.g, c.b)
	p.op("rg\n")
}

// rect fills a rectangle whose top-left corner is (x, y).
func (p *page) rect(x, y, w, h float64, c rgb) {
	p.fillColour(c)
	p.nums(x, pageH-y-h, w, h)
	p.op("re f\n")
}

// hline strokes a horizontal rule at y.
func (p *page) hline(x1, x2, y, width float64, c rgb) {
	p.nums(c.r, c.g, c.b)
	p.op("RG ")
	p.nums(width)
	p.op("w ")
	p.nums(x1, pageH-y)
	p.op("m ")
	p.nums(x2, pageH-y)
	p.op("l S\n")
}

// text draws cleaned text with its baseline at y.
func (p *page) text(s style, x, y float64, t string) {
	if t == "" {
		return
	}
	p.fillColour(s.colour)
	p.op("BT /")
	p.op(s.font.id)
	p.op(" ")
	p.nums(s.size)
	p.op("Tf ")
	p.nums(x, pageH-y)
	p.op("Td ")
	p.glyphs(s.font, t)
	p.op(" Tj ET\n")
}

// glyphs appends t as a hex string of two-byte glyph ids (Identity-H) and
// records the glyphs as used.
func (p *page) glyphs(fu *fontUse, t string) {
	const hex = "0123456789ABCDEF"
	fu.any = true
	p.content = append(p.content, '<')
	for _, r := range t {
		g := fu.face.glyph(r)
		if g == 0 {
			// Text is cleaned against the regular face; another face could
			// still lack a character.
			r = fu.face.replacement()
			g = fu.face.glyph(r)
		}
		if !fu.used[g] {
			fu.used[g] = true
			fu.runeOf[g] = r
		}
		p.content = append(p.content, hex[g>>12], hex[g>>8&15], hex[g>>4&15], hex[g&15])
	}
	p.content = append(p.content, '>')
}

// textRight draws text ending at x.
func (p *page) textRight(s style, x, y float64, t string) {
	p.text(s, x-s.width(t), y, t)
}

// image draws the image resource name into the box with top-left (x, y).
func (p *page) image(name string, x, y, w, h float64) {
	p.op("q ")
	p.nums(w, 0, 0, h, x, pageH-y-h)
	p.op("cm /")
	p.op(name)
	p.op(" Do Q\n")
}

// badge draws t with its baseline at y in a framed, tinted box, like a
// rubber stamp: the "PAID" or "VOID" mark. It returns the box width.
func (p *page) badge(s style, x, base float64, t string) float64 {
	padX, h := s.size*0.45, s.size*1.35
	w := s.width(t) + 2*padX
	y := base - (h-s.lineHeight())/2 - s.ascent()
	p.rect(x, y, w, h, s.colour.tint(0.1))
	p.nums(s.colour.r, s.colour.g, s.colour.b)
	p.op("RG ")
	p.nums(s.size / 10)
	p.op("w ")
	p.nums(x, pageH-y-h, w, h)
	p.op("re S\n")
	p.text(s, x+padX, base, t)
	return w
}

func itoa(i int) string { return strconv.Itoa(i) }
