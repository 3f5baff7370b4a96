package payment

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

var (
	aud = money.MustCurrency("AUD")
	d   = decimal.RequireFromString
	now = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
)

func openInvoice(t testing.TB, seq int64, total string, due string) *invoice.Invoice {
	t.Helper()
	inv, err := invoice.NewDraft(fmt.Sprintf("inv_%d", seq), "org_1", invoice.Spec{
		ClientID: "cli_1", Name: "n", Currency: aud, DueDate: calendar.MustParse(due),
		Lines: []invoice.Line{{Type: invoice.Fixed, Description: "x", Price: d(total)}},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := inv.Finalize("INV-", seq, calendar.MustParse("2026-11-01"), now); err != nil {
		t.Fatal(err)
	}
	return inv
}

func input(amount string, allocs ...Allocation) Input {
	return Input{ClientID: "cli_1", Amount: d(amount), Currency: aud, Date: calendar.MustParse("2026-11-25"), Method: Cash, Allocations: allocs}
}

func TestOldestFirstPartialAndCredit(t *testing.T) {
	t.Parallel()
	a := openInvoice(t, 1, "100.00", "2026-12-20")
	b := openInvoice(t, 2, "50.00", "2026-11-30") // due first
	allocs, credit, err := Allocate(input("120.00"), []*invoice.Invoice{a, b}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(allocs) != 2 || allocs[0].InvoiceID != b.ID || !allocs[0].Amount.Equal(d("50")) || !allocs[1].Amount.Equal(d("70")) || !credit.IsZero() {
		t.Fatalf("allocations %+v credit %s", allocs, credit)
	}
	if b.Status() != invoice.Paid || a.Status() != invoice.Open || !a.Balance().Equal(d("30")) {
		t.Fatalf("statuses %s %s, balance %s", b.Status(), a.Status(), a.Balance())
	}
	allocs, credit, err = Allocate(input("45.50"), []*invoice.Invoice{a}, now)
	if err != nil || len(allocs) != 1 || !credit.Equal(d("15.50")) || a.Status() != invoice.Paid {
		t.Fatalf("overpayment: %v %+v credit %s", err, allocs, credit)
	}
	allocs, credit, err = Allocate(input("10.00"), nil, now)
	if err != nil || len(allocs) != 0 || !credit.Equal(d("10")) {
		t.Fatalf("nothing open: all credit: %v %+v %s", err, allocs, credit)
	}
}

func TestExplicitAllocations(t *testing.T) {
	t.Parallel()
	a, b := openInvoice(t, 1, "100.00", "2026-11-30"), openInvoice(t, 2, "50.00", "2026-12-30")
	allocs, credit, err := Allocate(input("60.00", Allocation{InvoiceID: b.ID, Amount: d("50")}), []*invoice.Invoice{a, b}, now)
	if err != nil || len(allocs) != 1 || allocs[0].Number != "INV-00002" || !credit.Equal(d("10")) || !a.Paid().IsZero() {
		t.Fatalf("explicit: %v %+v %s", err, allocs, credit)
	}
	_, _, err = Allocate(input("60.00", Allocation{InvoiceID: a.ID, Amount: d("100.01")}), []*invoice.Invoice{a}, now)
	if !errors.Is(err, invoice.ErrExceedsBalance) || err.Error() != "100.01 is more than the invoice's balance of 100.00" {
		t.Fatalf("over an invoice's balance: %v", err)
	}
	_, _, err = Allocate(input("60.00", Allocation{InvoiceID: "inv_other", Amount: d("1")}), []*invoice.Invoice{a}, now)
	if v, ok := validation.As(err); !ok || v.Field != "allocations[0].invoiceId" {
		t.Fatalf("unknown invoice: %v", err)
	}
}

func TestInputValidation(t *testing.T) {
	t.Parallel()
	for field, in := range map[string]Input{
		"amount":      input("0"),
		"method":      func() Input { i := input("1"); i.Method = "bitcoin"; return i }(),
		"date":        func() Input { i := input("1"); i.Date = calendar.Date{}; return i }(),
		"allocations": input("10", Allocation{InvoiceID: "a", Amount: d("6")}, Allocation{InvoiceID: "b", Amount: d("5")}),
	} {
		if v, ok := validation.As(in.Validate()); !ok || v.Field != field {
			t.Errorf("%s: %v", field, v)
		}
	}
	if err := input("10.001").Validate(); err == nil {
		t.Error("sub-cent amount accepted")
	}
	if !errors.Is(ErrOverBudget, ErrOverBudget) {
		t.Fatal("sentinel")
	}
}

// TestAllocationNeverLosesMoney: for random open invoices and payments,
// allocations + credit = the payment, no invoice is paid beyond its total,
// and credit is never negative.
func TestAllocationNeverLosesMoney(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(4, 2))
	for round := range 1000 {
		var open []*invoice.Invoice
		for i := range 1 + r.IntN(8) {
			total := decimal.New(1+r.Int64N(500_00), -2)
			open = append(open, openInvoice(t, int64(i+1), total.StringFixed(2), fmt.Sprintf("2026-12-%02d", 1+r.IntN(28))))
		}
		amount := decimal.New(1+r.Int64N(3000_00), -2)
		allocs, credit, err := Allocate(input(amount.StringFixed(2)), open, now)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		sum := decimal.Zero
		for _, a := range allocs {
			sum = sum.Add(a.Amount)
		}
		if !sum.Add(credit).Equal(amount) || credit.IsNegative() {
			t.Fatalf("round %d: allocated %s + credit %s != %s", round, sum, credit, amount)
		}
		for _, inv := range open {
			if inv.Paid().GreaterThan(inv.Totals().Total) || inv.Balance().IsNegative() {
				t.Fatalf("round %d: %s overpaid", round, inv.ID)
			}
			if credit.IsPositive() && inv.Status() != invoice.Paid {
				t.Fatalf("round %d: credit left while %s still open", round, inv.ID)
			}
		}
	}
}
