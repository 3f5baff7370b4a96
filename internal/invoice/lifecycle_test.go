package invoice_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
)

// This file is outside the package on purpose: it drives an invoice only
// through what every caller has, so it shows that no caller can reach a
// status the lifecycle does not allow.

var lifeNow = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

// edges are the status changes each transition may make (Invoice.Status).
var edges = map[string][][2]invoice.Status{
	"finalize":              {{invoice.Draft, invoice.Open}, {invoice.Draft, invoice.Paid}},
	"apply payment":         {{invoice.Open, invoice.Paid}},
	"apply credit":          {{invoice.Open, invoice.Paid}},
	"apply client credit":   {{invoice.Open, invoice.Paid}},
	"unapply payment":       {{invoice.Paid, invoice.Open}},
	"unapply client credit": {{invoice.Paid, invoice.Open}},
	"uncredit note":         {{invoice.Paid, invoice.Open}},
	"void":                  {{invoice.Open, invoice.Void}},
}

// TestLifecycleStateMachine runs random sequences of every transition,
// legal or not, against one invoice and checks after each step: a refused
// transition changes nothing; a status change is one the lifecycle table
// allows and one that transition may make; an open invoice owes money and
// a paid or void one owes none; and the state survives Restore unchanged,
// as it does a store round trip.
func TestLifecycleStateMachine(t *testing.T) {
	t.Parallel()
	aud := money.MustCurrency("AUD")
	seen := map[[2]invoice.Status]bool{}
	rapid.Check(t, func(t *rapid.T) {
		// A price of zero makes Finalize go straight to paid.
		price := decimal.New(rapid.Int64Range(0, 50_000).Draw(t, "price cents"), -2)
		inv, err := invoice.NewDraft("inv_1", "org_1", invoice.Spec{
			ClientID: "cli_1", Name: "November", Currency: aud, TermsDays: 14,
			Lines: []invoice.Line{{Type: invoice.Fixed, Description: "Session", Price: price}},
		}, lifeNow)
		if err != nil {
			t.Fatal(err)
		}
		today := calendar.MustParse("2026-11-25")
		amount := func(t *rapid.T) decimal.Decimal {
			// Up to a little over the total: beyond the balance and zero
			// must be refused, too.
			return decimal.New(rapid.Int64Range(0, price.Shift(2).IntPart()+200).Draw(t, "amount cents"), -2)
		}
		actions := map[string]func(*rapid.T) error{
			"finalize": func(t *rapid.T) error { return inv.Finalize("INV-", 1, today, lifeNow) },
			"apply payment": func(t *rapid.T) error {
				return inv.ApplyPayment(amount(t), lifeNow)
			},
			"apply credit": func(t *rapid.T) error {
				return inv.ApplyCredit(amount(t), lifeNow)
			},
			"apply client credit": func(t *rapid.T) error {
				return inv.ApplyClientCredit(amount(t), lifeNow)
			},
			"unapply payment": func(t *rapid.T) error {
				return inv.UnapplyPayment(amount(t), lifeNow)
			},
			"unapply client credit": func(t *rapid.T) error {
				return inv.UnapplyClientCredit(amount(t), lifeNow)
			},
			"uncredit note": func(t *rapid.T) error {
				return inv.UncreditNote(amount(t), lifeNow)
			},
			"void": func(t *rapid.T) error {
				return inv.VoidInvoice(rapid.SampledFrom([]string{"", "duplicate"}).Draw(t, "reason"), lifeNow)
			},
			"lock": func(t *rapid.T) error {
				return inv.Lock("on statement", lifeNow)
			},
			"unlock": func(t *rapid.T) error {
				return inv.Unlock(rapid.SampledFrom([]string{"", "correcting"}).Draw(t, "reason"), lifeNow)
			},
			"mark sent": func(t *rapid.T) error { return inv.MarkSent(lifeNow) },
			"edit": func(t *rapid.T) error {
				return inv.Edit(inv.Spec, lifeNow)
			},
		}
		t.Repeat(map[string]func(*rapid.T){
			"": func(t *rapid.T) {
				name := rapid.SampledFrom(sortedNames(actions)).Draw(t, "transition")
				before := *inv
				from := inv.Status()
				if err := actions[name](t); err != nil {
					if !reflect.DeepEqual(before, *inv) {
						t.Fatalf("%s was refused (%v) but changed the invoice", name, err)
					}
					return
				}
				to := inv.Status()
				if from != to {
					edge := [2]invoice.Status{from, to}
					if !invoice.Legal(from, to) || !containsEdge(edges[name], edge) {
						t.Fatalf("%s moved the invoice %s → %s, which the lifecycle does not allow", name, from, to)
					}
					seen[edge] = true
				}
			},
			"check": func(t *rapid.T) {
				bal := inv.Balance()
				switch inv.Status() {
				case invoice.Open:
					if !bal.IsPositive() {
						t.Fatalf("open with nothing owed: balance %s", bal)
					}
				case invoice.Paid, invoice.Void:
					if !bal.IsZero() {
						t.Fatalf("%s with %s still owed", inv.Status(), bal)
					}
				}
				back, err := invoice.Restore(*inv, inv.Status())
				if err != nil {
					t.Fatalf("a state the transitions reached does not restore: %v", err)
				}
				if !reflect.DeepEqual(back, inv) {
					t.Fatalf("restore changed the invoice:\n%+v\n%+v", back, inv)
				}
			},
		})
	})
	// The sequences must have exercised every change, or the checks
	// above proved little.
	for _, e := range edges {
		for _, edge := range e {
			if !seen[edge] {
				t.Errorf("no sequence moved an invoice %s → %s", edge[0], edge[1])
			}
		}
	}
}

func sortedNames(m map[string]func(*rapid.T) error) []string {
	names := make([]string, 0, len(m))
	for _, n := range []string{"finalize", "apply payment", "apply credit", "apply client credit", "unapply payment",
		"unapply client credit", "uncredit note", "void", "lock", "unlock", "mark sent", "edit"} {
		if m[n] == nil {
			panic("no action " + n)
		}
		names = append(names, n)
	}
	if len(names) != len(m) {
		panic("an action is missing from the list")
	}
	return names
}

func containsEdge(list [][2]invoice.Status, e [2]invoice.Status) bool {
	for _, x := range list {
		if x == e {
			return true
		}
	}
	return false
}

// TestLegalIsTheLifecycle pins the table: five changes, nothing out of
// void, nothing back to draft.
func TestLegalIsTheLifecycle(t *testing.T) {
	t.Parallel()
	all := []invoice.Status{invoice.Draft, invoice.Open, invoice.Paid, invoice.Void, "overdue"}
	want := map[[2]invoice.Status]bool{
		{invoice.Draft, invoice.Open}: true, {invoice.Draft, invoice.Paid}: true, {invoice.Open, invoice.Paid}: true,
		{invoice.Paid, invoice.Open}: true, {invoice.Open, invoice.Void}: true,
	}
	for _, from := range all {
		for _, to := range all {
			if got := invoice.Legal(from, to); got != want[[2]invoice.Status{from, to}] {
				t.Errorf("Legal(%s, %s) = %v", from, to, got)
			}
		}
	}
}

// TestRestoreRefusesStatesNoTransitionLeaves: a stored item with an
// unknown status, or one its other fields contradict, does not load.
func TestRestoreRefusesStatesNoTransitionLeaves(t *testing.T) {
	t.Parallel()
	aud := money.MustCurrency("AUD")
	base := invoice.Invoice{ID: "inv_1", OrgID: "org_1", Spec: invoice.Spec{ClientID: "cli_1", Name: "x", Currency: aud}}
	with := func(change func(*invoice.Invoice)) invoice.Invoice {
		inv := base
		change(&inv)
		return inv
	}
	ten := decimal.NewFromInt(10)
	for name, c := range map[string]struct {
		stored invoice.Invoice
		status invoice.Status
	}{
		"unknown status":        {base, "overdue"},
		"empty status":          {base, ""},
		"finalized draft":       {with(func(i *invoice.Invoice) { i.FinalizedAt = lifeNow }), invoice.Draft},
		"locked draft":          {with(func(i *invoice.Invoice) { i.Locked = true }), invoice.Draft},
		"paid draft":            {with(func(i *invoice.Invoice) { i.Paid = ten }), invoice.Draft},
		"credited draft":        {with(func(i *invoice.Invoice) { i.Credit = ten }), invoice.Draft},
		"void with payments":    {with(func(i *invoice.Invoice) { i.Paid = ten }), invoice.Void},
		"void keeps its credit": {with(func(i *invoice.Invoice) { i.Credit, i.CreditApplied = ten, ten }), invoice.Void},
	} {
		if inv, err := invoice.Restore(c.stored, c.status); !errors.Is(err, invoice.ErrBadState) || inv != nil {
			t.Errorf("%s: restored (%v, %v), want ErrBadState", name, inv, err)
		}
	}
	for _, s := range []invoice.Status{invoice.Draft, invoice.Open, invoice.Paid, invoice.Void} {
		inv, err := invoice.Restore(base, s)
		if err != nil || inv.Status() != s || inv.ID != "inv_1" {
			t.Errorf("restore %s: %v, %v", s, inv, err)
		}
	}
}
