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

// subset builds a TrueType file holding only the glyphs marked in used (and
// the components of composite glyphs, which it marks too). Glyph ids are kept,
// so the PDF can map CIDs to glyphs by identity; unused glyphs become empty.
// Only the tables a PDF viewer needs for an embedded CIDFontType2 are kept,
// plus the small cmap, OS/2 and post.
func (f *face) subset(used []bool) []byte {
	used[0] = true // .notdef must always be present
	for g := range used {
		if used[g] {
			f.markComponents(g, used, 0)
		}
	}

	glyf := make([]byte, 0, 16<<10)
	loca := make([]byte, 4*(f.numGlyphs+1))
	for g := 0; g < f.numGlyphs; g++ {
		binary.BigEndian.PutUint32(loca[4*g:], uint32(len(glyf)))
		if used[g] {
			glyf = append(glyf, f.glyphData(g)...)
			for len(glyf)%4 != 0 {
				glyf = append(glyf, 0)
			}
		}
	}
	binary.BigEndian.PutUint32(loca[4*f.numGlyphs:], uint32(len(glyf)))

	head := append([]byte(nil), f.tables["head"]...)
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment, fixed below
	binary.BigEndian.PutUint16(head[50:], 1) // indexToLocFormat: long offsets

	tables := map[string][]byte{
		"glyf": glyf, "head": head, "loca": loca,
		"hhea": f.tables["hhea"], "hmtx": f.tables["hmtx"], "maxp": f.tables["maxp"],
	}
	// cmap, OS/2 and post are not needed by PDF viewers but are small, and
	// keep the subset a complete font for any tool that inspects it.
	for _, tag := range []string{"cvt ", "fpgm", "prep", "cmap", "OS/2"} {
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

// markComponents marks the glyphs a composite glyph is built from. depth
// guards against malformed fonts whose components refer to each other.
func (f *face) markComponents(g int, used []bool, depth int) {
	d := f.glyphData(g)
	if depth > 8 || len(d) < 10 || i16(d, 0) >= 0 {
		return
	}
	for p := 10; p+4 <= len(d); {
		flags, c := u16(d, p), int(u16(d, p+2))
		if c < len(used) && !used[c] {
			used[c] = true
			f.markComponents(c, used, depth+1)
		}
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
