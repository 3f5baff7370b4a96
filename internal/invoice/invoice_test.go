package invoice

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

var (
	aud = money.MustCurrency("AUD")
	d   = decimal.RequireFromString
	now = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
)

func novemberSpec() Spec {
	return Spec{
		ClientID: "cli_1", Name: "Client Invoice – November", Currency: aud, TermsDays: 14,
		Lines: []Line{
			{Type: Variable, Description: "Support coordination", Quantity: d("40"), Unit: Hours, Rate: d("50"), TaxRate: d("10")},
			{Type: Variable, Description: "Travel", Quantity: d("20"), Unit: Miles, Rate: d("0.25"), TaxRate: d("10")},
			{Type: Fixed, Description: "Consulting", Price: d("50"), TaxRate: d("10")},
		},
	}
}

func TestSeedExampleTotals(t *testing.T) {
	t.Parallel()
	inv, err := NewDraft("inv_1", "org_1", novemberSpec(), now)
	if err != nil {
		t.Fatal(err)
	}
	tot := inv.Totals()
	for name, c := range map[string][2]decimal.Decimal{
		"subtotal": {tot.Subtotal, d("2055.00")},
		"tax":      {tot.Tax, d("205.50")},
		"total":    {tot.Total, d("2260.50")},
		"balance":  {inv.Balance(), d("2260.50")},
	} {
		if !c[0].Equal(c[1]) {
			t.Errorf("%s = %s, want %s", name, c[0], c[1])
		}
	}
}

func TestRoundingOncePerLineAndPerRate(t *testing.T) {
	t.Parallel()
	s := Spec{ClientID: "c", Name: "n", Currency: aud, Lines: []Line{
		// 1.5 h × 33.335 = 50.0025 → 50.00; 0.333 × 10 = 3.33
		{Type: Variable, Description: "a", Quantity: d("1.5"), Unit: Hours, Rate: d("33.335"), TaxRate: d("10")},
		{Type: Variable, Description: "b", Quantity: d("0.333"), Unit: Km, Rate: d("10"), TaxRate: d("10")},
		{Type: Fixed, Description: "c", Price: d("0.05"), TaxRate: d("0")},
		{Type: Fixed, Description: "d", Price: d("10.00"), Discount: d("2.50"), TaxRate: d("15")},
	}, Fees: []Fee{{Description: "Card fee", Amount: d("1.75")}}}
	tot := ComputeTotals(aud, s.Lines, s.Fees)
	// 10% on 53.33 = 5.333 → 5.33; 15% on 7.50 = 1.125 → 1.13 (half away from zero)
	if !tot.Subtotal.Equal(d("60.88")) || !tot.Tax.Equal(d("6.46")) || !tot.Fees.Equal(d("1.75")) || !tot.Total.Equal(d("69.09")) {
		t.Fatalf("totals = %+v", tot)
	}
	if len(tot.TaxByRate) != 2 || !tot.TaxByRate[0].Rate.Equal(d("10")) || !tot.TaxByRate[1].Tax.Equal(d("1.13")) {
		t.Fatalf("tax by rate = %+v", tot.TaxByRate)
	}
	jpy := money.MustCurrency("JPY")
	if got := (Line{Type: Variable, Quantity: d("1.5"), Rate: d("333")}).Amount(jpy); !got.Equal(d("500")) {
		t.Fatalf("JPY 1.5 × 333 = %s, want 500 (499.5 rounds away from zero)", got)
	}
}

// randomSpec builds a valid spec from r: the generator for property tests.
func randomSpec(r *rand.Rand, cur money.Currency) Spec {
	places := cur.MinorUnits()
	amt := func(maxUnits int64) decimal.Decimal {
		return decimal.New(r.Int64N(maxUnits*pow10(places)+1), -places)
	}
	s := Spec{ClientID: "c", Name: "n", Currency: cur}
	rates := []string{"0", "10", "15", "7.5", "12.3456"}
	for range 1 + r.IntN(60) {
		l := Line{Description: "x", TaxRate: d(rates[r.IntN(len(rates))])}
		if r.IntN(2) == 0 {
			l.Type, l.Unit = Variable, Hours
			l.Quantity = decimal.New(r.Int64N(10_000_000), -4) // up to 1000.0000
			l.Rate = decimal.New(r.Int64N(5_000_000), -4)      // up to 500.0000
		} else {
			l.Type, l.Price = Fixed, amt(5_000)
		}
		gross := l.gross()
		if r.IntN(3) == 0 && gross.IsPositive() {
			l.Discount = cur.Round(gross.Mul(decimal.New(r.Int64N(100), -2))).Truncate(places)
			if l.Discount.GreaterThan(gross) {
				l.Discount = decimal.Zero
			}
		}
		s.Lines = append(s.Lines, l)
	}
	for range r.IntN(3) {
		s.Fees = append(s.Fees, Fee{Description: "fee", Amount: amt(50)})
	}
	return s
}

func pow10(n int32) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// TestTotalsProperties checks the totals invariants on many random invoices
// in AUD, JPY and KWD: totals add up, every figure sits on the currency's
// minor unit, and the balance never goes below zero whatever is paid.
func TestTotalsProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(20261125, 2))
	for _, code := range []string{"AUD", "JPY", "KWD"} {
		cur := money.MustCurrency(code)
		for i := range 2000 {
			s := randomSpec(r, cur)
			if err := s.Validate(); err != nil {
				t.Fatalf("%s #%d: generator made an invalid spec: %v", code, i, err)
			}
			tot := ComputeTotals(cur, s.Lines, s.Fees)
			sum := decimal.Zero
			for _, l := range s.Lines {
				a := l.Amount(cur)
				if a.IsNegative() || !a.Equal(a.Truncate(cur.MinorUnits())) {
					t.Fatalf("%s #%d: line amount %s not a non-negative minor-unit amount", code, i, a)
				}
				sum = sum.Add(a)
			}
			taxSum := decimal.Zero
			for _, tl := range tot.TaxByRate {
				taxSum = taxSum.Add(tl.Tax)
			}
			feeSum := decimal.Zero
			for _, f := range s.Fees {
				feeSum = feeSum.Add(f.Amount)
			}
			switch {
			case !tot.Subtotal.Equal(sum):
				t.Fatalf("%s #%d: subtotal %s != sum of lines %s", code, i, tot.Subtotal, sum)
			case !tot.Tax.Equal(taxSum):
				t.Fatalf("%s #%d: tax %s != sum by rate %s", code, i, tot.Tax, taxSum)
			case !tot.Fees.Equal(feeSum):
				t.Fatalf("%s #%d: fees %s != %s", code, i, tot.Fees, feeSum)
			case !tot.Total.Equal(tot.Subtotal.Add(tot.Tax).Add(tot.Fees)):
				t.Fatalf("%s #%d: total %s != subtotal + tax + fees", code, i, tot.Total)
			case !tot.Total.Equal(tot.Total.Truncate(cur.MinorUnits())):
				t.Fatalf("%s #%d: total %s has sub-minor digits", code, i, tot.Total)
			}
			inv := &Invoice{Spec: s, status: Open}
			inv.paid = tot.Total.Mul(decimal.New(r.Int64N(300), -2)).Truncate(cur.MinorUnits())
			bal := inv.Balance()
			excess := inv.paid.Sub(tot.Total)
			if bal.IsNegative() {
				t.Fatalf("%s #%d: balance %s < 0", code, i, bal)
			}
			if excess.IsPositive() && !bal.IsZero() {
				t.Fatalf("%s #%d: overpaid by %s but balance %s", code, i, excess, bal)
			}
			// Nothing disappears: what was paid is either against the balance or surplus.
			if !bal.Add(inv.paid).Sub(tot.Total).Equal(decimal.Max(excess, decimal.Zero)) {
				t.Fatalf("%s #%d: paid %s, total %s, balance %s do not reconcile", code, i, inv.paid, tot.Total, bal)
			}
		}
	}
}

func TestLifecycle(t *testing.T) {
	t.Parallel()
	inv, err := NewDraft("inv_1", "org_1", novemberSpec(), now)
	if err != nil {
		t.Fatal(err)
	}
	if err := inv.VoidInvoice("oops", now); !errors.Is(err, ErrNotOpen) {
		t.Fatalf("void draft: %v", err)
	}
	today := calendar.MustParse("2026-11-25")
	if err := inv.Finalize("INV-", 42, today, now); err != nil {
		t.Fatal(err)
	}
	if inv.Number != "INV-00042" || inv.status != Open || inv.Spec.IssueDate != today || inv.Spec.DueDate.String() != "2026-12-09" {
		t.Fatalf("after finalize: %s %s %s %s", inv.Number, inv.status, inv.Spec.IssueDate, inv.Spec.DueDate)
	}
	if err := inv.Edit(novemberSpec(), now); !errors.Is(err, ErrNotDraft) {
		t.Fatalf("edit open: %v", err)
	}
	if err := inv.Finalize("INV-", 43, today, now); !errors.Is(err, ErrNotDraft) {
		t.Fatalf("refinalize: %v", err)
	}
	if err := inv.CheckDeletable(); !errors.Is(err, ErrNotDraft) {
		t.Fatalf("delete open: %v", err)
	}
	if inv.Overdue(calendar.MustParse("2026-12-09")) || !inv.Overdue(calendar.MustParse("2026-12-10")) {
		t.Fatal("overdue should start the day after the due date")
	}
	inv.locked = true
	if err := inv.VoidInvoice("duplicate", now); !errors.Is(err, ErrLocked) {
		t.Fatalf("void locked: %v", err)
	}
	inv.locked = false
	inv.paid = d("10")
	if err := inv.VoidInvoice("duplicate", now); !errors.Is(err, ErrHasPayments) {
		t.Fatalf("void paid: %v", err)
	}
	inv.paid = decimal.Zero
	if err := inv.VoidInvoice("", now); err == nil {
		t.Fatal("void without reason accepted")
	}
	if err := inv.VoidInvoice("duplicate", now); err != nil || inv.status != Void || inv.Number != "INV-00042" {
		t.Fatalf("void: %v %s %s", err, inv.status, inv.Number)
	}
	if err := inv.VoidInvoice("again", now); !errors.Is(err, ErrNotOpen) {
		t.Fatalf("void twice: %v", err)
	}
}

func TestFinalizeKeepsGivenDatesAndRefusesEmpty(t *testing.T) {
	t.Parallel()
	s := novemberSpec()
	s.IssueDate, s.DueDate = calendar.MustParse("2026-11-01"), calendar.MustParse("2026-11-08")
	inv, _ := NewDraft("inv_1", "org_1", s, now)
	if err := inv.Finalize("A", 1, calendar.MustParse("2026-11-25"), now); err != nil {
		t.Fatal(err)
	}
	if inv.Spec.IssueDate.String() != "2026-11-01" || inv.Spec.DueDate.String() != "2026-11-08" {
		t.Fatalf("dates changed: %s %s", inv.Spec.IssueDate, inv.Spec.DueDate)
	}
	empty := novemberSpec()
	empty.Lines = nil
	inv2, err := NewDraft("inv_2", "org_1", empty, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := inv2.Finalize("A", 2, calendar.MustParse("2026-11-25"), now); !errors.Is(err, ErrEmpty) {
		t.Fatalf("finalize empty: %v", err)
	}
}

func TestSpecValidation(t *testing.T) {
	t.Parallel()
	mod := func(f func(*Spec)) Spec { s := novemberSpec(); f(&s); return s }
	cases := map[string]struct {
		spec  Spec
		field string
	}{
		"no name":           {mod(func(s *Spec) { s.Name = "" }), "name"},
		"long name":         {mod(func(s *Spec) { s.Name = string(make([]byte, 201)) }), "name"},
		"negative quantity": {mod(func(s *Spec) { s.Lines[0].Quantity = d("-1") }), "lineItems[0].quantity"},
		"huge rate":         {mod(func(s *Spec) { s.Lines[0].Rate = d("1000000.01") }), "lineItems[0].rate"},
		"cents on cents":    {mod(func(s *Spec) { s.Lines[2].Price = d("1.005") }), "lineItems[2].amount"},
		"discount > line":   {mod(func(s *Spec) { s.Lines[2].Discount = d("50.01") }), "lineItems[2].discount"},
		"bad unit":          {mod(func(s *Spec) { s.Lines[0].Unit = "parsecs" }), "lineItems[0].unit"},
		"bad type":          {mod(func(s *Spec) { s.Lines[0].Type = "hourly" }), "lineItems[0].type"},
		"price on variable": {mod(func(s *Spec) { s.Lines[0].Price = d("1") }), "lineItems[0].amount"},
		"tax over 100":      {mod(func(s *Spec) { s.Lines[0].TaxRate = d("101") }), "lineItems[0].taxRate"},
		"period backwards": {mod(func(s *Spec) {
			s.Lines[0].PeriodStart, s.Lines[0].PeriodEnd = calendar.MustParse("2026-11-30"), calendar.MustParse("2026-11-01")
		}), "lineItems[0].periodEnd"},
		"due before issue": {mod(func(s *Spec) {
			s.IssueDate, s.DueDate = calendar.MustParse("2026-11-30"), calendar.MustParse("2026-11-01")
		}), "dueDate"},
		"too many lines": {mod(func(s *Spec) { s.Lines = make([]Line, MaxLines+1) }), "lineItems"},
		"total too big": {mod(func(s *Spec) {
			for range 20 {
				s.Lines = append(s.Lines, Line{Type: Fixed, Description: "big", Price: MaxAmount})
			}
		}), "lineItems"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := tc.spec.Validate()
			v, ok := validation.As(err)
			if !ok || v.Field != tc.field {
				t.Fatalf("err = %v, want a validation error on %s", err, tc.field)
			}
		})
	}
}

// BenchmarkTotals50Lines measures totals for a 50-line invoice, the figure
// recorded in BENCHMARKS.md.
func BenchmarkTotals50Lines(b *testing.B) {
	s := novemberSpec()
	for len(s.Lines) < 50 {
		s.Lines = append(s.Lines, s.Lines[len(s.Lines)%3])
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = ComputeTotals(aud, s.Lines, s.Fees)
	}
}

func TestDocumentKindAndActions(t *testing.T) {
	t.Parallel()
	now := time.Now()
	taxed, err := NewDraft("inv_1", "org_1", Spec{ClientID: "cli_1", Name: "n", Currency: money.MustCurrency("AUD"),
		Lines: []Line{{Type: Fixed, Description: "x", Price: d("100"), TaxRate: d("10")}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if taxed.DocumentKind(true) != "Tax invoice" || taxed.DocumentKind(false) != "Invoice" {
		t.Fatalf("kind: %q %q", taxed.DocumentKind(true), taxed.DocumentKind(false))
	}
	if got := fmt.Sprint(taxed.AvailableActions()); got != "[edit delete finalize send]" {
		t.Fatalf("draft actions: %s", got)
	}
	if err := taxed.Finalize("INV-", 1, calendar.MustParse("2026-11-25"), now); err != nil {
		t.Fatal(err)
	}
	if err := taxed.ApplyClientCredit(d("10"), now); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(taxed.AvailableActions()); got != "[resend record_payment apply_credit pay_link credit_note unapply_credit void lock]" {
		t.Fatalf("open actions: %s", got)
	}
	if err := taxed.VoidInvoice("wrong", now); err != nil {
		t.Fatal(err)
	}
	if !taxed.Balance().IsZero() || !taxed.creditApplied.IsZero() || len(taxed.AvailableActions()) != 0 {
		t.Fatalf("void: balance %s applied %s actions %v", taxed.Balance(), taxed.creditApplied, taxed.AvailableActions())
	}
}
