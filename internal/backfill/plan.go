// Package backfill brings data written before the client ledger and the
// member records into their present shape, once, by an admin's hand
// (infra/backfill): it writes each old client's ledger from its
// invoices, payments and credit notes, in the order they happened, with
// the balances materialized from it, and a member record for each user
// of an org that predates them. Every step is idempotent and a run that
// stops resumes where it left off. It knows nothing of AWS.
package backfill

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/payment"
)

// Documents are one client's money documents as stored: its invoices
// (any status; drafts are ignored), payments and credit notes.
type Documents struct {
	Invoices []*invoice.Invoice
	Payments []*payment.Payment
	Notes    []*credit.Note
}

// ErrUnsupported is a client whose documents the code before the ledger
// could not have written (a refund, a reversal, a voided credit note):
// such a client already has a ledger, or needs a person to look.
var ErrUnsupported = errors.New("documents the pre-ledger code never wrote")

// Plan is a client's history as ledger movements, in the order the
// documents happened, with what each old invoice's client credit was.
type Plan struct {
	Movements []Movement
	// CreditApplied is, per invoice, the client credit applied to it: the
	// older code kept it inside the invoice's credited amount, with the
	// credit notes; the ledger's code keeps it apart (creditApplied).
	// Void invoices are left out: voiding gave their credit back.
	CreditApplied map[string]decimal.Decimal
	// Currencies are the currencies the documents are in, first used
	// first. More than one is a client the one-currency rule now refuses;
	// its history is kept as it was, a balance per currency.
	Currencies []money.Currency
}

// Movement is one ledger entry still to be posted, and when its document
// happened (its posting date is that instant's date in the org's zone).
type Movement struct {
	Entry ledger.Entry
	At    time.Time
}

// event is a movement before ordering: at, then rank within one
// document's instant (a finalization before the credit it applied).
type event struct {
	at    time.Time
	rank  int
	entry ledger.Entry
	// credit applied waits until the client holds that much credit: the
	// older code applied credit at finalization or later, from payments
	// that may carry a later timestamp than the invoice.
	needsCredit bool
}

// Build turns a client's documents into the ledger entries the ledger's
// code would have posted for them, oldest first:
//
//   - each finalized invoice: invoice_finalized (+total, effective on its
//     issue date) at its finalization;
//   - client credit applied to it (credited − its credit notes):
//     credit_applied, as soon as the client held that much credit;
//   - each credit note: credit_note (−amount) when it was issued;
//   - each payment: payment_received (allocated off owing, the rest to
//     credit), split over its allocations, on its date;
//   - each void: credit_returned for any credit it held (the older code
//     lost it), then invoice_voided for what it still asked for.
//
// The entries sum, per currency, to the owing of the open invoices and
// the credit the client still holds.
func Build(orgID, clientID string, docs Documents) (Plan, error) {
	plan := Plan{CreditApplied: map[string]decimal.Decimal{}}
	seen := map[money.Currency]bool{}
	use := func(c money.Currency) {
		if !seen[c] {
			seen[c] = true
			plan.Currencies = append(plan.Currencies, c)
		}
	}
	notesOn := map[string]decimal.Decimal{}
	var events []event
	for _, n := range docs.Notes {
		if !n.VoidedAt.IsZero() {
			return Plan{}, fmt.Errorf("credit note %s is void: %w", n.Number, ErrUnsupported)
		}
		notesOn[n.InvoiceID] = notesOn[n.InvoiceID].Add(n.Amount)
		events = append(events, event{at: n.CreatedAt, rank: 2, entry: ledger.Entry{
			OrgID: orgID, ClientID: clientID, Kind: ledger.CreditNote, Currency: n.Currency, Owing: n.Amount.Neg(),
			DocumentID: n.ID, Number: n.Number, InvoiceID: n.InvoiceID,
		}})
	}
	// Invoices and payments in creation order, so currencies are listed
	// first used first.
	invs := append([]*invoice.Invoice(nil), docs.Invoices...)
	sort.SliceStable(invs, func(i, j int) bool { return invs[i].FinalizedAt.Before(invs[j].FinalizedAt) })
	for _, inv := range invs {
		if inv.Status() == invoice.Draft {
			continue
		}
		cur := inv.Spec.Currency
		use(cur)
		base := ledger.Entry{OrgID: orgID, ClientID: clientID, Currency: cur, DocumentID: inv.ID, Number: inv.Number}
		fin := base
		fin.Kind, fin.Owing, fin.Effective = ledger.InvoiceFinalized, inv.Totals().Total, inv.Spec.IssueDate
		events = append(events, event{at: inv.FinalizedAt, rank: 0, entry: fin})
		applied := inv.Credit().Sub(notesOn[inv.ID])
		if applied.IsNegative() {
			return Plan{}, fmt.Errorf("invoice %s: its credit notes (%s) exceed what it was credited (%s)", inv.Number, notesOn[inv.ID], inv.Credit())
		}
		if applied.IsPositive() {
			ca := base
			ca.Kind, ca.Owing, ca.Credit = ledger.CreditApplied, applied.Neg(), applied.Neg()
			events = append(events, event{at: inv.FinalizedAt, rank: 1, entry: ca, needsCredit: true})
		}
		if inv.Status() != invoice.Void {
			plan.CreditApplied[inv.ID] = applied
			continue
		}
		if applied.IsPositive() {
			cr := base
			cr.Kind, cr.Owing, cr.Credit = ledger.CreditReturned, applied, applied
			events = append(events, event{at: inv.VoidedAt, rank: 3, entry: cr})
		}
		v := base
		v.Kind, v.Memo = ledger.InvoiceVoided, inv.VoidReason
		v.Owing = inv.Totals().Total.Sub(inv.Paid()).Sub(notesOn[inv.ID]).Neg()
		events = append(events, event{at: inv.VoidedAt, rank: 4, entry: v})
	}
	for _, p := range docs.Payments {
		if p.Reversed || len(p.Refunds) > 0 {
			return Plan{}, fmt.Errorf("payment %s was reversed or refunded: %w", p.ReceiptNumber, ErrUnsupported)
		}
		use(p.Input.Currency)
		allocated := decimal.Zero
		after := map[string]decimal.Decimal{}
		for _, a := range p.Allocations {
			allocated = allocated.Add(a.Amount)
			after[a.InvoiceID] = after[a.InvoiceID].Add(a.Amount)
		}
		e := ledger.Received(orgID, clientID, p.Input.Currency, ledger.Doc{ID: p.ID, Number: p.ReceiptNumber}, p.Input.Amount, allocated, "")
		e.Splits, e.Effective = ledger.PaidSplits(nil, after), p.Input.Date
		events = append(events, event{at: p.CreatedAt, rank: 2, entry: e})
	}
	sort.SliceStable(events, func(i, j int) bool {
		if !events[i].at.Equal(events[j].at) {
			return events[i].at.Before(events[j].at)
		}
		return events[i].rank < events[j].rank
	})
	plan.Movements = order(events)
	return plan, nil
}

// order lays the events out in time, holding each credit application
// back until the client's credit (in its currency) covers it; one still
// uncovered at the end goes last, where Post refuses it.
func order(events []event) []Movement {
	credit := map[money.Currency]decimal.Decimal{}
	var out []Movement
	var held []event
	emit := func(ev event, at time.Time) {
		credit[ev.entry.Currency] = credit[ev.entry.Currency].Add(ev.entry.Credit)
		out = append(out, Movement{Entry: ev.entry, At: at})
	}
	release := func(at time.Time) {
		kept := held[:0]
		for _, h := range held {
			if credit[h.entry.Currency].GreaterThanOrEqual(h.entry.Credit.Neg()) {
				emit(h, at)
			} else {
				kept = append(kept, h)
			}
		}
		held = kept
	}
	for _, ev := range events {
		if ev.needsCredit && credit[ev.entry.Currency].LessThan(ev.entry.Credit.Neg()) {
			held = append(held, ev)
			continue
		}
		emit(ev, ev.at)
		release(ev.at)
	}
	for _, h := range held {
		out = append(out, Movement{Entry: h.entry, At: h.at})
	}
	return out
}

// Post numbers and dates the plan's movements onto an empty account, each
// posted on its own date in loc (dates never go back), and returns them
// with the account they leave. A movement that would spend credit the
// client never held is ledger.ErrInsufficientCredit: the documents
// disagree, and a person must look.
func Post(plan Plan, loc *time.Location) ([]ledger.Entry, ledger.Account, error) {
	acct := ledger.Account{Balances: map[money.Currency]ledger.Balances{}}
	out := make([]ledger.Entry, 0, len(plan.Movements))
	for _, m := range plan.Movements {
		e := []ledger.Entry{m.Entry}
		if err := ledger.Post(&acct, e, calendar.Today(m.At, loc), m.At); err != nil {
			return nil, ledger.Account{}, fmt.Errorf("%s of %s: %w", m.Entry.Kind, m.Entry.Number, err)
		}
		out = append(out, e[0])
	}
	return out, acct, nil
}
