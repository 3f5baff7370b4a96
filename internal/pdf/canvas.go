package pdf

import (
	"strconv"

	"rsc.io/qr"
)

// A4 in points, the unit of PDF user space.
const (
	pageW = 595.28
	pageH = 841.89
)

// fontUse is one face as a PDF font resource of one document. Glyphs are
// renumbered in order of first use (new id 0 is .notdef), so the embedded
// subset is as small as the glyphs drawn, and the same glyphs drawn in the
// same order give the same subset (see fontCache). text is what each new
// id stands for, for the ToUnicode map.
type fontUse struct {
	face     *face
	id       string // resource name, e.g. "F1"
	fakeBold bool   // drawn filled and stroked: a bold style's fallback face
	gids     []uint16
	newID    []uint16          // by old id, for small fonts; 0 = not yet drawn
	bigID    map[uint16]uint16 // the same for fonts of many glyphs (CJK)
	text     []string
}

// smallFont is the most glyphs a font may have for its new ids to be kept
// in a slice rather than a map.
const smallFont = 8192

func newFontUse(f *face, id string, fakeBold bool) *fontUse {
	u := &fontUse{face: f, id: id, fakeBold: fakeBold, gids: make([]uint16, 1, 128), text: make([]string, 1, 128)}
	if f.numGlyphs <= smallFont {
		u.newID = make([]uint16, f.numGlyphs)
	} else {
		u.bigID = map[uint16]uint16{}
	}
	return u
}

// ref returns g's new id, recording the glyph and what it stands for.
func (u *fontUse) ref(g *glyph) uint16 {
	var n uint16
	if u.newID != nil {
		n = u.newID[g.gid]
	} else {
		n = u.bigID[g.gid]
	}
	if n == 0 && g.gid != 0 {
		n = uint16(len(u.gids))
		u.gids = append(u.gids, g.gid)
		u.text = append(u.text, "")
		if u.newID != nil {
			u.newID[g.gid] = n
		} else {
			u.bigID[g.gid] = n
		}
	}
	if u.text[n] == "" {
		if g.text != "" {
			u.text[n] = g.text
		} else if g.r != 0 {
			u.text[n] = string(g.r)
		}
	}
	return n
}

// pdfWidth is glyph gid's advance as the /W array states it, in
// thousandths of an em.
func (u *fontUse) pdfWidth(gid uint16) int {
	return int(u.face.advance[gid]) * 1000 / u.face.unitsPerEm
}

// style is how a run of text is drawn.
type style struct {
	font   *family
	size   float64
	colour rgb
}

func (s style) width(t string) float64 { return s.font.width(t, s.size) }

// lineHeight is the vertical advance between baselines.
func (s style) lineHeight() float64 { return s.size * 1.3 }

// ascent is the distance from the top of a line box to its baseline: the
// primary face's extent is centred in the box.
func (s style) ascent() float64 {
	f := s.font.faces[0]
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

// text draws cleaned text with its baseline at y: shaped, in visual
// order, each face's glyphs as a TJ array of two-byte new glyph ids
// (Identity-H) with the shaper's advances where they differ from the
// font's, and glyphs the shaper offsets (marks) placed on their own.
func (p *page) text(s style, x, y float64, t string) {
	if t == "" {
		return
	}
	sh := s.font.shape(t)
	p.fillColour(s.colour)
	p.op("BT ")
	base := pageH - y
	pen := x
	cur, open, move, fake := -1, false, true, false
	var u *fontUse
	closeTJ := func() {
		if open {
			p.op(">] TJ\n")
			open = false
		}
	}
	for i := range sh.glyphs {
		g := &sh.glyphs[i]
		if g.face != cur {
			closeTJ()
			cur, u, move = g.face, s.font.use(g.face), true
			p.op("/")
			p.op(u.id)
			p.op(" ")
			p.nums(s.size)
			p.op("Tf ")
			if u.fakeBold != fake {
				fake = u.fakeBold
				if fake {
					p.nums(s.colour.r, s.colour.g, s.colour.b)
					p.op("RG ")
					p.nums(s.size * 0.03)
					p.op("w 2 Tr ")
				} else {
					p.op("0 Tr ")
				}
			}
		}
		n := u.ref(g)
		if g.dx != 0 || g.dy != 0 {
			closeTJ()
			p.op("1 0 0 1 ")
			p.nums(pen+g.dx*s.size, base+g.dy*s.size)
			p.op("Tm <")
			p.hex(n)
			p.op("> Tj\n")
			move = true
			pen += g.adv * s.size
			continue
		}
		if move {
			closeTJ()
			p.op("1 0 0 1 ")
			p.nums(pen, base)
			p.op("Tm [<")
			open, move = true, false
		}
		p.hex(n)
		if !g.adjustable {
			if adj := float64(u.pdfWidth(g.gid)) - g.adv*1000; adj >= 0.5 || adj <= -0.5 {
				p.op("> ")
				p.nums(adj)
				p.op("<")
			}
		}
		pen += g.adv * s.size
	}
	closeTJ()
	if fake {
		p.op("0 Tr ")
	}
	p.op("ET\n")
}

// hex appends a two-byte glyph id in hex.
func (p *page) hex(n uint16) {
	const hex = "0123456789ABCDEF"
	p.content = append(p.content, hex[n>>12], hex[n>>8&15], hex[n>>4&15], hex[n&15])
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

// qr draws code as black squares, size points wide, with its top-left
// corner at (x, y); each row's dark modules are merged into runs.
func (p *page) qr(code *qr.Code, x, y, size float64) {
	m := size / float64(code.Size)
	p.fillColour(rgb{})
	for row := 0; row < code.Size; row++ {
		for col := 0; col < code.Size; {
			if !code.Black(col, row) {
				col++
				continue
			}
			end := col
			for end < code.Size && code.Black(end, row) {
				end++
			}
			p.nums(x+float64(col)*m, pageH-y-float64(row+1)*m, float64(end-col)*m, m)
			p.op("re ")
			col = end
		}
	}
	p.op("f\n")
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
