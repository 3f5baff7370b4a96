package pdf

import (
	"fmt"
	"strings"

	"rsc.io/qr"
)

// Page geometry, in points.
const (
	margin      = 40.0
	contentW    = pageW - 2*margin
	sideW       = 230.0 // right-hand column of dates and references
	tableHeadH  = 22.0
	cellPad     = 6.0  // horizontal padding inside table cells
	rowPad      = 4.5  // vertical padding above and below a row
	contBandH   = 34.0 // header band on continuation pages
	footerTop   = pageH - 46
	bodyBottom  = pageH - 56
	closingGap  = 16.0
	totalsW     = 220.0
	minDescW    = 190.0
	cellMinSize = 6.5 // smallest font size a cell shrinks to before it is cut
	maxColW     = 110.0
)

// Limits on lines of fixed-size blocks, so odd input cannot push the table
// off the first page. Cut text ends with an ellipsis.
const (
	maxOrgNameLines = 2
	maxOrgLines     = 6
	maxTitleLines   = 3
	maxBillToLines  = 8
	maxFieldRows    = 10
	maxFooterLines  = 2
)

// layout is a Document cleaned, measured and wrapped, ready to paginate and
// draw. Building it does all text measurement once.
type layout struct {
	brand, onBrand, accent rgb
	fonts                  *docFonts
	reg, bold, ital        *family
	logo                   *logo
	logoW, logoH           float64

	// styles
	body, sub, head, label, fieldLabel, fieldValue style

	band     bandBlock
	meta     metaBlock
	contName string // org name on continuation bands
	contRef  string // kind and number on continuation bands
	cols     []column
	descW    float64
	rows     []row
	closing  closingBlock
	footer   []string
}

type bandBlock struct {
	h           float64
	name        []string
	taxLine     string
	orgLines    []string
	textX       float64
	nameStyle   style
	taxStyle    style
	orgStyle    style
	leftH, orgH float64
}

type metaBlock struct {
	h                  float64
	kind, number       string
	title              []string
	dates, refs        []Field
	billName, billTax  string
	billLines          []string
	hasBill            bool
	topH, billH        float64 // heights of the two rows of the block
	kindS, numS, titlS style
	billNameS          style
	stamp              string // beside the kind, as a framed badge
	stampS             style
}

type column struct {
	title string
	w     float64
}

// row is one line item: wrapped description and detail lines, then the
// right-hand cells, each fitted to its column at its own size.
type row struct {
	lines     []rowLine
	cells     []string
	cellSizes []float64
}

type rowLine struct {
	text   string
	detail bool // period/reference line, smaller and muted
}

type closingBlock struct {
	h          float64
	memo       []string
	link       []string
	uri        string   // clickable target; empty when the link is not http(s)
	qr         *qr.Code // the uri as a QR code
	transfer   []Field
	totals     []Field
	leftW      float64
	totalsRows float64
}

func newLayout(d *Document, fonts *fontSet, brand rgb, lg *logo) *layout {
	df := newDocFonts(fonts)
	l := &layout{
		brand: brand, onBrand: brand.onColour(), accent: brand.readable(),
		fonts: df, reg: df.reg, bold: df.bold, ital: df.ital,
		logo: lg,
	}
	l.body = style{l.reg, 9.5, ink}
	l.sub = style{l.reg, 8, muted}
	l.head = style{l.bold, 8, ink}
	l.label = style{l.bold, 7.5, muted}
	l.fieldLabel = style{l.reg, 9, muted}
	l.fieldValue = style{l.bold, 9, ink}
	l.layoutBand(d)
	l.layoutMeta(d)
	l.layoutTable(d)
	l.layoutClosing(d)
	f := l.reg
	l.footer = f.limit(f.wrap(f.clean(d.Footer, true), 7.5, contentW-90), maxFooterLines, 7.5, contentW-90)
	if d.Footer == "" {
		l.footer = nil
	}
	return l
}

// clean prepares one-line text for drawing.
func (l *layout) clean(s string) string { return l.reg.clean(strings.TrimSpace(s), false) }

func (l *layout) layoutBand(d *Document) {
	b := &l.band
	b.nameStyle = style{l.bold, 15, l.onBrand}
	b.taxStyle = style{l.reg, 9, l.onBrand}
	b.orgStyle = style{l.reg, 8.5, l.onBrand}
	if l.logo != nil {
		// Fit the logo into 46 × 130 points, keeping its aspect ratio.
		l.logoH = 46
		l.logoW = l.logoH * float64(l.logo.w) / float64(l.logo.h)
		if l.logoW > 130 {
			l.logoW = 130
			l.logoH = l.logoW * float64(l.logo.h) / float64(l.logo.w)
		}
	}
	b.textX = margin
	if l.logo != nil {
		b.textX += l.logoW + 14
	}
	leftW := margin + contentW*0.62 - b.textX
	rightW := contentW*0.38 - 16
	bf := l.bold
	name := bf.clean(strings.TrimSpace(d.Org.Name), false)
	if name != "" {
		b.name = bf.limit(bf.wrap(name, 15, leftW), maxOrgNameLines, 15, leftW)
	}
	if id := l.clean(d.Org.TaxID); id != "" {
		b.taxLine = l.reg.fit(strings.TrimSpace(l.clean(d.Org.TaxIDLabel)+" "+id), 9, leftW)
	}
	for _, s := range d.Org.Lines {
		if s = l.clean(s); s != "" {
			b.orgLines = append(b.orgLines, l.reg.fit(s, 8.5, rightW))
		}
	}
	b.orgLines = l.reg.limit(b.orgLines, maxOrgLines, 8.5, rightW)
	b.leftH = float64(len(b.name)) * 18
	if b.taxLine != "" {
		b.leftH += 14
	}
	b.orgH = float64(len(b.orgLines)) * 11.5
	b.h = max(86, 40+b.leftH, 40+b.orgH, 40+l.logoH)

	l.contName = bf.fit(name, 10.5, contentW*0.6)
	l.contRef = l.reg.fit(strings.TrimSpace(l.clean(d.Kind)+" "+l.clean(d.Number)), 9, contentW*0.35)
}

func (l *layout) layoutMeta(d *Document) {
	m := &l.meta
	leftW := contentW - sideW - 20
	m.kindS = style{l.bold, 20, ink}
	m.numS = style{l.bold, 11.5, l.accent}
	m.titlS = style{l.reg, 10, muted}
	m.billNameS = style{l.bold, 10.5, ink}
	// The stamp takes up to half the heading row; the kind gets the rest.
	kindW := leftW
	if st := l.bold.clean(strings.TrimSpace(d.Stamp), false); st != "" {
		m.stampS = style{l.bold, 16, stampRed}
		m.stamp = l.bold.fit(st, 16, leftW/2-16)
		kindW -= m.stampS.width(m.stamp) + 16 + 14
	}
	m.kind = l.bold.fit(l.clean(d.Kind), 20, kindW)
	m.number = l.bold.fit(l.clean(d.Number), 11.5, leftW)
	if t := l.reg.clean(strings.TrimSpace(d.Title), false); t != "" {
		m.title = l.reg.limit(l.reg.wrap(t, 10, leftW), maxTitleLines, 10, leftW)
	}
	m.dates = l.fields(d.Dates)
	m.refs = l.fields(d.Refs)

	left := 0.0
	if m.kind != "" || m.stamp != "" {
		left += 28
	}
	if m.number != "" {
		left += 17
	}
	left += float64(len(m.title)) * 14
	m.topH = max(left, float64(len(m.dates))*fieldRowH)

	m.billName = l.bold.fit(l.bold.clean(strings.TrimSpace(d.BillTo.Name), false), 10.5, leftW)
	if id := l.clean(d.BillTo.TaxID); id != "" {
		m.billTax = l.reg.fit(strings.TrimSpace(l.clean(d.BillTo.TaxIDLabel)+" "+id), 9, leftW)
	}
	for _, s := range d.BillTo.Lines {
		if s = l.clean(s); s != "" {
			m.billLines = append(m.billLines, l.reg.fit(s, 9, leftW))
		}
	}
	m.billLines = l.reg.limit(m.billLines, maxBillToLines, 9, leftW)
	m.hasBill = m.billName != "" || m.billTax != "" || len(m.billLines) > 0
	bill := 0.0
	if m.hasBill {
		bill = 14 + 15 + 12.5*float64(len(m.billLines))
		if m.billTax != "" {
			bill += 12.5
		}
	}
	m.billH = max(bill, float64(len(m.refs))*fieldRowH)
	m.h = 24 + m.topH + 20
	if m.billH > 0 {
		m.h += m.billH + 20
	}
}

const fieldRowH = 14.0

// fields cleans label/value rows and fits them to the side column.
func (l *layout) fields(in []Field) []Field {
	var out []Field
	for i, f := range in {
		lab, val := l.clean(f.Label), l.clean(f.Value)
		if lab == "" && val == "" {
			continue
		}
		if len(out) == maxFieldRows-1 && i < len(in)-1 {
			out = append(out, Field{Label: fmt.Sprintf("%s %d more", l.reg.ellipsis(), len(in)-i)})
			break
		}
		lab = l.reg.fit(lab, 9, 110)
		val = l.bold.fit(val, 9, sideW-l.fieldLabel.width(lab)-10)
		out = append(out, Field{lab, val})
	}
	return out
}

// layoutTable chooses the columns (leaving out ones empty on every line),
// sizes them to their content, and wraps each description.
func (l *layout) layoutTable(d *Document) {
	type colDef struct {
		title string
		get   func(Line) string
	}
	defs := []colDef{
		{"Qty", func(x Line) string { return x.Quantity }},
		{"Unit", func(x Line) string { return x.Unit }},
		{"Rate", func(x Line) string { return x.Rate }},
		{"Discount", func(x Line) string { return x.Discount }},
		{"Amount", func(x Line) string { return x.Amount }},
	}
	var used []colDef
	for i, c := range defs {
		keep := i == len(defs)-1
		for _, x := range d.Lines {
			keep = keep || strings.TrimSpace(c.get(x)) != ""
		}
		if keep {
			used = append(used, c)
		}
	}
	cells := make([][]string, len(d.Lines))
	l.cols = make([]column, len(used))
	for j, c := range used {
		w := l.head.width(c.title)
		for i, x := range d.Lines {
			s := l.clean(c.get(x))
			cells[i] = append(cells[i], s)
			w = max(w, l.body.width(s))
		}
		// A column is as wide as its widest cell, within limits, and never
		// narrower than its title.
		l.cols[j] = column{title: c.title, w: max(36, l.head.width(c.title)+2*cellPad, min(maxColW, w+2*cellPad))}
	}
	// Columns wider than the page allows shrink together; their cells then
	// shrink or are cut below.
	sum := 0.0
	for _, c := range l.cols {
		sum += c.w
	}
	if sum > contentW-minDescW {
		scale := (contentW - minDescW) / sum
		for j := range l.cols {
			l.cols[j].w *= scale
		}
		sum = contentW - minDescW
	}
	l.descW = contentW - sum

	textW := l.descW - 2*cellPad
	f := l.reg
	l.rows = make([]row, len(d.Lines))
	for i, x := range d.Lines {
		r := &l.rows[i]
		for _, s := range f.wrap(f.clean(strings.TrimSpace(x.Description), true), l.body.size, textW) {
			r.lines = append(r.lines, rowLine{text: s})
		}
		var detail []string
		for _, s := range []string{x.Period, x.Ref} {
			if s = l.clean(s); s != "" {
				detail = append(detail, s)
			}
		}
		if len(detail) > 0 {
			for _, s := range f.wrap(strings.Join(detail, " · "), l.sub.size, textW) {
				r.lines = append(r.lines, rowLine{text: s, detail: true})
			}
		}
		for j, s := range cells[i] {
			avail := l.cols[j].w - 2*cellPad
			size := l.body.size
			if w := l.body.width(s); w > avail {
				size = max(cellMinSize, size*avail/w)
				s = f.fit(s, size, avail)
			}
			r.cells = append(r.cells, s)
			r.cellSizes = append(r.cellSizes, size)
		}
	}
}

func (l *layout) lineH(rl rowLine) float64 {
	if rl.detail {
		return l.sub.lineHeight()
	}
	return l.body.lineHeight()
}

func (l *layout) layoutClosing(d *Document) {
	c := &l.closing
	c.leftW = contentW - totalsW - 24
	f := l.reg
	if m := l.ital.clean(strings.TrimSpace(d.Memo), true); m != "" {
		c.memo = l.ital.wrap(m, 9, c.leftW)
	}
	if link := l.clean(d.PayLink); link != "" {
		if clickable(d.PayLink) {
			c.uri = strings.TrimSpace(d.PayLink)
			// A link too long for a QR code is still printed and clickable.
			if code, err := qr.Encode(c.uri, qr.M); err == nil {
				c.qr = code
			}
		}
		c.link = f.limit(f.wrap(link, 9, c.leftW), 8, 9, c.leftW)
	}
	for _, t := range d.Transfer {
		lab, val := l.clean(t.Label), l.clean(t.Value)
		if lab == "" && val == "" {
			continue
		}
		lab = f.fit(lab, 9, transferLabelW-8)
		val = l.bold.fit(val, 9, c.leftW-transferLabelW)
		c.transfer = append(c.transfer, Field{lab, val})
		if len(c.transfer) == maxFieldRows {
			break
		}
	}
	// Totals are refitted to their own column; the last, emphasised row is
	// measured in its larger bold type.
	c.totals = l.fields(d.Totals)
	for i := range c.totals {
		t := &c.totals[i]
		lf, lsize := f, 9.5
		if i == len(c.totals)-1 {
			lf, lsize = l.bold, 11
		}
		t.Label = lf.fit(t.Label, lsize, totalsW*0.55)
		t.Value = l.bold.fit(t.Value, 11, totalsW-lf.width(t.Label, lsize)-20)
	}
	c.totalsRows = 0
	if n := len(c.totals); n > 0 {
		c.totalsRows = float64(n-1)*17 + 30
	}
	// The closing block is kept whole on one page; a memo longer than a
	// page is cut to fit.
	room := bodyBottom - (contBandH + 20 + tableHeadH) - closingGap - 4
	room -= c.payH()
	if len(c.memo) > 0 {
		maxMemo := int((room - 24) / 12.6)
		c.memo = l.ital.limit(c.memo, max(1, maxMemo), 9, c.leftW)
	}
	c.h = max(c.totalsRows, c.leftH())
}

// QR code and bank transfer geometry, in points.
const (
	qrSize         = 72.0
	qrGap          = 6.0 // between the link and its QR code
	transferLabelW = 96.0
)

// leftH is the height of the notes and payment column.
func (c *closingBlock) leftH() float64 {
	h := c.payH()
	if len(c.memo) > 0 {
		h += 14 + 12.6*float64(len(c.memo)) + 10
	}
	return h
}

// payH is the height of the pay link (with its QR code) and the bank
// transfer rows.
func (c *closingBlock) payH() float64 {
	h := 0.0
	if len(c.link) > 0 {
		h += 14 + 12.6*float64(len(c.link)) + 10
		if c.qr != nil {
			h += qrGap + qrSize
		}
	}
	if len(c.transfer) > 0 {
		h += 14 + 12.6*float64(len(c.transfer)) + 10
	}
	return h
}

// clickable reports whether a pay link may become a link annotation: only
// http(s) URLs of printable ASCII, so a "javascript:" or malformed value is
// printed but never made active.
func clickable(s string) bool {
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
