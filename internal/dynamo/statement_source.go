package dynamo

import (
	"context"
	"fmt"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/statement"
)

// invoicePostings splits an entry's change in owing over the invoices it
// moved: its splits (payments, reversals, refunds), else the invoice it
// names (credit notes), else its own document (an invoice's entries).
func (s *Store) invoicePostings(ctx context.Context, orgID string, e ledger.Entry) ([]statement.Posting, error) {
	if e.Owing.IsZero() {
		return nil, nil
	}
	switch {
	case len(e.Splits) > 0:
		out := make([]statement.Posting, 0, len(e.Splits))
		for _, sp := range e.Splits {
			out = append(out, statement.Posting{InvoiceID: sp.InvoiceID, Date: e.Effective, Owing: sp.Owing})
		}
		return out, nil
	case e.InvoiceID != "":
		return []statement.Posting{{InvoiceID: e.InvoiceID, Date: e.Effective, Owing: e.Owing}}, nil
	case e.Kind == ledger.PaymentReceived: // posted before entries carried splits
		p, err := s.GetPayment(ctx, orgID, e.DocumentID)
		if err != nil {
			return nil, err
		}
		var out []statement.Posting
		for _, a := range p.Allocations {
			out = append(out, statement.Posting{InvoiceID: a.InvoiceID, Date: e.Effective, Owing: a.Amount.Neg()})
		}
		return out, nil
	case e.Kind == ledger.PaymentReversed || e.Kind == ledger.PaymentRefunded:
		return nil, fmt.Errorf("ledger entry %d (%s) moves invoices but names none", e.Seq, e.Kind)
	}
	return []statement.Posting{{InvoiceID: e.DocumentID, Date: e.Effective, Owing: e.Owing}}, nil
}

// StatementSource reads what a client's statement for from–to needs from
// its ledger: the balance before from, the entries in the range, every
// posting against its invoices up to to, the invoices still owing at to,
// and the credit held at to. A client whose ledger has not moved since
// before from and owes and holds nothing costs no read.
func (s *Store) StatementSource(ctx context.Context, c *client.Client, from, to calendar.Date) (statement.Source, error) {
	src, _, err := s.statementSource(ctx, c, from, to, nil)
	return src, err
}

// readsLedger says whether c's statement from from needs its ledger: not
// when the ledger has not moved since before from and c owes and holds
// nothing.
func readsLedger(c *client.Client, from calendar.Date) bool {
	return c.Account.Seq != 0 && (from.IsZero() || !c.Account.Date.Before(from) || !c.Balance.Owing.IsZero() || !c.Balance.Credit.IsZero())
}

// snapshotRead is a snapshot read already (snap nil: c has none).
type snapshotRead struct{ snap *ledgerSnapshot }

// snapshotOf is c's snapshot: read's, or else read now.
func (s *Store) snapshotOf(ctx context.Context, c *client.Client, read *snapshotRead) (*ledgerSnapshot, error) {
	if read != nil {
		return read.snap, nil
	}
	return s.getSnapshot(ctx, c)
}

// statementSource is StatementSource, and the client's ledger folded as
// at to for the next close (nil when nothing was read). With a snapshot
// of an earlier close (as at a date before from) it reads only the
// entries posted since that snapshot, so a client's close costs the same
// however long its history; without one, or when the entries since do
// not add up to the client's sequence, it reads the whole ledger. read,
// when not nil, is the client's snapshot read already.
func (s *Store) statementSource(ctx context.Context, c *client.Client, from, to calendar.Date, read *snapshotRead) (statement.Source, *ledgerSnapshot, error) {
	src := statement.Source{Currency: c.Profile.Currency, Invoices: map[string]statement.Invoice{}}
	if !readsLedger(c, from) {
		return src, nil, nil
	}
	var snap *ledgerSnapshot
	if !from.IsZero() {
		got, err := s.snapshotOf(ctx, c, read)
		if err != nil {
			return src, nil, fmt.Errorf("statement source of %s: %w", c.ID, err)
		}
		if got != nil && got.AsAt.Before(from) && got.Seq <= c.Account.Seq {
			snap = got
		}
	}
	var entries []ledger.Entry
	var err error
	switch {
	case snap != nil && snap.Seq == c.Account.Seq && snap.Pending == 0:
		// Nothing posted since the snapshot: no ledger read at all.
	case snap != nil:
		entries, err = s.entriesFrom(ctx, c, snap.From, func(es []ledger.Entry) bool {
			newer, pending := int64(0), 0
			for _, e := range es {
				switch {
				case e.Seq > snap.Seq:
					newer++
				case e.Effective.After(snap.AsAt):
					pending++
				}
			}
			return newer == c.Account.Seq-snap.Seq && pending == snap.Pending
		})
		if err == nil {
			kept := entries[:0]
			for _, e := range entries {
				if e.Seq > snap.Seq || e.Effective.After(snap.AsAt) {
					kept = append(kept, e)
				}
			}
			entries = kept
		}
	default:
		entries, err = s.entriesFrom(ctx, c, calendar.Date{}, func(es []ledger.Entry) bool { return int64(len(es)) == c.Account.Seq })
	}
	if err != nil {
		return src, nil, fmt.Errorf("statement source of %s: %w", c.ID, err)
	}
	next := &ledgerSnapshot{AsAt: to, Seq: c.Account.Seq, From: c.Account.Date, Open: map[string]snapshotInvoice{}}
	owing := map[string]decimal.Decimal{}
	if snap != nil {
		src.Opening, src.Credit = snap.Balance, snap.Credit
		if src.Currency.IsZero() && snap.Currency != "" {
			src.Currency, _ = money.ParseCurrency(snap.Currency)
		}
		for id, o := range snap.Open {
			src.Postings = append(src.Postings, statement.Posting{InvoiceID: id, Date: snap.AsAt, Owing: o.Owing})
			owing[id] = o.Owing
			if o.Number != "" {
				src.Invoices[id] = o.Invoice
			}
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Effective.Before(entries[j].Effective) })
	for _, e := range entries {
		if e.Effective.After(to) {
			next.Pending++
			if e.Date.Before(next.From) {
				next.From = e.Date
			}
			continue
		}
		if src.Currency.IsZero() {
			src.Currency = e.Currency
		}
		src.Credit = src.Credit.Add(e.Credit)
		if !from.IsZero() && e.Effective.Before(from) {
			src.Opening = src.Opening.Add(e.Amount())
		} else {
			src.Lines = append(src.Lines, statement.Line{Date: e.Effective, Kind: string(e.Kind), DocumentID: e.DocumentID, Number: e.Number, Amount: e.Amount()})
		}
		postings, err := s.invoicePostings(ctx, c.OrgID, e)
		if err != nil {
			return src, nil, fmt.Errorf("statement source of %s: %w", c.ID, err)
		}
		for _, p := range postings {
			src.Postings = append(src.Postings, p)
			owing[p.InvoiceID] = owing[p.InvoiceID].Add(p.Owing)
		}
	}
	for id, b := range owing {
		if b.IsZero() {
			continue
		}
		if _, known := src.Invoices[id]; !known && b.IsPositive() {
			inv, err := s.GetInvoice(ctx, c.OrgID, id)
			if err != nil {
				return src, nil, fmt.Errorf("statement source of %s: %w", c.ID, err)
			}
			src.Invoices[id] = statement.Invoice{ID: id, Number: inv.Number, Name: inv.Spec.Name, IssueDate: inv.Spec.IssueDate, DueDate: inv.Spec.DueDate, Total: inv.Totals().Total}
		}
		next.Open[id] = snapshotInvoice{Invoice: src.Invoices[id], Owing: b}
	}
	next.Balance = src.Opening
	for _, l := range src.Lines {
		next.Balance = next.Balance.Add(l.Amount)
	}
	next.Credit = src.Credit
	if !src.Currency.IsZero() {
		next.Currency = src.Currency.Code()
	}
	return src, next, nil
}
