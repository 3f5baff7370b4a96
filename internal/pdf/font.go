package pdf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
)

// face is one parsed TrueType font. It is read-only after parsing, so one
// value serves every concurrent Render; per-document state (which glyphs a
// document used) lives in fontUse. ot is the same font as the shaper reads
// it (safe for concurrent use; each shaper wraps it in its own Face).
type face struct {
	name       string            // PostScript-ish base name, e.g. "DejaVuSans"
	ttf        []byte            // the whole font file
	tables     map[string][]byte // raw tables by tag, slices of ttf
	unitsPerEm int
	ascent     int // hhea ascender, font units
	descent    int // hhea descender, font units (negative)
	capHeight  int
	bbox       [4]int
	italic     float64 // italic angle, degrees
	flags      int     // PDF font descriptor flags
	bold       bool
	numGlyphs  int
	numMetrics int // hhea numberOfHMetrics
	longLoca   bool
	advance    []uint16        // advance width per glyph id, font units
	bmp        [0x10000]uint16 // rune → glyph id for the Basic Multilingual Plane; 0 = missing
	// ot is the font as the shaper reads it, parsed on first use: most
	// documents never shape with a given face (CJK text needs no shaping),
	// and parsing a large font's layout tables takes a while.
	ot func() (*font.Font, error)
}

// Font descriptor flags (PDF 32000-1, 9.8.2).
const (
	flagNonsymbolic = 32
	flagItalic      = 64
	flagForceBold   = 1 << 18
)

var errFont = errors.New("malformed TrueType font")

func parseFace(name string, ttf []byte, flags int) (*face, error) {
	f := &face{name: name, ttf: ttf, tables: map[string][]byte{}, flags: flags, bold: flags&flagForceBold != 0}
	if err := f.parse(); err != nil {
		return nil, fmt.Errorf("parse font %s: %w", name, err)
	}
	f.ot = sync.OnceValues(func() (*font.Font, error) {
		ld, err := ot.NewLoader(bytes.NewReader(ttf))
		if err != nil {
			return nil, fmt.Errorf("parse font %s for shaping: %w", name, err)
		}
		ft, err := font.NewFont(ld)
		if err != nil {
			return nil, fmt.Errorf("parse font %s for shaping: %w", name, err)
		}
		return ft, nil
	})
	return f, nil
}

func (f *face) parse() error {
	b := f.ttf
	if len(b) < 12 {
		return errFont
	}
	n := int(u16(b, 4))
	if len(b) < 12+16*n {
		return errFont
	}
	for i := range n {
		rec := b[12+16*i:]
		tag := string(rec[:4])
		off, length := int(u32(rec, 8)), int(u32(rec, 12))
		if off < 0 || length < 0 || off+length > len(b) {
			return fmt.Errorf("%w: table %q out of range", errFont, tag)
		}
		f.tables[tag] = b[off : off+length]
	}
	for _, tag := range []string{"head", "hhea", "maxp", "hmtx", "cmap", "loca", "glyf"} {
		if _, ok := f.tables[tag]; !ok {
			return fmt.Errorf("%w: no %s table", errFont, tag)
		}
	}
	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 {
		return errFont
	}
	f.unitsPerEm = int(u16(head, 18))
	if f.unitsPerEm == 0 {
		return errFont
	}
	f.bbox = [4]int{int(i16(head, 36)), int(i16(head, 38)), int(i16(head, 40)), int(i16(head, 42))}
	f.longLoca = i16(head, 50) == 1
	f.ascent, f.descent = int(i16(hhea, 4)), int(i16(hhea, 6))
	f.capHeight = f.ascent
	if os2 := f.tables["OS/2"]; len(os2) >= 90 && u16(os2, 0) >= 2 {
		f.capHeight = int(i16(os2, 88))
	}
	if post := f.tables["post"]; len(post) >= 8 {
		f.italic = float64(int32(u32(post, 4))) / 65536
	}
	f.numGlyphs = int(u16(maxp, 4))
	f.numMetrics = int(u16(hhea, 34))
	if err := f.parseHmtx(f.numMetrics); err != nil {
		return err
	}
	if n := f.numGlyphs + 1; (f.longLoca && len(f.tables["loca"]) < 4*n) || (!f.longLoca && len(f.tables["loca"]) < 2*n) {
		return fmt.Errorf("%w: short loca", errFont)
	}
	return f.parseCmap()
}

func (f *face) parseHmtx(numMetrics int) error {
	hmtx := f.tables["hmtx"]
	if numMetrics == 0 || numMetrics > f.numGlyphs || len(hmtx) < 4*numMetrics {
		return fmt.Errorf("%w: hmtx", errFont)
	}
	f.advance = make([]uint16, f.numGlyphs)
	for g := range f.advance {
		if g < numMetrics {
			f.advance[g] = u16(hmtx, 4*g)
		} else {
			f.advance[g] = f.advance[numMetrics-1]
		}
	}
	return nil
}

// parseCmap fills the rune → glyph table from the Windows Unicode BMP
// subtable (format 4), the one every Go font carries.
func (f *face) parseCmap() error {
	cmap := f.tables["cmap"]
	if len(cmap) < 4 {
		return errFont
	}
	n := int(u16(cmap, 2))
	if len(cmap) < 4+8*n {
		return errFont
	}
	for i := range n {
		rec := cmap[4+8*i:]
		platform, enc, off := u16(rec, 0), u16(rec, 2), int(u32(rec, 4))
		if off+4 > len(cmap) || u16(cmap, off) != 4 {
			continue
		}
		if platform == 3 && enc == 1 || platform == 0 {
			return f.parseCmap4(cmap[off:])
		}
	}
	return fmt.Errorf("%w: no Unicode BMP cmap", errFont)
}

func (f *face) parseCmap4(t []byte) error {
	if len(t) < 14 {
		return errFont
	}
	segs := int(u16(t, 6)) / 2
	if len(t) < 16+8*segs {
		return errFont
	}
	ends, starts := 14, 16+2*segs
	deltas, ranges := starts+2*segs, starts+4*segs
	for s := range segs {
		end, start := int(u16(t, ends+2*s)), int(u16(t, starts+2*s))
		delta, ro := int(u16(t, deltas+2*s)), int(u16(t, ranges+2*s))
		for c := start; c <= end && c < 0xFFFF; c++ {
			var g int
			if ro == 0 {
				g = (c + delta) & 0xFFFF
			} else {
				at := ranges + 2*s + ro + 2*(c-start)
				if at+2 > len(t) {
					return fmt.Errorf("%w: cmap glyph index out of range", errFont)
				}
				if g = int(u16(t, at)); g != 0 {
					g = (g + delta) & 0xFFFF
				}
			}
			if g < f.numGlyphs {
				f.bmp[c] = uint16(g)
			}
		}
	}
	return nil
}

// glyph returns the glyph id for r, or 0 (.notdef) when the font lacks it.
func (f *face) glyph(r rune) uint16 {
	if r < 0 || r >= 0x10000 {
		return 0
	}
	return f.bmp[r]
}

// has reports whether the font draws r.
func (f *face) has(r rune) bool { return f.glyph(r) != 0 }

// lsb is glyph g's left side bearing (hmtx), font units.
func (f *face) lsb(g int) []byte {
	hmtx := f.tables["hmtx"]
	if g < f.numMetrics {
		return hmtx[4*g+2 : 4*g+4]
	}
	at := 4*f.numMetrics + 2*(g-f.numMetrics)
	if at+2 > len(hmtx) {
		return []byte{0, 0}
	}
	return hmtx[at : at+2]
}

// glyphData returns the glyf bytes of glyph g.
func (f *face) glyphData(g int) []byte {
	loca, glyf := f.tables["loca"], f.tables["glyf"]
	var a, b int
	if f.longLoca {
		a, b = int(u32(loca, 4*g)), int(u32(loca, 4*g+4))
	} else {
		a, b = 2*int(u16(loca, 2*g)), 2*int(u16(loca, 2*g+2))
	}
	if a > b || b > len(glyf) {
		return nil
	}
	return glyf[a:b]
}

func u16(b []byte, i int) uint16 { return binary.BigEndian.Uint16(b[i:]) }
func i16(b []byte, i int) int16  { return int16(binary.BigEndian.Uint16(b[i:])) }
func u32(b []byte, i int) uint32 { return binary.BigEndian.Uint32(b[i:]) }
