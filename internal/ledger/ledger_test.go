package ledger

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
)

var (
	aud   = money.MustCurrency("AUD")
	d     = decimal.RequireFromString
	now   = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	today = calendar.MustParse("2026-11-29")
)

func openInvoice(t *testing.T, total string) *invoice.Invoice {
	t.Helper()
	inv, err := invoice.NewDraft("inv_1", "org_1", invoice.Spec{ClientID: "cli_1", Name: "n", Currency: aud,
		Lines: []invoice.Line{{Type: invoice.Fixed, Description: "x", Price: d(total)}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// sum posts entries to acct and fails on error.
func post(t *testing.T, acct *Account, es []Entry) []Entry {
	t.Helper()
	if err := Post(acct, es, today, now); err != nil {
		t.Fatal(err)
	}
	return es
}

// TestVoidGivesCreditBack is the first failing input in the
// domain: 30.00 credit, a 50.00 invoice takes it, the void gives it back.
func TestVoidGivesCreditBack(t *testing.T) {
	t.Parallel()
	var acct Account
	var all []Entry
	all = append(all, post(t, &acct, []Entry{Received("org_1", "cli_1", aud, Doc{ID: "pay_1"}, d("30"), decimal.Zero, "cash")})...)

	inv := openInvoice(t, "50")
	before := *inv
	if err := inv.Finalize("INV-", 1, today, now); err != nil {
		t.Fatal(err)
	}
	if err := inv.ApplyClientCredit(d("30"), now); err != nil {
		t.Fatal(err)
	}
	all = append(all, post(t, &acct, Diff(&before, inv, Doc{}))...)
	if b := acct.Balances[aud]; !b.Owing.Equal(d("20")) || !b.Credit.IsZero() {
		t.Fatalf("after finalize: %+v", b)
	}

	before = *inv
	if err := inv.VoidInvoice("wrong client", now); err != nil {
		t.Fatal(err)
	}
	voided := post(t, &acct, Diff(&before, inv, Doc{}))
	all = append(all, voided...)
	if b := acct.Balances[aud]; !b.Owing.IsZero() || !b.Credit.Equal(d("30")) {
		t.Fatalf("after void: owing %s credit %s, want 0 and 30", b.Owing, b.Credit)
	}
	if len(voided) != 2 || voided[0].Kind != CreditReturned || voided[1].Kind != InvoiceVoided {
		t.Fatalf("void entries: %+v", voided)
	}
	if !inv.Balance().IsZero() {
		t.Fatalf("a void invoice owes %s", inv.Balance())
	}
	sums, problems := Recompute(all)
	if len(problems) > 0 || !sums[aud].Credit.Equal(d("30")) || !sums[aud].Owing.IsZero() {
		t.Fatalf("recompute: %+v %v", sums, problems)
	}
	if last := all[len(all)-1]; last.Seq != int64(len(all)) || !last.Balance.Equal(d("-30")) {
		t.Fatalf("last entry: seq %d balance %s", last.Seq, last.Balance)
	}
}

func TestPostRefusesNegativeCredit(t *testing.T) {
	t.Parallel()
	var acct Account
	err := Post(&acct, []Entry{{Kind: CreditApplied, Currency: aud, Owing: d("-1"), Credit: d("-1")}}, today, now)
	if !errors.Is(err, ErrInsufficientCredit) || acct.Seq != 0 {
		t.Fatalf("spending credit the client lacks: %v (seq %d)", err, acct.Seq)
	}
}

func TestPostingDatesNeverGoBack(t *testing.T) {
	t.Parallel()
	acct := Account{Seq: 4, Date: calendar.MustParse("2026-12-01")}
	es := post(t, &acct, []Entry{{Kind: CreditNote, Currency: aud, Owing: d("-5")}})
	if es[0].Date.String() != "2026-12-01" || es[0].Seq != 5 {
		t.Fatalf("entry after a later-dated one: %+v", es[0])
	}
}

func TestRecomputeFindsDrift(t *testing.T) {
	t.Parallel()
	es := []Entry{
		{Seq: 1, Currency: aud, Owing: d("50"), Balance: d("50")},
		{Seq: 3, Currency: aud, Credit: d("10"), Balance: d("45")},
	}
	_, problems := Recompute(es)
	if len(problems) != 2 {
		t.Fatalf("want a gap and a wrong running balance, got %v", problems)
	}
}

func TestCheckCurrencyNamesBoth(t *testing.T) {
	t.Parallel()
	err := CheckCurrency(aud, money.MustCurrency("JPY"), "payment")
	if !errors.Is(err, ErrCurrencyMismatch) || err.Error() != "this client bills in AUD; a payment in JPY is refused (nothing is converted)" {
		t.Fatalf("mismatch: %v", err)
	}
	if CheckCurrency(aud, aud, "payment") != nil {
		t.Fatal("same currency refused")
	}
}
