// Package statement is a client's statement of account: a view of the
// client ledger over a period or as at a date, with the aging of what is
// outstanding. Two kinds, as the accounting tools users know print them:
// an activity statement (opening balance, every movement in a date range,
// closing balance) and an outstanding statement (every invoice still open
// as at a date, which may be in the past). It knows nothing of storage.
package statement

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/money"
)

// Kind is the statement's kind.
type Kind string

// Statement kinds.
const (
	Activity    Kind = "activity"
	Outstanding Kind = "outstanding"
)

// ErrInvalid is returned for a statement request that makes no sense.
var ErrInvalid = errors.New("invalid statement")

// ErrNotFound is returned for a statement not in the org.
var ErrNotFound = errors.New("statement not found")

// Line is one movement in the period: an invoice, a payment, a credit
// note, a refund, a void. Amount is signed (positive raises what the
// client owes); Balance is the running balance after it.
type Line struct {
	Date        calendar.Date
	Kind        string // the ledger entry's kind, e.g. "invoice_finalized"
	DocumentID  string
	Number      string
	Description string
	Amount      decimal.Decimal
	Balance     decimal.Decimal
}

// Posting is a ledger movement of one invoice's balance: its finalization
// (+total), and each payment allocation, credit, credit note or void
// against it (negative).
type Posting struct {
	InvoiceID string
	Date      calendar.Date
	Owing     decimal.Decimal
}

// Invoice is what the statement prints of an invoice.
type Invoice struct {
	ID        string
	Number    string
	Name      string
	IssueDate calendar.Date
	DueDate   calendar.Date // zero: due on issue
	Total     decimal.Decimal
}

// OpenItem is an invoice with a balance as at the statement date.
type OpenItem struct {
	Invoice
	Balance     decimal.Decimal
	DaysOverdue int
	Bucket      Bucket
}

// Statement is one client's statement.
type Statement struct {
	ID       string
	OrgID    string
	ClientID string
	CycleID  string // the billing cycle that wrote it; empty when asked for
	Kind     Kind
	From     calendar.Date // activity only
	To       calendar.Date // the statement date: the period's end, or "as at"
	Currency money.Currency
	Opening  decimal.Decimal // balance (owing − credit) before From
	Closing  decimal.Decimal // balance at the end of To
	Credit   decimal.Decimal // unallocated client credit at the end of To
	Lines    []Line
	Open     []OpenItem
	Aging    Aging
	// Locked lists the invoices the statement locked (org policy "on
	// statement"), so deleting the statement unlocks exactly those.
	Locked    []string
	CreatedAt time.Time
}

// OpenAsAt is every invoice with something owing at the end of asAt,
// oldest due first, aged as at asAt: the postings dated on or before it
// are summed per invoice, so any past date gives the balances as they
// stood then.
func OpenAsAt(invoices map[string]Invoice, postings []Posting, asAt calendar.Date) []OpenItem {
	bal := map[string]decimal.Decimal{}
	for _, p := range postings {
		if p.Date.After(asAt) {
			continue
		}
		bal[p.InvoiceID] = bal[p.InvoiceID].Add(p.Owing)
	}
	var out []OpenItem
	for id, b := range bal {
		inv, ok := invoices[id]
		if !ok || !b.IsPositive() {
			continue
		}
		due := inv.DueDate
		if due.IsZero() {
			due = inv.IssueDate
		}
		late := due.DaysUntil(asAt)
		if late < 0 {
			late = 0
		}
		out = append(out, OpenItem{Invoice: inv, Balance: b, DaysOverdue: late, Bucket: BucketOf(due, asAt)})
	}
	sort.Slice(out, func(i, j int) bool {
		if c := dueOf(out[i]).Compare(dueOf(out[j])); c != 0 {
			return c < 0
		}
		return out[i].Number < out[j].Number
	})
	return out
}

func dueOf(o OpenItem) calendar.Date {
	if o.DueDate.IsZero() {
		return o.IssueDate
	}
	return o.DueDate
}

// Build assembles a statement from the client's opening balance, the
// ledger lines in [from, to] (activity) and the open items as at to. It
// checks the books balance: opening plus the lines is the closing balance,
// and the closing balance is what is outstanding less unallocated credit.
func Build(s Statement, opening decimal.Decimal, lines []Line, open []OpenItem, credit decimal.Decimal) (Statement, error) {
	if s.Kind != Activity && s.Kind != Outstanding {
		return Statement{}, fmt.Errorf("%w: kind must be activity or outstanding", ErrInvalid)
	}
	if s.Kind == Activity && (s.From.IsZero() || s.To.Before(s.From)) {
		return Statement{}, fmt.Errorf("%w: an activity statement needs from ≤ to", ErrInvalid)
	}
	closing := opening
	for i := range lines {
		closing = closing.Add(lines[i].Amount)
		lines[i].Balance = closing
	}
	var aging Aging
	for _, o := range open {
		aging.Add(o.Bucket, o.Balance)
	}
	if s.Kind == Activity {
		s.Opening, s.Lines = opening, lines
	} else {
		s.Opening, s.Lines, s.From = decimal.Zero, nil, calendar.Date{}
	}
	s.Closing, s.Open, s.Aging, s.Credit = closing, open, aging, credit
	if got := aging.Total().Sub(credit); !got.Equal(closing) {
		return Statement{}, fmt.Errorf("statement for %s: outstanding %s less credit %s is %s, but the ledger's balance is %s",
			s.ClientID, aging.Total(), credit, got, closing)
	}
	return s, nil
}

// HasActivity reports whether a client gets a statement at a cycle's
// close: something moved in the period or something is still owed or held.
func HasActivity(lines []Line, open []OpenItem, closing decimal.Decimal) bool {
	return len(lines) > 0 || len(open) > 0 || !closing.IsZero()
}

// KindInvoice is the ledger kind of an invoice's finalization: the line
// that brings an invoice onto a statement.
const KindInvoice = "invoice_finalized"

// Source is what the ledger holds for one client and period: the balance
// before it, its movements, every posting against the client's invoices up
// to its end, those invoices, and the credit held at its end.
type Source struct {
	Currency money.Currency
	Opening  decimal.Decimal
	Lines    []Line
	Postings []Posting
	Invoices map[string]Invoice
	Credit   decimal.Decimal
}

// Issue is a statement to write together with the activity that records
// it (the statement itself, and each invoice it locks).
type Issue struct {
	Statement *Statement
	Events    []activity.Event
}
