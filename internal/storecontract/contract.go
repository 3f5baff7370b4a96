// Package storecontract is the one contract every implementation of the
// billing use cases' storage passes: the DynamoDB adapter (on moto) and
// the in-memory store (internal/memstore) run the same tests, so a fast
// domain test over the in-memory store says something about production.
// The tests drive the money use cases (finalize, pay, overpay, credit
// note, apply credit, void, reverse, refund) through billing over the
// store under test, and check what the store then holds: balances,
// ledger entries, numbers, and that a refused change writes nothing.
package storecontract

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/payment"
)

// Store is the storage under contract: what billing.Service and
// billing.Reversals need, and the ledger read the admin's verify uses.
type Store interface {
	billing.Store
	billing.ReversalStore
	AllLedgerEntries(ctx context.Context, orgID, clientID string) ([]ledger.Entry, error)
}

// fixture is one org with one client over the store under test.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	store Store
	svc   *billing.Service
	rev   *billing.Reversals
	p     auth.Principal
	cid   string
}

var aud = money.MustCurrency("AUD")

func newFixture(t *testing.T, store Store) *fixture {
	t.Helper()
	svc, err := billing.New(store, nil, time.Now, id.New)
	if err != nil {
		t.Fatal(err)
	}
	rev, err := billing.NewReversals(svc, store)
	if err != nil {
		t.Fatal(err)
	}
	ctx, now := context.Background(), time.Now()
	o, err := org.New(id.New(id.Org, now), org.Defaults("Contract Care"), now)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateOrg(ctx, o); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(id.New(id.Client, now), o.ID, client.Profile{Name: "Casey Contract"}, func() string { return id.New(id.Contact, now) }, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: ctx, store: store, svc: svc, rev: rev, cid: c.ID,
		p: auth.Principal{OrgID: o.ID, Email: "admin@example.com", Role: auth.RoleAdmin}}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func zero() *decimal.Decimal { z := decimal.Zero; return &z }

// invoice makes and finalizes an untaxed invoice of amount.
func (f *fixture) invoice(amount string) *invoice.Invoice {
	f.t.Helper()
	v, err := f.svc.CreateInvoice(f.ctx, f.p, billing.DraftInput{ClientID: f.cid, Name: "Support", Lines: []billing.LineInput{{
		Line: invoice.Line{Type: invoice.Fixed, Description: "Support coordination", Price: dec(amount)}, TaxRate: zero()}}})
	if err != nil {
		f.t.Fatal(err)
	}
	fin, err := f.svc.FinalizeInvoice(f.ctx, f.p, v.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return fin.Invoice
}

func (f *fixture) pay(amount string) *payment.Payment {
	f.t.Helper()
	p, err := f.svc.RecordPayment(f.ctx, f.p, payment.Input{ClientID: f.cid, Amount: dec(amount), Method: payment.Cash})
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// balances checks the client's owing and credit and that its ledger sums
// to them, entry by entry, over want entries.
func (f *fixture) balances(owing, credit string, entries int) {
	f.t.Helper()
	c, err := f.store.GetClient(f.ctx, f.p.OrgID, f.cid)
	if err != nil {
		f.t.Fatal(err)
	}
	if !c.Balance.Owing.Equal(dec(owing)) || !c.Balance.Credit.Equal(dec(credit)) {
		f.t.Fatalf("client owes %s with %s credit, want %s and %s", c.Balance.Owing, c.Balance.Credit, owing, credit)
	}
	es, err := f.store.AllLedgerEntries(f.ctx, f.p.OrgID, f.cid)
	if err != nil {
		f.t.Fatal(err)
	}
	sums, problems := ledger.Recompute(es)
	if len(problems) > 0 {
		f.t.Fatalf("ledger: %v", problems)
	}
	if len(es) != entries || int64(len(es)) != c.Account.Seq || !sums[aud].Owing.Equal(c.Balance.Owing) || !sums[aud].Credit.Equal(c.Balance.Credit) {
		f.t.Fatalf("ledger of %d entries (want %d, account seq %d) sums to %v; client shows %s, %s", len(es), entries, c.Account.Seq, sums[aud], c.Balance.Owing, c.Balance.Credit)
	}
	for i, e := range es {
		if e.Seq != int64(i+1) {
			f.t.Fatalf("entry %d has sequence %d", i, e.Seq)
		}
	}
}

func (f *fixture) get(iid string) *invoice.Invoice {
	f.t.Helper()
	inv, err := f.store.GetInvoice(f.ctx, f.p.OrgID, iid)
	if err != nil {
		f.t.Fatal(err)
	}
	return inv
}

// Run runs the contract against stores made by open (a fresh store, or
// a shared one: every test makes its own org).
func Run(t *testing.T, open func(t *testing.T) Store) {
	t.Run("FinalizeNumbersGaplesslyAndPosts", func(t *testing.T) {
		f := newFixture(t, open(t))
		a, b := f.invoice("100.00"), f.invoice("50.00")
		if a.Number != "INV-00001" || b.Number != "INV-00002" || a.Status() != invoice.Open {
			t.Fatalf("numbers %s, %s (%s)", a.Number, b.Number, a.Status())
		}
		f.balances("150.00", "0", 2)
	})
	t.Run("PayAllocatesOldestFirstAndNumbersReceipts", func(t *testing.T) {
		f := newFixture(t, open(t))
		a, b := f.invoice("100.00"), f.invoice("50.00")
		p1, p2 := f.pay("120.00"), f.pay("10.00")
		if p1.ReceiptNumber != "RCT-00001" || p2.ReceiptNumber != "RCT-00002" || len(p1.Allocations) != 2 {
			t.Fatalf("receipts %s %s, allocations %v", p1.ReceiptNumber, p2.ReceiptNumber, p1.Allocations)
		}
		if got := f.get(a.ID); got.Status() != invoice.Paid || !got.Balance().IsZero() {
			t.Fatalf("first invoice: %s, balance %s", got.Status(), got.Balance())
		}
		if got := f.get(b.ID); got.Status() != invoice.Open || !got.Balance().Equal(dec("20.00")) {
			t.Fatalf("second invoice: %s, balance %s", got.Status(), got.Balance())
		}
		f.balances("20.00", "0", 4)
		stored, err := f.store.GetPayment(f.ctx, f.p.OrgID, p1.ID)
		if err != nil || !stored.Input.Amount.Equal(dec("120.00")) || len(stored.Allocations) != 2 {
			t.Fatalf("stored payment %+v, %v", stored, err)
		}
		list, _, err := f.store.ListPayments(f.ctx, f.p.OrgID, f.cid, 10, "")
		// Newest first, by id: ids sort by their creation millisecond.
		if err != nil || len(list) != 2 || list[0].ID < list[1].ID || (list[0].ID != p2.ID && list[1].ID != p2.ID) {
			t.Fatalf("payments listed newest first: %d, %v", len(list), err)
		}
	})
	t.Run("OverpaymentBecomesCreditThatTheNextInvoiceTakes", func(t *testing.T) {
		f := newFixture(t, open(t))
		f.invoice("40.00")
		p := f.pay("100.00")
		if !p.Credit.Equal(dec("60.00")) {
			t.Fatalf("credit %s", p.Credit)
		}
		f.balances("0", "60.00", 2)
		next := f.invoice("50.00")
		if !next.CreditApplied().Equal(dec("50.00")) || next.Status() != invoice.Paid {
			t.Fatalf("next invoice applied %s, %s", next.CreditApplied(), next.Status())
		}
		f.balances("0", "10.00", 4)
	})
	t.Run("VoidGivesAppliedCreditBack", func(t *testing.T) {
		f := newFixture(t, open(t))
		f.pay("30.00")
		inv := f.invoice("50.00")
		f.balances("20.00", "0", 3)
		if _, err := f.svc.VoidInvoice(f.ctx, f.p, inv.ID, "wrong client"); err != nil {
			t.Fatal(err)
		}
		if got := f.get(inv.ID); got.Status() != invoice.Void || !got.Balance().IsZero() || !got.CreditApplied().IsZero() {
			t.Fatalf("void invoice: %s owes %s, applied %s", got.Status(), got.Balance(), got.CreditApplied())
		}
		f.balances("0", "30.00", 5) // credit returned, then the void
	})
	t.Run("CreditNoteApplyAndUnapplyCredit", func(t *testing.T) {
		f := newFixture(t, open(t))
		inv := f.invoice("100.00")
		n, err := f.svc.IssueCreditNote(f.ctx, f.p, inv.ID, dec("25.00"), "discount", "")
		if err != nil || n.Number != "CN-00001" {
			t.Fatalf("credit note %+v, %v", n, err)
		}
		f.balances("75.00", "0", 2)
		if _, err := f.store.CreditNote(f.ctx, f.p.OrgID, n.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.rev.VoidCreditNote(f.ctx, f.p, n.ID, "issued in error"); err != nil {
			t.Fatal(err)
		}
		f.balances("100.00", "0", 3)
		if _, err := f.rev.VoidCreditNote(f.ctx, f.p, n.ID, "again"); !errors.Is(err, credit.ErrVoided) {
			t.Fatalf("voiding twice: %v", err)
		}
		// Credit from an unallocated payment, applied by hand and back.
		other := f.invoice("10.00")
		if _, err := f.svc.RecordPayment(f.ctx, f.p, payment.Input{ClientID: f.cid, Amount: dec("40.00"), Method: payment.Cash,
			Allocations: []payment.Allocation{{InvoiceID: other.ID, Amount: dec("10.00")}}}); err != nil {
			t.Fatal(err)
		}
		f.balances("100.00", "30.00", 5)
		if _, err := f.svc.ApplyCredit(f.ctx, f.p, inv.ID, nil); err != nil {
			t.Fatal(err)
		}
		f.balances("70.00", "0", 6)
		if _, err := f.rev.UnapplyCredit(f.ctx, f.p, inv.ID, nil); err != nil {
			t.Fatal(err)
		}
		f.balances("100.00", "30.00", 7)
	})
	t.Run("ReverseAndRefundRestoreBalances", func(t *testing.T) {
		f := newFixture(t, open(t))
		inv := f.invoice("100.00")
		p := f.pay("130.00")
		f.balances("0", "30.00", 2)
		if _, err := f.rev.RefundPayment(f.ctx, f.p, p.ID, dec("40.00"), "returned"); err != nil {
			t.Fatal(err)
		}
		// 30 of credit first, then 10 off the invoice, which reopens.
		if got := f.get(inv.ID); got.Status() != invoice.Open || !got.Balance().Equal(dec("10.00")) {
			t.Fatalf("after refund: %s owes %s", got.Status(), got.Balance())
		}
		f.balances("10.00", "0", 3)
		if _, err := f.rev.ReversePayment(f.ctx, f.p, p.ID, "entered in error"); err != nil {
			t.Fatal(err)
		}
		f.balances("100.00", "0", 4)
		if _, err := f.rev.ReversePayment(f.ctx, f.p, p.ID, "again"); !errors.Is(err, payment.ErrReversed) {
			t.Fatalf("reversing twice: %v", err)
		}
		if got, _ := f.store.GetPayment(f.ctx, f.p.OrgID, p.ID); !got.Reversed || got.Version == 0 {
			t.Fatalf("stored payment: reversed %v version %d", got.Reversed, got.Version)
		}
	})
	t.Run("RefusedChangesWriteNothing", func(t *testing.T) {
		f := newFixture(t, open(t))
		inv := f.invoice("100.00")
		boom := errors.New("refused")
		if _, err := f.store.UpdateInvoice(f.ctx, f.p.OrgID, inv.ID, func(i *invoice.Invoice) ([]activity.Event, error) {
			i.Spec.Name = "changed"
			return nil, boom
		}); !errors.Is(err, boom) {
			t.Fatalf("update: %v", err)
		}
		if got := f.get(inv.ID); got.Spec.Name != "Support" || got.Version != inv.Version {
			t.Fatalf("a refused update wrote: %q v%d", got.Spec.Name, got.Version)
		}
		if _, err := f.store.RecordPayment(f.ctx, f.p.OrgID, f.cid, func([]*invoice.Invoice, int64) (*payment.Payment, []activity.Event, error) {
			return nil, nil, boom
		}); !errors.Is(err, boom) {
			t.Fatalf("record: %v", err)
		}
		f.balances("100.00", "0", 1)
		// Money in another currency than the client's is refused whole.
		if _, err := f.svc.RecordPayment(f.ctx, f.p, payment.Input{ClientID: f.cid, Amount: dec("5.00"), Currency: money.MustCurrency("USD"), Method: payment.Cash}); !errors.Is(err, ledger.ErrCurrencyMismatch) {
			t.Fatalf("USD payment for an AUD client: %v", err)
		}
		if p := f.pay("1.00"); p.ReceiptNumber != "RCT-00001" {
			t.Fatalf("a refused payment took a receipt number: %s", p.ReceiptNumber)
		}
		for _, err := range []error{
			func() error { _, err := f.store.GetInvoice(f.ctx, f.p.OrgID, "inv_missing"); return err }(),
			func() error { _, err := f.store.GetClient(f.ctx, f.p.OrgID, "cli_missing"); return err }(),
			func() error { _, err := f.store.GetPayment(f.ctx, f.p.OrgID, "pay_missing"); return err }(),
			func() error { _, err := f.store.GetInvoice(f.ctx, "org_other", inv.ID); return err }(),
		} {
			if !errors.Is(err, invoice.ErrNotFound) && !errors.Is(err, client.ErrNotFound) && !errors.Is(err, payment.ErrNotFound) {
				t.Errorf("missing item: %v, want a not-found sentinel", err)
			}
		}
	})
	t.Run("ACardIntentIsRecordedOnce", func(t *testing.T) {
		f := newFixture(t, open(t))
		inv := f.invoice("100.00")
		paid := payment.CardPaid{OrgID: f.p.OrgID, InvoiceID: inv.ID, IntentID: "pi_contract_" + f.cid, Currency: aud, Amount: dec("100.00"), Fee: decimal.Zero, At: time.Now()}
		first, fresh, err := f.svc.RecordCardPayment(f.ctx, paid)
		if err != nil || !fresh {
			t.Fatalf("first: %v %v", fresh, err)
		}
		again, fresh, err := f.svc.RecordCardPayment(f.ctx, paid)
		if err != nil || fresh || again.ID != first.ID {
			t.Fatalf("again: %v %v", fresh, err)
		}
		if _, err := f.store.RecordPayment(f.ctx, f.p.OrgID, f.cid, func(_ []*invoice.Invoice, seq int64) (*payment.Payment, []activity.Event, error) {
			return &payment.Payment{ID: id.New(id.Payment, time.Now()), OrgID: f.p.OrgID, IntentID: paid.IntentID,
				Input: payment.Input{ClientID: f.cid, Amount: dec("1.00"), Currency: aud, Method: payment.Card}, Credit: dec("1.00"),
				ReceiptNumber: payment.FormatReceipt(seq), ReceiptSeq: seq, CreatedAt: time.Now()}, nil, nil
		}); !errors.Is(err, payment.ErrAlreadyRecorded) {
			t.Fatalf("a second payment for one intent: %v", err)
		}
		f.balances("0", "0", 2)
	})
	t.Run("ASyncedNumberIsTakenOnce", func(t *testing.T) {
		f := newFixture(t, open(t))
		synced := func(number string) (billing.InvoiceView, error) {
			return f.svc.CreateInvoice(f.ctx, f.p, billing.DraftInput{ClientID: f.cid, Name: "From Xero", Origin: invoice.Synced, ExternalNumber: number,
				Lines: []billing.LineInput{{Line: invoice.Line{Type: invoice.Fixed, Description: "Support", Price: dec("10.00")}, TaxRate: zero()}}})
		}
		first, err := synced("XERO-7")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := synced("xero-7"); !errors.Is(err, invoice.ErrExternalNumberTaken) {
			t.Fatalf("the same number again: %v", err)
		}
		if err := f.svc.DeleteInvoice(f.ctx, f.p, first.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := synced("XERO-7"); err != nil {
			t.Fatalf("the number after its draft was deleted: %v", err)
		}
	})
}
