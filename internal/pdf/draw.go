package pdf

import "fmt"

// logoName is the logo's resource name, shared by every page.
const logoName = "Im1"

// draw renders every planned page.
func (l *layout) draw(plans []pagePlan) []*page {
	pages := make([]*page, len(plans))
	for n, plan := range plans {
		p := &page{content: make([]byte, 0, 8<<10)}
		var y float64
		if n == 0 {
			l.drawBand(p)
			l.drawMeta(p)
			y = l.firstTableTop()
		} else {
			l.drawContBand(p)
			y = l.contTableTop()
		}
		y = l.drawTableHead(p, y)
		for _, f := range plan.frags {
			y = l.drawFrag(p, f, y)
		}
		if plan.closing {
			l.drawClosing(p, y+closingGap)
		}
		l.drawFooter(p, n+1, len(plans))
		pages[n] = p
	}
	return pages
}

func (l *layout) drawBand(p *page) {
	b := &l.band
	p.rect(0, 0, pageW, b.h, l.brand)
	if l.logo != nil {
		p.image(logoName, margin, (b.h-l.logoH)/2, l.logoW, l.logoH)
	}
	y := (b.h - b.leftH) / 2
	for _, s := range b.name {
		p.text(b.nameStyle, b.textX, y+b.nameStyle.ascent(), s)
		y += 18
	}
	if b.taxLine != "" {
		p.text(b.taxStyle, b.textX, y+2+b.taxStyle.ascent(), b.taxLine)
	}
	y = (b.h - b.orgH) / 2
	for _, s := range b.orgLines {
		p.textRight(b.orgStyle, pageW-margin, y+b.orgStyle.ascent(), s)
		y += 11.5
	}
}

func (l *layout) drawContBand(p *page) {
	p.rect(0, 0, pageW, contBandH, l.brand)
	s := style{l.bold, 10.5, l.onBrand}
	p.text(s, margin, (contBandH-s.lineHeight())/2+s.ascent(), l.contName)
	r := style{l.reg, 9, l.onBrand}
	p.textRight(r, pageW-margin, (contBandH-r.lineHeight())/2+r.ascent(), l.contRef)
}

func (l *layout) drawMeta(p *page) {
	m := &l.meta
	top := l.band.h + 24
	y := top
	if m.kind != "" || m.stamp != "" {
		p.text(m.kindS, margin, y+20, m.kind)
		if m.stamp != "" {
			x := margin
			if m.kind != "" {
				x += m.kindS.width(m.kind) + 14
			}
			p.badge(m.stampS, x, y+20, m.stamp)
		}
		y += 28
	}
	if m.number != "" {
		p.text(m.numS, margin, y+12, m.number)
		y += 17
	}
	for _, s := range m.title {
		p.text(m.titlS, margin, y+11, s)
		y += 14
	}
	l.drawFields(p, m.dates, top)
	if m.billH == 0 {
		return
	}
	top += m.topH + 20
	y = top
	if m.hasBill {
		p.text(l.label, margin, y+8, "BILL TO")
		y += 14
		p.text(m.billNameS, margin, y+11, m.billName)
		y += 15
		if m.billTax != "" {
			p.text(l.fieldLabel, margin, y+10, m.billTax)
			y += 12.5
		}
		for _, s := range m.billLines {
			p.text(style{l.reg, 9, ink}, margin, y+10, s)
			y += 12.5
		}
	}
	l.drawFields(p, m.refs, top)
}

// drawFields draws label/value rows in the right-hand column from y.
func (l *layout) drawFields(p *page, fs []Field, y float64) {
	x := pageW - margin - sideW
	for _, f := range fs {
		p.text(l.fieldLabel, x, y+10, f.Label)
		p.textRight(l.fieldValue, pageW-margin, y+10, f.Value)
		y += fieldRowH
	}
}

// drawTableHead draws the column titles and returns the y below them.
func (l *layout) drawTableHead(p *page, y float64) float64 {
	p.rect(margin, y, contentW, tableHeadH, l.brand.tint(0.12))
	base := y + (tableHeadH-l.head.lineHeight())/2 + l.head.ascent()
	p.text(l.head, margin+cellPad, base, "Description")
	x := margin + l.descW
	for _, c := range l.cols {
		x += c.w
		p.textRight(l.head, x-cellPad, base, c.title)
	}
	return y + tableHeadH
}

// drawFrag draws part of a row (all of it, usually) and returns the y below.
func (l *layout) drawFrag(p *page, f frag, y float64) float64 {
	r := &l.rows[f.row]
	top := y
	y += rowPad
	for i, rl := range r.lines[f.from:f.to] {
		s := l.body
		if rl.detail {
			s = l.sub
		}
		base := y + s.ascent()
		p.text(s, margin+cellPad, base, rl.text)
		if i == 0 && f.from == 0 {
			x := margin + l.descW
			for j, c := range l.cols {
				x += c.w
				cs := l.body
				cs.size = r.cellSizes[j]
				p.textRight(cs, x-cellPad, base, r.cells[j])
			}
		}
		y += s.lineHeight()
	}
	y = top + l.fragH(f)
	p.hline(margin, pageW-margin, y, 0.5, ruleGrey)
	return y
}

func (l *layout) drawClosing(p *page, top float64) {
	c := &l.closing
	y := top
	if len(c.memo) > 0 {
		p.text(l.label, margin, y+8, "NOTES")
		y += 14
		for _, s := range c.memo {
			p.text(style{l.ital, 9, ink}, margin, y+9.5, s)
			y += 12.6
		}
		y += 10
	}
	if len(c.link) > 0 {
		p.text(l.label, margin, y+8, "PAY ONLINE")
		y += 14
		ls := style{l.reg, 9, l.accent}
		for _, s := range c.link {
			p.text(ls, margin, y+9.5, s)
			if c.uri != "" {
				w := ls.width(s)
				p.hline(margin, margin+w, y+11.2, 0.4, l.accent)
				p.links = append(p.links, link{x: margin, y: y, w: w, h: 12.6, uri: c.uri})
			}
			y += 12.6
		}
		if c.qr != nil {
			y += qrGap
			p.qr(c.qr, margin, y, qrSize)
			p.links = append(p.links, link{x: margin, y: y, w: qrSize, h: qrSize, uri: c.uri})
			y += qrSize
		}
		y += 10
	}
	if len(c.transfer) > 0 {
		p.text(l.label, margin, y+8, "PAY BY BANK TRANSFER")
		y += 14
		for _, t := range c.transfer {
			p.text(style{l.reg, 9, muted}, margin, y+9.5, t.Label)
			p.text(style{l.bold, 9, ink}, margin+transferLabelW, y+9.5, t.Value)
			y += 12.6
		}
	}

	x0, x1 := pageW-margin-totalsW, pageW-margin
	y = top
	for i, t := range c.totals {
		if i == len(c.totals)-1 {
			p.rect(x0, y+2, totalsW, 26, l.brand.tint(0.12))
			p.hline(x0, x1, y+2, 1.2, l.accent)
			s := style{l.bold, 11, ink}
			p.text(s, x0+8, y+19.5, t.Label)
			p.textRight(s, x1-8, y+19.5, t.Value)
			break
		}
		p.text(style{l.reg, 9.5, muted}, x0+8, y+12, t.Label)
		p.textRight(style{l.reg, 9.5, ink}, x1-8, y+12, t.Value)
		y += 17
	}
}

func (l *layout) drawFooter(p *page, n, total int) {
	p.hline(margin, pageW-margin, footerTop, 0.5, ruleGrey)
	s := style{l.reg, 7.5, muted}
	y := footerTop + 12
	p.textRight(s, pageW-margin, y, fmt.Sprintf("Page %d of %d", n, total))
	for _, line := range l.footer {
		p.text(s, margin, y, line)
		y += 9.5
	}
}
