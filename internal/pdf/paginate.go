package pdf

// frag is the part of a row drawn on one page: lines [from, to). A row
// splits across pages only when it is taller than a whole page.
type frag struct{ row, from, to int }

// pagePlan is what one page holds.
type pagePlan struct {
	frags   []frag
	closing bool // totals, notes and pay link: on the last page only
}

// firstTableTop is where the table header starts on the first page.
func (l *layout) firstTableTop() float64 { return l.band.h + l.meta.h }

// contTableTop is where the table header starts on later pages.
func (l *layout) contTableTop() float64 { return contBandH + 20 }

func (l *layout) fragH(f frag) float64 {
	h := 2 * rowPad
	for _, rl := range l.rows[f.row].lines[f.from:f.to] {
		h += l.lineH(rl)
	}
	return h
}

// paginate places rows on pages top to bottom. The table header repeats on
// every page. The last row is kept with the closing block when they fit on a
// page together, so totals never stand alone under an empty table.
func (l *layout) paginate() []pagePlan {
	pages := []pagePlan{{}}
	y := l.firstTableTop() + tableHeadH
	contTop := l.contTableTop() + tableHeadH
	newPage := func() {
		pages = append(pages, pagePlan{})
		y = contTop
	}
	for i := range l.rows {
		r := &l.rows[i]
		whole := l.fragH(frag{i, 0, len(r.lines)})
		cur := &pages[len(pages)-1]
		switch {
		case i == len(l.rows)-1 && len(cur.frags) > 0 &&
			y+whole+closingGap+l.closing.h > bodyBottom && contTop+whole+closingGap+l.closing.h <= bodyBottom:
			newPage()
		case y+whole > bodyBottom && len(cur.frags) > 0:
			newPage()
		}
		for from := 0; from < len(r.lines); {
			to, h := from, 2*rowPad
			for to < len(r.lines) && y+h+l.lineH(r.lines[to]) <= bodyBottom {
				h += l.lineH(r.lines[to])
				to++
			}
			if to == from {
				if len(pages[len(pages)-1].frags) > 0 {
					newPage()
					continue
				}
				h += l.lineH(r.lines[to]) // cannot happen on A4; never loop forever
				to++
			}
			pages[len(pages)-1].frags = append(pages[len(pages)-1].frags, frag{i, from, to})
			y += h
			from = to
			if from < len(r.lines) {
				newPage()
			}
		}
	}
	if y+closingGap+l.closing.h > bodyBottom {
		newPage()
	}
	pages[len(pages)-1].closing = true
	return pages
}
