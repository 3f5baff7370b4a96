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
// a paid or void one owes none; no amount is negative and, open or paid,
// paid + credit + balance is the total; a draft is neither locked nor
// disputed; only a void invoice is replaced, and once replaced never by
// another draft; and the state survives Restore unchanged, as it does a
// store round trip. Every transition must have succeeded somewhere.
func TestLifecycleStateMachine(t *testing.T) {
	t.Parallel()
	aud := money.MustCurrency("AUD")
	seen := map[[2]invoice.Status]bool{}
	done := map[string]bool{} // transitions that succeeded at least once
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
			// Often exactly what the invoice holds, so that it is paid and
			// reopened in full; otherwise up to a little over the total:
			// beyond the balance and zero must be refused, too.
			switch rapid.IntRange(0, 4).Draw(t, "amount kind") {
			case 1:
				return inv.Balance()
			case 2:
				return inv.Paid()
			case 3:
				return inv.CreditApplied()
			case 4:
				return inv.Credit().Sub(inv.CreditApplied())
			}
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
			"mark sent":     func(t *rapid.T) error { return inv.MarkSent(lifeNow) },
			"mark disputed": func(t *rapid.T) error { return inv.MarkDisputed(lifeNow) },
			"resolve dispute": func(t *rapid.T) error {
				inv.ResolveDispute(lifeNow)
				return nil
			},
			"mark replaced by": func(t *rapid.T) error {
				return inv.MarkReplacedBy(rapid.SampledFrom([]string{"", "inv_2", "inv_3"}).Draw(t, "draft id"), lifeNow)
			},
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
				if was := before.ReplacedByID(); was != "" && inv.ReplacedByID() != was {
					t.Fatalf("%s re-linked the invoice replaced by %s to %q", name, was, inv.ReplacedByID())
				}
				done[name] = true
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
				bal, total := inv.Balance(), inv.Totals().Total
				paid, credit, applied := inv.Paid(), inv.Credit(), inv.CreditApplied()
				settled := paid.Add(credit)
				switch {
				case paid.IsNegative() || credit.IsNegative() || applied.IsNegative() || bal.IsNegative():
					t.Fatalf("a negative amount: paid %s, credit %s, client credit %s, balance %s", paid, credit, applied, bal)
				case applied.GreaterThan(credit):
					t.Fatalf("client credit %s is more than the credit %s", applied, credit)
				case inv.ReplacedByID() != "" && inv.Status() != invoice.Void:
					t.Fatalf("%s invoice replaced by %s", inv.Status(), inv.ReplacedByID())
				}
				switch inv.Status() {
				case invoice.Draft:
					if !settled.IsZero() || inv.Locked() || inv.Disputed() {
						t.Fatalf("draft with paid %s, credit %s, locked %v, disputed %v", paid, credit, inv.Locked(), inv.Disputed())
					}
				case invoice.Open, invoice.Paid:
					if !settled.Add(bal).Equal(total) {
						t.Fatalf("%s: paid %s + credit %s + balance %s is not the total %s", inv.Status(), paid, credit, bal, total)
					}
				case invoice.Void:
					if !paid.IsZero() || !applied.IsZero() || settled.GreaterThan(total) {
						t.Fatalf("void with paid %s, credit %s (client %s) of %s", paid, credit, applied, total)
					}
				}
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
				back, err := invoice.Restore(*inv, inv.State())
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
	for _, name := range transitionNames {
		if !done[name] {
			t.Errorf("no sequence had %s succeed", name)
		}
	}
}

// transitionNames are the actions the state machine draws from, in a
// fixed order so that a failing sequence replays.
var transitionNames = []string{"finalize", "apply payment", "apply credit", "apply client credit", "unapply payment",
	"unapply client credit", "uncredit note", "void", "lock", "unlock", "mark sent", "edit",
	"mark disputed", "resolve dispute", "mark replaced by"}

func sortedNames(m map[string]func(*rapid.T) error) []string {
	names := make([]string, 0, len(m))
	for _, n := range transitionNames {
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
	finalized := base
	finalized.FinalizedAt = lifeNow
	ten, minus := decimal.NewFromInt(10), decimal.NewFromInt(-1)
	for name, c := range map[string]struct {
		stored invoice.Invoice
		state  invoice.State
	}{
		"unknown status":          {base, invoice.State{Status: "overdue"}},
		"empty status":            {base, invoice.State{}},
		"finalized draft":         {finalized, invoice.State{Status: invoice.Draft}},
		"locked draft":            {base, invoice.State{Status: invoice.Draft, Locked: true}},
		"disputed draft":          {base, invoice.State{Status: invoice.Draft, Disputed: true}},
		"paid draft":              {base, invoice.State{Status: invoice.Draft, Paid: ten}},
		"credited draft":          {base, invoice.State{Status: invoice.Draft, Credit: ten}},
		"void with payments":      {finalized, invoice.State{Status: invoice.Void, Paid: ten}},
		"void keeps its credit":   {finalized, invoice.State{Status: invoice.Void, Credit: ten, CreditApplied: ten}},
		"negative paid":           {finalized, invoice.State{Status: invoice.Open, Paid: minus}},
		"negative credit":         {finalized, invoice.State{Status: invoice.Open, Credit: minus}},
		"client credit not in it": {finalized, invoice.State{Status: invoice.Open, CreditApplied: ten}},
		"open invoice replaced":   {finalized, invoice.State{Status: invoice.Open, ReplacedByID: "inv_2"}},
		"paid invoice replaced":   {finalized, invoice.State{Status: invoice.Paid, Paid: ten, ReplacedByID: "inv_2"}},
	} {
		if inv, err := invoice.Restore(c.stored, c.state); !errors.Is(err, invoice.ErrBadState) || inv != nil {
			t.Errorf("%s: restored (%v, %v), want ErrBadState", name, inv, err)
		}
	}
	for _, s := range []invoice.Status{invoice.Draft, invoice.Open, invoice.Paid, invoice.Void} {
		inv, err := invoice.Restore(base, invoice.State{Status: s})
		if err != nil || inv.Status() != s || inv.ID != "inv_1" {
			t.Errorf("restore %s: %v, %v", s, inv, err)
		}
	}
	// Every field of the state comes back as stored.
	st := invoice.State{Status: invoice.Void, Locked: true, LockedBy: "stm_1", LockReason: "on statement", Disputed: true,
		Credit: ten, ReplacedByID: "inv_2"}
	if inv, err := invoice.Restore(finalized, st); err != nil || !reflect.DeepEqual(inv.State(), st) {
		t.Errorf("restore %+v: %+v, %v", st, inv, err)
	}
}

// TestReplacedOnce: the re-issue link goes on a void invoice only, once;
// the same draft again is no change, another draft is ErrReplaced.
func TestReplacedOnce(t *testing.T) {
	t.Parallel()
	inv, err := invoice.NewDraft("inv_1", "org_1", invoice.Spec{
		ClientID: "cli_1", Name: "November", Currency: money.MustCurrency("AUD"),
		Lines: []invoice.Line{{Type: invoice.Fixed, Description: "Session", Price: decimal.NewFromInt(90)}},
	}, lifeNow)
	if err != nil {
		t.Fatal(err)
	}
	if err := inv.MarkReplacedBy("inv_2", lifeNow); !errors.Is(err, invoice.ErrNotVoid) {
		t.Fatalf("draft: %v", err)
	}
	if err := inv.Finalize("INV-", 1, calendar.MustParse("2026-11-25"), lifeNow); err != nil {
		t.Fatal(err)
	}
	if err := inv.MarkReplacedBy("inv_2", lifeNow); !errors.Is(err, invoice.ErrNotVoid) {
		t.Fatalf("open: %v", err)
	}
	if err := inv.VoidInvoice("wrong client", lifeNow); err != nil {
		t.Fatal(err)
	}
	if err := inv.MarkReplacedBy("inv_2", lifeNow); err != nil || inv.ReplacedByID() != "inv_2" {
		t.Fatalf("void: %v, replaced by %q", err, inv.ReplacedByID())
	}
	if err := inv.MarkReplacedBy("inv_2", lifeNow); err != nil {
		t.Fatalf("same draft again: %v", err)
	}
	if err := inv.MarkReplacedBy("inv_3", lifeNow); !errors.Is(err, invoice.ErrReplaced) || inv.ReplacedByID() != "inv_2" {
		t.Fatalf("another draft: %v, replaced by %q", err, inv.ReplacedByID())
	}
}
