package invoice

import (
	"slices"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

// TaxRounding says where tax is rounded to the currency's minor unit. The
// two methods can differ by a cent or more on the same invoice, growing
// with the number of lines; Australian tax invoices may use either (GST Act
// s 9-90), and an org picks the one its accounting system uses so that
// imported invoices total the same.
type TaxRounding string

// Tax rounding methods.
const (
	// PerRate rounds once per tax rate, on the sum of that rate's line
	// amounts. It is carebill's default (the zero value means PerRate).
	PerRate TaxRounding = "per_rate"
	// PerLine rounds each line's tax and adds them up, as Xero,
	// QuickBooks Online and Stripe do.
	PerLine TaxRounding = "per_line"
)

// ValidateTaxRounding checks a stored or requested method; "" is PerRate.
func ValidateTaxRounding(field string, r TaxRounding) error {
	switch r {
	case "", PerRate, PerLine:
		return nil
	}
	return validation.Errorf(field, "must be per_rate or per_line")
}

// ComputeTotalsRounded adds up lines and fees, each line rounded once, tax
// rounded as r says. Fees are not taxed. TaxByRate holds, per rate, the
// base and the tax: rounded once on the base (PerRate) or the sum of the
// rounded line taxes (PerLine).
func ComputeTotalsRounded(cur money.Currency, r TaxRounding, lines []Line, fees []Fee) Totals {
	var t Totals
	byRate := map[string]*TaxLine{}
	taxes := LineTaxes(cur, r, lines)
	for i, l := range lines {
		amt := l.Amount(cur)
		t.Subtotal = t.Subtotal.Add(amt)
		if l.TaxRate.IsZero() {
			continue
		}
		k := l.TaxRate.String()
		tl, ok := byRate[k]
		if !ok {
			tl = &TaxLine{Rate: l.TaxRate}
			byRate[k] = tl
		}
		tl.Base = tl.Base.Add(amt)
		tl.Tax = tl.Tax.Add(taxes[i])
	}
	for _, tl := range byRate {
		t.Tax = t.Tax.Add(tl.Tax)
		t.TaxByRate = append(t.TaxByRate, *tl)
	}
	slices.SortFunc(t.TaxByRate, func(a, b TaxLine) int { return a.Rate.Cmp(b.Rate) })
	for _, f := range fees {
		t.Fees = t.Fees.Add(cur.Round(f.Amount))
	}
	t.Total = t.Subtotal.Add(t.Tax).Add(t.Fees)
	return t
}

// LineTaxes is the tax of each line, in the currency's minor unit, such
// that the lines of one rate add up to that rate's tax under r. PerLine: each
// line's amount × rate, rounded half away from zero. PerRate: the rate's
// tax (rounded once on the base) shared out over its lines by the largest
// remainder method, so an export that needs a tax amount on every line
// still totals exactly what the invoice says.
func LineTaxes(cur money.Currency, r TaxRounding, lines []Line) []decimal.Decimal {
	out := make([]decimal.Decimal, len(lines))
	exact := make([]decimal.Decimal, len(lines))
	groups := map[string][]int{}
	for i, l := range lines {
		if l.TaxRate.IsZero() {
			continue
		}
		exact[i] = l.Amount(cur).Mul(l.TaxRate).Div(hundred)
		out[i] = cur.Round(exact[i])
		k := l.TaxRate.String()
		groups[k] = append(groups[k], i)
	}
	if r == PerLine {
		return out
	}
	unit := decimal.New(1, -cur.MinorUnits())
	for _, idx := range groups {
		var base, sum decimal.Decimal
		for _, i := range idx {
			base = base.Add(lines[i].Amount(cur))
			sum = sum.Add(out[i])
		}
		want := cur.Round(base.Mul(lines[idx[0]].TaxRate).Div(hundred))
		steps := want.Sub(sum).Div(unit).IntPart() // small: at most half the lines
		if steps == 0 {
			continue
		}
		order := slices.Clone(idx)
		// Lines whose rounding lost the most get a unit first when adding;
		// those that gained the most give one back first when taking.
		slices.SortStableFunc(order, func(a, b int) int {
			ra, rb := exact[a].Sub(out[a]), exact[b].Sub(out[b])
			if steps > 0 {
				return rb.Cmp(ra)
			}
			return ra.Cmp(rb)
		})
		delta := unit
		if steps < 0 {
			delta, steps = unit.Neg(), -steps
		}
		for j := int64(0); j < steps; j++ {
			i := order[int(j)%len(order)]
			out[i] = out[i].Add(delta)
		}
	}
	return out
}
