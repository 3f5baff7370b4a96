package pdf

import (
	"encoding/binary"
	"sort"
)

// Composite glyph component flags (TrueType glyf table).
const (
	argsAreWords   = 0x0001
	haveScale      = 0x0008
	moreComponents = 0x0020
	haveXYScale    = 0x0040
	haveTwoByTwo   = 0x0080
)

// subset builds a TrueType file holding the glyphs gids (old ids, in the
// order of their new ids, gids[0] = 0 for .notdef) and after them the
// components of composite glyphs, renumbered, with composite glyphs'
// component references rewritten to the new ids. Only the tables a PDF
// viewer needs for an embedded CIDFontType2 are kept, plus the small OS/2
// and post, and an empty cmap: the PDF addresses glyphs by id, but font
// tools expect the table.
func (f *face) subset(gids []uint16) []byte {
	order := append([]uint16(nil), gids...)
	newID := make(map[uint16]uint16, len(order))
	for i, g := range order {
		newID[g] = uint16(i)
	}
	for i := 0; i < len(order); i++ {
		d := f.glyphData(int(order[i]))
		components(d, func(at int) {
			c := u16(d, at)
			if _, ok := newID[c]; !ok && int(c) < f.numGlyphs && len(order) < 0xFFFF {
				newID[c] = uint16(len(order))
				order = append(order, c)
			}
		})
	}
	n := len(order)
	glyf := make([]byte, 0, 16<<10)
	loca := make([]byte, 4*(n+1))
	hmtx := make([]byte, 4*n)
	for i, g := range order {
		binary.BigEndian.PutUint32(loca[4*i:], uint32(len(glyf)))
		start := len(glyf)
		glyf = append(glyf, f.glyphData(int(g))...)
		d := glyf[start:]
		components(d, func(at int) {
			binary.BigEndian.PutUint16(d[at:], newID[u16(d, at)])
		})
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
		binary.BigEndian.PutUint16(hmtx[4*i:], f.advance[g])
		copy(hmtx[4*i+2:], f.lsb(int(g)))
	}
	binary.BigEndian.PutUint32(loca[4*n:], uint32(len(glyf)))

	head := append([]byte(nil), f.tables["head"]...)
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment, fixed below
	binary.BigEndian.PutUint16(head[50:], 1) // indexToLocFormat: long offsets
	hhea := append([]byte(nil), f.tables["hhea"]...)
	binary.BigEndian.PutUint16(hhea[34:], uint16(n))
	maxp := append([]byte(nil), f.tables["maxp"]...)
	binary.BigEndian.PutUint16(maxp[4:], uint16(n))

	tables := map[string][]byte{"glyf": glyf, "head": head, "loca": loca, "hhea": hhea, "hmtx": hmtx, "maxp": maxp, "cmap": emptyCmap}
	for _, tag := range []string{"cvt ", "fpgm", "prep", "OS/2"} {
		if t, ok := f.tables[tag]; ok {
			tables[tag] = t
		}
	}
	if post := f.tables["post"]; len(post) >= 32 {
		// Version 3: the same metrics, no glyph names.
		p3 := append([]byte(nil), post[:32]...)
		binary.BigEndian.PutUint32(p3, 0x00030000)
		tables["post"] = p3
	}
	out := writeSFNT(tables)
	// The whole-file checksum goes into head.checkSumAdjustment.
	headOff := tableOffset(out, "head")
	binary.BigEndian.PutUint32(out[headOff+8:], 0xB1B0AFBA-checksum(out))
	return out
}

// emptyCmap is a cmap with one Windows Unicode format 4 subtable that maps
// nothing (only the final 0xFFFF segment).
var emptyCmap = []byte{
	0, 0, 0, 1, // version, one subtable
	0, 3, 0, 1, 0, 0, 0, 12, // Windows, Unicode BMP, at 12
	0, 4, 0, 24, 0, 0, // format 4, length, language
	0, 2, 0, 2, 0, 0, 0, 0, // segCountX2, searchRange, entrySelector, rangeShift
	0xFF, 0xFF, 0, 0, // endCode, reservedPad
	0xFF, 0xFF, 0, 1, 0, 0, // startCode, idDelta, idRangeOffset
}

// components calls fn with the offset, in glyph data d, of each component
// glyph id of a composite glyph; simple glyphs have none.
func components(d []byte, fn func(at int)) {
	if len(d) < 10 || i16(d, 0) >= 0 {
		return
	}
	for p := 10; p+4 <= len(d); {
		flags := u16(d, p)
		fn(p + 2)
		p += 4
		if flags&argsAreWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&haveScale != 0:
			p += 2
		case flags&haveXYScale != 0:
			p += 4
		case flags&haveTwoByTwo != 0:
			p += 8
		}
		if flags&moreComponents == 0 {
			return
		}
	}
}

// writeSFNT lays out a TrueType file: offset table, table records sorted by
// tag, then each table padded to four bytes.
func writeSFNT(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	size := 12 + 16*len(tables)
	for tag, t := range tables {
		tags = append(tags, tag)
		size += (len(t) + 3) &^ 3
	}
	sort.Strings(tags)
	n := len(tags)
	sel, pow := 0, 1
	for pow*2 <= n {
		pow *= 2
		sel++
	}
	out := make([]byte, 12+16*n, size)
	binary.BigEndian.PutUint32(out[0:], 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	binary.BigEndian.PutUint16(out[6:], uint16(pow*16))
	binary.BigEndian.PutUint16(out[8:], uint16(sel))
	binary.BigEndian.PutUint16(out[10:], uint16(n*16-pow*16))
	for i, tag := range tags {
		t := tables[tag]
		rec := out[12+16*i:]
		copy(rec, tag)
		binary.BigEndian.PutUint32(rec[4:], checksum(t))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(t)))
		out = append(out, t...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out
}

func tableOffset(sfnt []byte, tag string) int {
	n := int(u16(sfnt, 4))
	for i := range n {
		rec := sfnt[12+16*i:]
		if string(rec[:4]) == tag {
			return int(u32(rec, 8))
		}
	}
	return -1
}

// checksum is the TrueType table checksum: the sum of big-endian uint32s,
// the tail padded with zeros.
func checksum(b []byte) uint32 {
	var sum uint32
	for len(b) >= 4 {
		sum += binary.BigEndian.Uint32(b)
		b = b[4:]
	}
	var tail [4]byte
	copy(tail[:], b)
	return sum + binary.BigEndian.Uint32(tail[:])
}
