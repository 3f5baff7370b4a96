package pdf

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// Render writes d as an A4 PDF to w. It returns ErrInvalidColour or
// ErrInvalidLogo (wrapped) for bad branding, and never fails on odd text:
// characters the fonts cannot draw (emoji, scripts beyond the fonts' Latin,
// Greek, Cyrillic, Hebrew, Arabic, Chinese and Korean) are replaced by U+FFFD, descriptions wrap and paginate, and
// fixed blocks are cut with an ellipsis rather than overflow (the org name
// at two lines, the title at three, dates and refs at ten rows each, the
// memo at what fits on one page beside the totals).
//
// Fonts are parsed once per process; Render is safe for concurrent use.
func Render(w io.Writer, d Document) error {
	fonts, err := loadFonts()
	if err != nil {
		return fmt.Errorf("render pdf: %w", err)
	}
	brand, err := parseColour(strings.TrimSpace(d.Colour))
	if err != nil {
		return err
	}
	var lg *logo
	if len(d.LogoPNG) > 0 {
		if lg, err = decodeLogo(d.LogoPNG); err != nil {
			return err
		}
	}
	l := newLayout(&d, fonts, brand, lg)
	pages := l.draw(l.paginate())
	out, err := l.assemble(&d, pages)
	if err != nil {
		return fmt.Errorf("render pdf: %w", err)
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	return nil
}

// assemble writes the PDF objects: catalog, page tree, pages with their
// content streams and link annotations, one shared resource dictionary,
// the subset fonts, the logo and the document information.
func (l *layout) assemble(d *Document, pages []*page) ([]byte, error) {
	w := newObjWriter()
	catalog, tree, info, res := w.alloc(), w.alloc(), w.alloc(), w.alloc()

	var kids []string
	for _, p := range pages {
		pg, content := w.alloc(), w.alloc()
		kids = append(kids, ref(pg))
		var annots strings.Builder
		for _, a := range p.links {
			fmt.Fprintf(&annots, "<< /Type /Annot /Subtype /Link /Border [0 0 0] /Rect [%s %s %s %s] /A << /S /URI /URI %s >> >> ",
				num(a.x), num(pageH-a.y-a.h), num(a.x+a.w), num(pageH-a.y), asciiString(a.uri))
		}
		dict := fmt.Sprintf("<< /Type /Page /Parent %s /MediaBox [0 0 %s %s] /Resources %s /Contents %s",
			ref(tree), num(pageW), num(pageH), ref(res), ref(content))
		if annots.Len() > 0 {
			dict += " /Annots [ " + annots.String() + "]"
		}
		w.object(pg, dict+" >>")
		if err := w.stream(content, "", p.content); err != nil {
			return nil, err
		}
	}
	w.object(tree, fmt.Sprintf("<< /Type /Pages /Count %d /Kids [%s] >>", len(pages), strings.Join(kids, " ")))
	w.object(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %s >>", ref(tree)))

	var fonts strings.Builder
	for _, fu := range l.fonts.uses {
		n, err := writeFont(w, fu)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&fonts, "/%s %s ", fu.id, ref(n))
	}
	resources := "<< /ProcSet [/PDF /Text /ImageC /ImageB] /Font << " + fonts.String() + ">>"
	if l.logo != nil {
		n, err := writeLogo(w, l.logo)
		if err != nil {
			return nil, err
		}
		resources += " /XObject << /" + logoName + " " + ref(n) + " >>"
	}
	w.object(res, resources+" >>")

	title := strings.TrimSpace(l.clean(d.Kind) + " " + l.clean(d.Number))
	infoDict := "<< /Producer (carebill) /Title " + textString(title)
	if org := l.clean(d.Org.Name); org != "" {
		infoDict += " /Author " + textString(org)
	}
	if !d.Created.IsZero() {
		t := d.Created
		_, off := t.Zone()
		sign := "+"
		if off < 0 {
			sign, off = "-", -off
		}
		infoDict += fmt.Sprintf(" /CreationDate (D:%s%s%02d'%02d')", t.Format("20060102150405"), sign, off/3600, off%3600/60)
	}
	w.object(info, infoDict+" >>")
	return w.finish(catalog, info)
}

// writeFont embeds the glyphs a document used as a Type 0 font with
// Identity-H encoding over a TrueType CIDFont whose CIDs are the subset's
// glyph ids, plus a ToUnicode map so the text extracts. The compressed
// subset and map come from the process's fontCache when the same glyphs
// were embedded before. It returns the Type 0 font object.
func writeFont(w *objWriter, fu *fontUse) (int, error) {
	f := fu.face
	e, err := subsets.get(fu)
	if err != nil {
		return 0, err
	}
	font, cid, desc, file, tu := w.alloc(), w.alloc(), w.alloc(), w.alloc(), w.alloc()
	name := e.tag + "+" + f.name
	scale := func(v int) string { return itoa(v * 1000 / f.unitsPerEm) }

	w.object(font, fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%s] /ToUnicode %s >>",
		name, ref(cid), ref(tu)))
	w.object(cid, fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %s /CIDToGIDMap /Identity /DW %s /W [%s] >>",
		name, ref(desc), scale(int(f.advance[0])), e.widths))
	stemV := 80
	if f.bold {
		stemV = 140
	}
	w.object(desc, fmt.Sprintf("<< /Type /FontDescriptor /FontName /%s /Flags %d /FontBBox [%s %s %s %s] /ItalicAngle %s /Ascent %s /Descent %s /CapHeight %s /StemV %d /FontFile2 %s >>",
		name, f.flags, scale(f.bbox[0]), scale(f.bbox[1]), scale(f.bbox[2]), scale(f.bbox[3]),
		num(f.italic), scale(f.ascent), scale(f.descent), scale(f.capHeight), stemV, ref(file)))
	w.compressed(file, fmt.Sprintf("/Length1 %d", e.fileLen), e.file)
	w.compressed(tu, "", e.toUnicode)
	return font, nil
}

// subsetTag names a subset by its glyphs, as PDF requires ("ABCDEF+Name"):
// six capitals, the same for the same glyphs.
func subsetTag(key [32]byte) string {
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + key[i]%26
	}
	return string(tag)
}

// toUnicode is the CMap from new glyph ids back to the characters drawn;
// a ligature or cluster glyph maps to all its characters.
func toUnicode(fu *fontUse) []byte {
	var b strings.Builder
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	var entries []string
	for g, s := range fu.text {
		if s != "" {
			entries = append(entries, fmt.Sprintf("<%04X> <%s>", g, utf16Hex(s)))
		}
	}
	for len(entries) > 0 {
		n := min(100, len(entries))
		fmt.Fprintf(&b, "%d beginbfchar\n%s\nendbfchar\n", n, strings.Join(entries[:n], "\n"))
		entries = entries[n:]
	}
	b.WriteString("endcmap\nCMapName currentdict /CMapResource defineresource pop\nend\nend\n")
	return []byte(b.String())
}

// utf16Hex is s in UTF-16BE, as hex digits.
func utf16Hex(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	return b.String()
}

// writeLogo embeds the logo as an image with an alpha soft mask when it has
// transparency.
func writeLogo(w *objWriter, lg *logo) (int, error) {
	img := w.alloc()
	cs, bpc := "/DeviceRGB", 8
	if lg.gray {
		cs = "/DeviceGray"
	}
	dict := fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent %d", lg.w, lg.h, cs, bpc)
	if lg.alpha != nil {
		mask := w.alloc()
		if err := w.stream(mask, fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8", lg.w, lg.h), lg.alpha); err != nil {
			return 0, err
		}
		dict += " /SMask " + ref(mask)
	}
	return img, w.stream(img, dict, lg.rgb)
}

func num(f float64) string { return string(appendNum(nil, f)) }
