package invoice

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// The two published examples of per-line against per-total rounding
// (formats: Xero's three-line example and QuickBooks Online's 31-line one).
func publishedExamples() map[string]struct {
	lines            []Line
	perLine, perRate string
	totalLine        string
	totalRate        string
} {
	xero := []Line{
		{Type: Fixed, Description: "a", Price: d("25.06"), TaxRate: d("15")},
		{Type: Fixed, Description: "b", Price: d("25.61"), TaxRate: d("15")},
		{Type: Fixed, Description: "c", Price: d("25.63"), TaxRate: d("15")},
	}
	var qbo []Line
	for range 29 {
		qbo = append(qbo, Line{Type: Variable, Description: "x", Quantity: d("1"), Unit: Each, Rate: d("1.59"), TaxRate: d("12")})
	}
	for range 2 {
		qbo = append(qbo, Line{Type: Variable, Description: "y", Quantity: d("11"), Unit: Each, Rate: d("1.59"), TaxRate: d("12")})
	}
	return map[string]struct {
		lines            []Line
		perLine, perRate string
		totalLine        string
		totalRate        string
	}{
		"xero 3 lines at 15%": {xero, "11.44", "11.45", "87.74", "87.75"},
		"qbo 31 lines at 12%": {qbo, "9.71", "9.73", "90.80", "90.82"},
	}
}

func TestTaxRoundingPublishedExamples(t *testing.T) {
	t.Parallel()
	for name, ex := range publishedExamples() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, c := range []struct {
				mode       TaxRounding
				tax, total string
			}{{PerLine, ex.perLine, ex.totalLine}, {PerRate, ex.perRate, ex.totalRate}, {"", ex.perRate, ex.totalRate}} {
				tot := ComputeTotalsRounded(aud, c.mode, ex.lines, nil)
				if tot.Tax.StringFixed(2) != c.tax || tot.Total.StringFixed(2) != c.total {
					t.Errorf("%q: tax %s total %s, want %s and %s", c.mode, tot.Tax.StringFixed(2), tot.Total.StringFixed(2), c.tax, c.total)
				}
				var sum decimal.Decimal
				for _, lt := range LineTaxes(aud, c.mode, ex.lines) {
					sum = sum.Add(lt)
				}
				if !sum.Equal(tot.Tax) {
					t.Errorf("%q: line taxes add to %s, invoice tax %s", c.mode, sum, tot.Tax)
				}
			}
		})
	}
}

func TestInvoiceTotalsFollowItsRounding(t *testing.T) {
	t.Parallel()
	ex := publishedExamples()["xero 3 lines at 15%"]
	sp := Spec{ClientID: "cli_1", Name: "x", Currency: aud, Lines: ex.lines, TaxRounding: PerLine}
	inv, err := NewDraft("inv_1", "org_1", sp, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := inv.Totals().Total.StringFixed(2); got != "87.74" {
		t.Fatalf("per-line invoice total %s, want 87.74", got)
	}
	sp.TaxRounding = "per_invoice"
	if _, err := NewDraft("inv_2", "org_1", sp, now); err == nil {
		t.Fatal("an unknown rounding method was accepted")
	}
}

// Property: under either method, the line taxes of each rate add up to
// that rate's tax, no line's tax is more than one minor unit from its exact
// share, and the total is subtotal + tax + fees.
func TestLineTaxesAddUp(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(12, 34))
	rates := []decimal.Decimal{d("0"), d("10"), d("12.5"), d("15"), d("7.125")}
	for iter := range 400 {
		n := 1 + rng.IntN(40)
		lines := make([]Line, n)
		for i := range lines {
			lines[i] = Line{Type: Variable, Description: "l", Unit: Each,
				Quantity: decimal.New(int64(1+rng.IntN(2000)), -2), Rate: decimal.New(int64(rng.IntN(100000)), -4),
				TaxRate: rates[rng.IntN(len(rates))]}
		}
		for _, mode := range []TaxRounding{PerRate, PerLine} {
			tot := ComputeTotalsRounded(aud, mode, lines, nil)
			taxes := LineTaxes(aud, mode, lines)
			byRate := map[string]decimal.Decimal{}
			for i, l := range lines {
				byRate[l.TaxRate.String()] = byRate[l.TaxRate.String()].Add(taxes[i])
				exact := l.Amount(aud).Mul(l.TaxRate).Div(hundred)
				if exact.Sub(taxes[i]).Abs().GreaterThan(d("0.01")) {
					t.Fatalf("iter %d %s: line %d tax %s is more than a cent from %s", iter, mode, i, taxes[i], exact)
				}
			}
			for _, tl := range tot.TaxByRate {
				if !byRate[tl.Rate.String()].Equal(tl.Tax) {
					t.Fatalf("iter %d %s: rate %s lines add to %s, rate tax %s", iter, mode, tl.Rate, byRate[tl.Rate.String()], tl.Tax)
				}
			}
			if !tot.Total.Equal(tot.Subtotal.Add(tot.Tax).Add(tot.Fees)) {
				t.Fatalf("iter %d %s: total %s ≠ %s + %s", iter, mode, tot.Total, tot.Subtotal, tot.Tax)
			}
		}
	}
}
