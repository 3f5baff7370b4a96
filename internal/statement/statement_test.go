package statement

import (
	"errors"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/money"
)

var (
	d   = calendar.MustParse
	amt = decimal.RequireFromString
)

func invoices() map[string]Invoice {
	return map[string]Invoice{
		"inv_a": {ID: "inv_a", Number: "INV-00001", IssueDate: d("2026-08-01"), DueDate: d("2026-08-15"), Total: amt("100.00")},
		"inv_b": {ID: "inv_b", Number: "INV-00002", IssueDate: d("2026-10-01"), DueDate: d("2026-10-15"), Total: amt("200.00")},
		"inv_c": {ID: "inv_c", Number: "INV-00003", IssueDate: d("2026-11-20"), Total: amt("50.00")},
	}
}

func postings() []Posting {
	return []Posting{
		{"inv_a", d("2026-08-01"), amt("100.00")},
		{"inv_b", d("2026-10-01"), amt("200.00")},
		{"inv_a", d("2026-10-20"), amt("-40.00")},  // part payment
		{"inv_b", d("2026-11-05"), amt("-200.00")}, // paid in full
		{"inv_c", d("2026-11-20"), amt("50.00")},
	}
}

// The outstanding statement as at a past date shows balances as they
// stood then, aged as at then.
func TestOpenAsAtAPastDate(t *testing.T) {
	open := OpenAsAt(invoices(), postings(), d("2026-10-31"))
	if len(open) != 2 {
		t.Fatalf("open = %+v", open)
	}
	if open[0].ID != "inv_a" || !open[0].Balance.Equal(amt("60.00")) || open[0].DaysOverdue != 77 || open[0].Bucket != Days61to90 {
		t.Fatalf("first = %+v", open[0])
	}
	if open[1].ID != "inv_b" || !open[1].Balance.Equal(amt("200.00")) || open[1].Bucket != Days1to30 {
		t.Fatalf("second = %+v", open[1])
	}
	now := OpenAsAt(invoices(), postings(), d("2026-11-30"))
	if len(now) != 2 || now[0].ID != "inv_a" || now[0].Bucket != Over90 || now[1].ID != "inv_c" || now[1].Bucket != Days1to30 {
		t.Fatalf("as at the end of November = %+v", now)
	}
}

func TestBuildActivityBalances(t *testing.T) {
	open := OpenAsAt(invoices(), postings(), d("2026-11-30"))
	lines := []Line{
		{Date: d("2026-11-05"), Kind: "payment_received", Number: "RCT-00002", Amount: amt("-230.00")}, // 200 to inv_b, 30 credit
		{Date: d("2026-11-20"), Kind: "invoice_finalized", Number: "INV-00003", Amount: amt("50.00")},
	}
	s, err := Build(Statement{ClientID: "cli_1", Kind: Activity, From: d("2026-11-01"), To: d("2026-11-30"), Currency: money.MustCurrency("AUD")},
		amt("260.00"), lines, open, amt("30.00"))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Closing.Equal(amt("80.00")) || !s.Lines[0].Balance.Equal(amt("30.00")) || !s.Lines[1].Balance.Equal(amt("80.00")) {
		t.Fatalf("closing %s lines %+v", s.Closing, s.Lines)
	}
	if !s.Aging[Over90].Equal(amt("60.00")) || !s.Aging[Days1to30].Equal(amt("50.00")) || !s.Aging.Total().Equal(amt("110.00")) {
		t.Fatalf("aging %v", s.Aging)
	}
}

// A statement whose ledger and open items disagree is refused: an issued
// statement must be true.
func TestBuildRefusesBooksThatDoNotBalance(t *testing.T) {
	open := OpenAsAt(invoices(), postings(), d("2026-11-30"))
	_, err := Build(Statement{ClientID: "cli_1", Kind: Activity, From: d("2026-11-01"), To: d("2026-11-30")},
		amt("260.00"), nil, open, decimal.Zero)
	if err == nil {
		t.Fatal("a statement whose closing balance is not what is outstanding was built")
	}
	if _, err := Build(Statement{Kind: "weekly"}, decimal.Zero, nil, nil, decimal.Zero); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad kind: %v", err)
	}
	if _, err := Build(Statement{Kind: Activity, From: d("2026-11-30"), To: d("2026-11-01")}, decimal.Zero, nil, nil, decimal.Zero); !errors.Is(err, ErrInvalid) {
		t.Fatalf("to before from: %v", err)
	}
}

func TestOutstandingHasNoLines(t *testing.T) {
	open := OpenAsAt(invoices(), postings(), d("2026-11-30"))
	s, err := Build(Statement{Kind: Outstanding, To: d("2026-11-30")}, amt("80.00"), nil, open, amt("30.00"))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Lines) != 0 || !s.Opening.IsZero() || !s.Closing.Equal(amt("80.00")) || len(s.Open) != 2 {
		t.Fatalf("%+v", s)
	}
	if HasActivity(nil, nil, decimal.Zero) || !HasActivity(nil, nil, amt("-5.00")) || !HasActivity(nil, open, decimal.Zero) {
		t.Fatal("HasActivity")
	}
}
