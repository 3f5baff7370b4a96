package backfill

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/payment"
)

var (
	aud = money.MustCurrency("AUD")
	d   = decimal.RequireFromString
)

func at(day int) time.Time { return time.Date(2026, 10, day, 3, 0, 0, 0, time.UTC) }

func finalized(id, total string, day int, status invoice.Status, paid, credited string) *invoice.Invoice {
	inv, err := invoice.Restore(invoice.Invoice{
		ID: id, OrgID: "org_1", Number: strings.ToUpper(id), FinalizedAt: at(day),
		Spec: invoice.Spec{ClientID: "cli_1", Currency: aud, Lines: []invoice.Line{{Type: invoice.Fixed, Description: "x", Price: d(total)}}},
	}, invoice.State{Status: status, Paid: d(paid), Credit: d(credited)})
	if err != nil {
		panic(err) // a fixture the lifecycle cannot reach
	}
	return inv
}

func paid(id, amount string, day int, allocs ...payment.Allocation) *payment.Payment {
	p := &payment.Payment{ID: id, OrgID: "org_1", ReceiptNumber: id, CreatedAt: at(day), Input: payment.Input{ClientID: "cli_1", Amount: d(amount), Currency: aud}}
	p.Allocations = allocs
	return p
}

func kinds(p Plan) string {
	var out []string
	for _, m := range p.Movements {
		out = append(out, string(m.Entry.Kind)+":"+m.Entry.DocumentID)
	}
	return strings.Join(out, " ")
}

// TestCreditAppliedWaitsForTheCredit: credit applied to an invoice
// finalized before the payment that made the credit is posted once the
// payment is, so credit never goes below zero.
func TestCreditAppliedWaitsForTheCredit(t *testing.T) {
	docs := Documents{
		Invoices: []*invoice.Invoice{finalized("inv_f", "100", 1, invoice.Open, "0", "15")},
		Payments: []*payment.Payment{paid("pay_1", "15", 2)},
	}
	plan, err := Build("org_1", "cli_1", docs)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := kinds(plan), "invoice_finalized:inv_f payment_received:pay_1 credit_applied:inv_f"; got != want {
		t.Fatalf("order %s, want %s", got, want)
	}
	entries, acct, err := Post(plan, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if b := acct.Balances[aud]; !b.Owing.Equal(d("85")) || !b.Credit.IsZero() || len(entries) != 3 || entries[2].Seq != 3 {
		t.Fatalf("balances %v after %d entries", b, len(entries))
	}
	if !plan.CreditApplied["inv_f"].Equal(d("15")) {
		t.Fatalf("credit applied %v", plan.CreditApplied)
	}
}

// TestVoidReturnsTheCreditTheOldCodeLost: a void invoice that held
// client credit gives it back before it is voided, and records no
// creditApplied (the void gave it back).
func TestVoidReturnsTheCreditTheOldCodeLost(t *testing.T) {
	v := finalized("inv_v", "60", 3, invoice.Void, "0", "10")
	v.VoidedAt = at(4)
	plan, err := Build("org_1", "cli_1", Documents{Invoices: []*invoice.Invoice{v}, Payments: []*payment.Payment{paid("pay_1", "10", 1)}})
	if err != nil {
		t.Fatal(err)
	}
	_, acct, err := Post(plan, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if b := acct.Balances[aud]; !b.Owing.IsZero() || !b.Credit.Equal(d("10")) {
		t.Fatalf("after the void: %v, want owing 0 and the 10 credit back", b)
	}
	if _, ok := plan.CreditApplied["inv_v"]; ok {
		t.Fatal("a void invoice keeps creditApplied")
	}
}

// TestWhatTheOldCodeNeverWrote is left to a person: a reversed payment,
// a voided credit note, credit notes above what an invoice was credited,
// and credit applied that no payment ever provided.
func TestWhatTheOldCodeNeverWrote(t *testing.T) {
	rev := paid("pay_r", "10", 1)
	rev.Reversed = true
	inv := finalized("inv_1", "50", 1, invoice.Open, "0", "5")
	for name, docs := range map[string]Documents{
		"reversed payment": {Payments: []*payment.Payment{rev}},
		"void credit note": {Invoices: []*invoice.Invoice{inv}, Notes: []*credit.Note{{ID: "crn_1", InvoiceID: "inv_1", Amount: d("5"), Currency: aud, VoidedAt: at(2)}}},
	} {
		if _, err := Build("org_1", "cli_1", docs); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v, want ErrUnsupported", name, err)
		}
	}
	if _, err := Build("org_1", "cli_1", Documents{Invoices: []*invoice.Invoice{inv}, Notes: []*credit.Note{{ID: "crn_1", InvoiceID: "inv_1", Amount: d("6"), Currency: aud}}}); err == nil {
		t.Error("credit notes above the invoice's credited amount were accepted")
	}
	plan, err := Build("org_1", "cli_1", Documents{Invoices: []*invoice.Invoice{inv}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Post(plan, time.UTC); !errors.Is(err, ledger.ErrInsufficientCredit) {
		t.Errorf("credit applied from nowhere: %v, want ErrInsufficientCredit", err)
	}
}
