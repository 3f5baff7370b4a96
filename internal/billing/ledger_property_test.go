package billing_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/memstore"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/storecontract"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/teststack"
	"github.com/carebill/carebill/internal/validation"
)

var moto *testenv.Moto

func TestMain(m *testing.M) { testenv.MainWithMoto(m, &moto) }

var aud = money.MustCurrency("AUD")

// commandLine is the flags the command line set, read before any test
// sets one (flag.Visit cannot tell them apart afterwards).
var (
	onCommandLine sync.Once
	commandLine   = map[string]bool{}
)

// boundRapid sets how many sequences (checks) of up to how many steps
// the test runs, unless the command line says (-rapid.checks,
// -rapid.steps); the values go back when the test ends.
func boundRapid(t *testing.T, checks, steps string) {
	onCommandLine.Do(func() {
		flag.Visit(func(f *flag.Flag) { commandLine[f.Name] = true })
	})
	for name, v := range map[string]string{"rapid.checks": checks, "rapid.steps": steps} {
		if commandLine[name] {
			continue
		}
		prev := flag.Lookup(name).Value.String()
		_ = flag.Set(name, v)
		t.Cleanup(func() { _ = flag.Set(name, prev) })
	}
}

// account is one client's money under test: the use cases, the store to
// read back from, and every document made so far.
type account struct {
	ctx       context.Context
	store     storecontract.Store
	svc       *billing.Service
	rev       *billing.Reversals
	p         auth.Principal
	clientID  string
	invoices  []string
	payments  []string
	notes     []string
	stepsDone []string
}

// ruleRefusals are the business-rule answers a random step may get; the
// invariants must hold after them as after any success.
var ruleRefusals = []error{
	invoice.ErrHasPayments, invoice.ErrSettled, invoice.ErrExceedsBalance, invoice.ErrNotFinalized,
	payment.ErrCreditSpent, payment.ErrReversed, payment.ErrNothingToUndo, payment.ErrOverRefund, credit.ErrVoided,
	credit.ErrNeedsExcess,
}

func (a *account) expect(t *rapid.T, step string, err error) {
	a.stepsDone = append(a.stepsDone, step)
	if err == nil {
		return
	}
	if _, ok := validation.As(err); ok {
		return
	}
	for _, r := range ruleRefusals {
		if errors.Is(err, r) {
			return
		}
	}
	t.Fatalf("%s: unexpected error: %v", step, err)
}

// amount draws a positive AUD amount up to max (in cents).
func amount(t *rapid.T, label string, maxCents int64) decimal.Decimal {
	return decimal.New(rapid.Int64Range(1, maxCents).Draw(t, label), -2)
}

func (a *account) pick(t *rapid.T, ids []string, label string) string {
	if len(ids) == 0 {
		t.Skip("nothing to " + label + " yet")
	}
	return rapid.SampledFrom(ids).Draw(t, label)
}

func (a *account) actions() map[string]func(*rapid.T) {
	return map[string]func(*rapid.T){
		"finalize": func(t *rapid.T) {
			amt := amount(t, "total", 20000)
			v, err := a.svc.CreateInvoice(a.ctx, a.p, billing.DraftInput{ClientID: a.clientID, Name: "Work", Lines: []billing.LineInput{{
				Line: invoice.Line{Type: invoice.Fixed, Description: "Support", Price: amt}, TaxRate: ptr(decimal.Zero)}}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = a.svc.FinalizeInvoice(a.ctx, a.p, v.ID)
			a.expect(t, "finalize "+amt.String(), err)
			a.invoices = append(a.invoices, v.ID)
		},
		"pay": func(t *rapid.T) { a.pay(t, amount(t, "payment", 15000)) },
		// Issue 7's first input: credit first, then an invoice takes it.
		"prepay-then-bill": func(t *rapid.T) {
			a.pay(t, amount(t, "prepayment", 5000))
			a.actions()["finalize"](t)
		},
		"overpay": func(t *rapid.T) {
			c, err := a.store.GetClient(a.ctx, a.p.OrgID, a.clientID)
			if err != nil {
				t.Fatal(err)
			}
			a.pay(t, c.Balance.Owing.Add(amount(t, "excess", 5000)))
		},
		"credit-note": func(t *rapid.T) {
			iid := a.pick(t, a.invoices, "invoice")
			amt := amount(t, "credit", 10000)
			excess := rapid.SampledFrom([]credit.Excess{"", credit.ToClientCredit, credit.ToRefund, credit.ToOutside}).Draw(t, "excess")
			n, err := a.svc.IssueCreditNote(a.ctx, a.p, iid, amt, "correction", excess)
			a.expect(t, "credit note "+amt.String()+" ("+string(excess)+") on "+iid, err)
			if err == nil {
				a.notes = append(a.notes, n.ID)
			}
		},
		"void-credit-note": func(t *rapid.T) {
			nid := a.pick(t, a.notes, "credit note")
			_, err := a.rev.VoidCreditNote(a.ctx, a.p, nid, "issued in error")
			a.expect(t, "void credit note "+nid, err)
		},
		"apply-credit": func(t *rapid.T) {
			iid := a.pick(t, a.invoices, "invoice")
			_, err := a.svc.ApplyCredit(a.ctx, a.p, iid, nil)
			a.expect(t, "apply credit to "+iid, err)
		},
		"unapply-credit": func(t *rapid.T) {
			iid := a.pick(t, a.invoices, "invoice")
			_, err := a.rev.UnapplyCredit(a.ctx, a.p, iid, nil)
			a.expect(t, "unapply credit from "+iid, err)
		},
		"void": func(t *rapid.T) {
			iid := a.pick(t, a.invoices, "invoice")
			_, err := a.svc.VoidInvoice(a.ctx, a.p, iid, "wrong client")
			if errors.Is(err, invoice.ErrNotOpen) {
				err = nil // already void, or paid
			}
			a.expect(t, "void "+iid, err)
		},
		"reverse": func(t *rapid.T) {
			pid := a.pick(t, a.payments, "payment")
			_, err := a.rev.ReversePayment(a.ctx, a.p, pid, "entered in error")
			a.expect(t, "reverse "+pid, err)
		},
		"refund": func(t *rapid.T) {
			pid := a.pick(t, a.payments, "payment")
			amt := amount(t, "refund", 10000)
			_, err := a.rev.RefundPayment(a.ctx, a.p, pid, amt, "refunded")
			a.expect(t, "refund "+amt.String()+" of "+pid, err)
		},
		"": func(t *rapid.T) { a.check(t) },
	}
}

func (a *account) pay(t *rapid.T, amt decimal.Decimal) {
	p, err := a.svc.RecordPayment(a.ctx, a.p, payment.Input{ClientID: a.clientID, Amount: amt, Method: payment.Cash})
	a.expect(t, "pay "+amt.String(), err)
	if err == nil {
		a.payments = append(a.payments, p.ID)
	}
}

// check asserts the issue's invariants on what is stored.
func (a *account) check(t *rapid.T) {
	c, err := a.store.GetClient(a.ctx, a.p.OrgID, a.clientID)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := a.store.AllLedgerEntries(a.ctx, a.p.OrgID, a.clientID)
	if err != nil {
		t.Fatal(err)
	}
	sums, problems := ledger.Recompute(entries)
	if len(problems) > 0 {
		t.Fatalf("ledger after %v: %v", a.stepsDone, problems)
	}
	if b := sums[aud]; !b.Owing.Equal(c.Balance.Owing) || !b.Credit.Equal(c.Balance.Credit) || int64(len(entries)) != c.Account.Seq {
		t.Fatalf("after %v: ledger sums to owing %s credit %s over %d entries; client shows %s, %s, %d",
			a.stepsDone, b.Owing, b.Credit, len(entries), c.Balance.Owing, c.Balance.Credit, c.Account.Seq)
	}
	if c.Balance.Credit.IsNegative() {
		t.Fatalf("after %v: negative credit %s", a.stepsDone, c.Balance.Credit)
	}
	// The client's lists come from its index, one query each (moto's
	// indexes are consistent at once; DynamoDB's would need a moment).
	invs, _, err := a.store.ListInvoices(a.ctx, a.p.OrgID, invoice.ListFilter{ClientID: a.clientID, Limit: dynamo.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	if len(invs) != len(a.invoices) {
		t.Fatalf("after %v: %d invoices listed, %d made", a.stepsDone, len(invs), len(a.invoices))
	}
	openSum, applied, paidOnInvoices := decimal.Zero, decimal.Zero, decimal.Zero
	for _, inv := range invs {
		iid := inv.ID
		bal, total := inv.Balance(), inv.Totals().Total
		switch inv.Status() {
		case invoice.Void:
			if !bal.IsZero() || !inv.CreditApplied().IsZero() || !inv.Paid().IsZero() {
				t.Fatalf("after %v: void invoice %s owes %s (applied %s, paid %s)", a.stepsDone, iid, bal, inv.CreditApplied(), inv.Paid())
			}
		case invoice.Open, invoice.Paid:
			if bal.IsNegative() || !total.Equal(inv.Paid().Add(inv.Credit()).Add(bal)) {
				t.Fatalf("after %v: invoice %s total %s ≠ paid %s + credited %s + balance %s", a.stepsDone, iid, total, inv.Paid(), inv.Credit(), bal)
			}
			if (inv.Status() == invoice.Paid) != bal.IsZero() {
				t.Fatalf("after %v: invoice %s is %s with balance %s", a.stepsDone, iid, inv.Status(), bal)
			}
		}
		if inv.Status() == invoice.Open {
			openSum = openSum.Add(bal)
		}
		applied = applied.Add(inv.CreditApplied())
		paidOnInvoices = paidOnInvoices.Add(inv.Paid())
	}
	if !openSum.Equal(c.Balance.Owing) {
		t.Fatalf("after %v: open invoices owe %s, the client shows %s", a.stepsDone, openSum, c.Balance.Owing)
	}
	pays, _, err := a.store.ListPayments(a.ctx, a.p.OrgID, a.clientID, dynamo.MaxPageSize, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(pays) != len(a.payments) {
		t.Fatalf("after %v: %d payments listed, %d made", a.stepsDone, len(pays), len(a.payments))
	}
	left, allocated := decimal.Zero, decimal.Zero
	for _, p := range pays {
		pid := p.ID
		received := p.Input.Amount
		if p.Reversed {
			received = decimal.Zero
		}
		if !received.Equal(p.Allocated().Add(p.Credit).Add(p.Refunded())) && !p.Reversed {
			t.Fatalf("after %v: payment %s received %s ≠ allocated %s + credit %s + refunded %s", a.stepsDone, pid, received, p.Allocated(), p.Credit, p.Refunded())
		}
		if p.Reversed && (!p.Allocated().IsZero() || !p.Credit.IsZero()) {
			t.Fatalf("after %v: reversed payment %s still holds %s allocated, %s credit", a.stepsDone, pid, p.Allocated(), p.Credit)
		}
		left = left.Add(p.Credit)
		allocated = allocated.Add(p.Allocated())
	}
	if !left.Sub(applied).Equal(c.Balance.Credit) {
		t.Fatalf("after %v: payments left %s as credit and %s is applied to invoices, yet the client holds %s", a.stepsDone, left, applied, c.Balance.Credit)
	}
	if !allocated.Equal(paidOnInvoices) {
		t.Fatalf("after %v: payments allocate %s, invoices show %s paid", a.stepsDone, allocated, paidOnInvoices)
	}
}

func ptr[T any](v T) *T { return &v }

// TestLedgerInvariantsUnderRandomSequences runs random sequences of
// finalize / pay / overpay / credit note / void credit note / apply and
// un-apply credit / void / reverse / refund against the DynamoDB adapter on
// moto and checks after every step that the ledger sums to the client's
// balances, every invoice adds up, a void invoice owes nothing and every
// payment's money is allocated, credit or refunded. rapid prints the seed
// (-rapid.seed) and shrinks a failing sequence; -rapid.checks=N runs more.
func TestLedgerInvariantsUnderRandomSequences(t *testing.T) {
	boundRapid(t, "3", "15")
	st := teststack.New(t, moto)
	env := st.Env(t, "InvoicingFunction")
	store, err := dynamo.New(dynamodb.NewFromConfig(st.AWS), env("TABLE_NAME"))
	if err != nil {
		t.Fatal(err)
	}
	runSequences(t, func() storecontract.Store { return store })
}

// TestLedgerInvariantsInMemory runs the same random sequences, thousands
// of them, against the in-memory store, which passes the DynamoDB
// adapter's contract (internal/storecontract).
func TestLedgerInvariantsInMemory(t *testing.T) {
	boundRapid(t, "2000", "30")
	runSequences(t, func() storecontract.Store { return memstore.New() })
}

// runSequences checks the invariants over random sequences, each against
// the store open gives it (each sequence makes its own org).
func runSequences(t *testing.T, open func() storecontract.Store) {
	start, sequences := time.Now(), 0
	defer func() {
		t.Logf("%d sequences in %v", sequences, time.Since(start).Round(time.Millisecond))
	}()
	ctx := context.Background()
	rapid.Check(t, func(t *rapid.T) {
		sequences++
		store := open()
		svc, err := billing.New(store, nil, time.Now, id.New)
		if err != nil {
			t.Fatal(err)
		}
		rev, err := billing.NewReversals(svc, store)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		o, err := org.New(id.New(id.Org, now), org.Defaults("Property Care"), now)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.CreateOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
		c, err := client.New(id.New(id.Client, now), o.ID, client.Profile{Name: "Pat Random"}, func() string { return id.New(id.Contact, now) }, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.CreateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
		a := &account{ctx: ctx, store: store, svc: svc, rev: rev, clientID: c.ID,
			p: auth.Principal{OrgID: o.ID, Email: "admin@example.com", Role: auth.RoleAdmin}}
		t.Repeat(a.actions())
		if testing.Verbose() {
			fmt.Println("sequence:", a.stepsDone)
		}
	})
}
