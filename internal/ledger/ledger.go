// Package ledger is a client's account history: one immutable entry per
// movement of money (an invoice finalized, a payment received, credit
// applied, a credit note, a void …), numbered per client so the running
// balance is exact. A client's owing and credit are sums of its entries:
// kept materialized on the client for reads, always recomputable from the
// entries (Recompute). It knows nothing of AWS or HTTP.
package ledger

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
)

// Kind is what moved the money.
type Kind string

// Entry kinds. Each moves the client's owing (what open invoices still
// ask for) and credit (money held for the client) as its doc says.
const (
	InvoiceFinalized Kind = "invoice_finalized"  // owing + total
	InvoiceVoided    Kind = "invoice_voided"     // owing − what the void invoice still asked for
	PaymentReceived  Kind = "payment_received"   // credit + unallocated part, owing − allocated part
	CreditApplied    Kind = "credit_applied"     // owing − x, credit − x: client credit settles an invoice
	CreditReturned   Kind = "credit_returned"    // owing + x, credit + x: applied credit goes back to the client
	CreditNote       Kind = "credit_note"        // owing − x
	CreditNoteVoided Kind = "credit_note_voided" // owing + x
	PaymentReversed  Kind = "payment_reversed"   // owing + what it settled, credit − what it left as credit
	PaymentRefunded  Kind = "payment_refunded"   // likewise for the part refunded: the money left the business
	// PaymentReleased is paid money a credit note took off an invoice and
	// kept for the client: owing + x, credit + x.
	PaymentReleased Kind = "payment_released"
)

// ErrCurrencyMismatch is returned when money in one currency meets a
// client, document or balance in another. Nothing is ever converted.
var ErrCurrencyMismatch = errors.New("currency_mismatch")

// MismatchError names both currencies of a refused movement.
type MismatchError struct {
	Want, Got money.Currency
	What      string // "invoice", "payment", "credit note"
}

func (e *MismatchError) Error() string { return e.PublicMessage() }

// PublicMessage is the message a client is shown.
func (e *MismatchError) PublicMessage() string {
	return fmt.Sprintf("this client bills in %s; a %s in %s is refused (nothing is converted)", e.Want.Code(), e.What, e.Got.Code())
}

// Unwrap lets errors.Is find ErrCurrencyMismatch.
func (e *MismatchError) Unwrap() error { return ErrCurrencyMismatch }

// CheckCurrency refuses money in got for a client billing in want.
func CheckCurrency(want, got money.Currency, what string) error {
	if want != got {
		return &MismatchError{Want: want, Got: got, What: what}
	}
	return nil
}

// Entry is one movement of money on a client's account. Owing and Credit
// are signed changes; Balance is the running balance (owing − credit) in
// Currency after this entry. Entries are never changed or deleted: a
// correction is a new entry.
type Entry struct {
	OrgID      string
	ClientID   string
	Seq        int64 // 1, 2, 3 … per client, gapless
	Kind       Kind
	Currency   money.Currency
	Owing      decimal.Decimal
	Credit     decimal.Decimal
	Balance    decimal.Decimal
	DocumentID string // the invoice, payment or credit note it belongs to
	Number     string // that document's number
	InvoiceID  string // the invoice settled, when the document is not the invoice
	// Splits spreads the entry's change in owing over the invoices it
	// moved, when it moved several (a payment over its allocations, a
	// reversal or refund over the ones it reopened); they sum to Owing.
	// Statements use them to age each invoice as at any date.
	Splits []Split
	Memo   string
	Date   calendar.Date // posting date, in the org's zone; never before the previous entry's
	// Effective is the date of the document behind the movement: the
	// invoice's issue date, the payment's date. Statements and closed
	// billing cycles go by it; zero means the posting date.
	Effective calendar.Date
	At        time.Time
}

// EffectiveDate is the date of the document behind the movement, or the
// posting date for an entry that names none.
func (e Entry) EffectiveDate() calendar.Date {
	if e.Effective.IsZero() {
		return e.Date
	}
	return e.Effective
}

// Amount is the entry's effect on the balance: positive raises what the
// client owes, negative lowers it.
func (e Entry) Amount() decimal.Decimal { return e.Owing.Sub(e.Credit) }

// Balances are a client's owing and credit in one currency.
type Balances struct {
	Owing  decimal.Decimal
	Credit decimal.Decimal
}

// Net is owing − credit.
func (b Balances) Net() decimal.Decimal { return b.Owing.Sub(b.Credit) }

// Account is the materialized state of a client's ledger: the last
// sequence and posting date, and the balances per currency.
type Account struct {
	Seq      int64
	Date     calendar.Date
	Balances map[money.Currency]Balances
}

// Post numbers entries after acct, stamps their running balances and
// posting date (today, or the last entry's date if later, so dates never
// go back), and moves acct's balances. It refuses a movement that would
// take credit below zero.
func Post(acct *Account, entries []Entry, today calendar.Date, now time.Time) error {
	if acct.Balances == nil {
		acct.Balances = map[money.Currency]Balances{}
	}
	date := today
	if acct.Date.After(date) {
		date = acct.Date
	}
	for i := range entries {
		e := &entries[i]
		b := acct.Balances[e.Currency]
		b.Owing = b.Owing.Add(e.Owing)
		b.Credit = b.Credit.Add(e.Credit)
		if b.Credit.IsNegative() {
			return fmt.Errorf("post %s: credit would be %s: %w", e.Kind, e.Currency.String(b.Credit), ErrInsufficientCredit)
		}
		acct.Balances[e.Currency] = b
		acct.Seq++
		e.Seq, e.Balance, e.Date, e.At = acct.Seq, b.Net(), date, now
		if e.Effective.IsZero() {
			e.Effective = date
		}
	}
	acct.Date = date
	return nil
}

// ErrInsufficientCredit is returned when a movement would spend credit the
// client does not hold (a concurrent change won; reload and retry).
var ErrInsufficientCredit = errors.New("the client does not hold that much credit")

// Recompute sums entries (in order) into the balances they imply and
// reports each entry whose stored running balance disagrees, and any gap
// in the sequence.
func Recompute(entries []Entry) (map[money.Currency]Balances, []string) {
	out := map[money.Currency]Balances{}
	var problems []string
	var want int64 = 1
	for _, e := range entries {
		if e.Seq != want {
			problems = append(problems, fmt.Sprintf("entry %d follows %d", e.Seq, want-1))
		}
		want = e.Seq + 1
		b := out[e.Currency]
		b.Owing, b.Credit = b.Owing.Add(e.Owing), b.Credit.Add(e.Credit)
		out[e.Currency] = b
		if !b.Net().Equal(e.Balance) {
			problems = append(problems, fmt.Sprintf("entry %d says balance %s, the entries before it sum to %s", e.Seq, e.Balance, b.Net()))
		}
	}
	return out, problems
}

// Diff is the entries that take an invoice from before to after: its
// finalization, client credit applied or returned, credit notes, and its
// void. Payments on the invoice are posted by the payment itself
// (Received), never here. cause names the credit note behind a change in
// credit, if any. The sum of Diff's entries always equals the change in
// what the invoice asks of the client.
func Diff(before, after *invoice.Invoice, cause Doc) []Entry {
	cur := after.Spec.Currency
	base := func(k Kind) Entry {
		return Entry{OrgID: after.OrgID, ClientID: after.Spec.ClientID, Kind: k, Currency: cur, DocumentID: after.ID, Number: after.Number}
	}
	var out []Entry
	if before.Status() == invoice.Draft && after.Status() != invoice.Draft {
		e := base(InvoiceFinalized)
		e.Owing, e.Effective = after.Totals().Total, after.Spec.IssueDate
		out = append(out, e)
	}
	if d := after.CreditApplied().Sub(before.CreditApplied()); d.IsPositive() {
		e := base(CreditApplied)
		e.Owing, e.Credit = d.Neg(), d.Neg()
		out = append(out, e)
	} else if d.IsNegative() {
		e := base(CreditReturned)
		e.Owing, e.Credit = d.Neg(), d.Neg()
		out = append(out, e)
	}
	notesBefore := before.Credit().Sub(before.CreditApplied())
	if d := after.Credit().Sub(after.CreditApplied()).Sub(notesBefore); !d.IsZero() {
		e := base(CreditNote)
		if d.IsNegative() {
			e.Kind = CreditNoteVoided
		}
		e.Owing = d.Neg()
		if cause.ID != "" {
			e.DocumentID, e.Number, e.InvoiceID = cause.ID, cause.Number, after.ID
		}
		out = append(out, e)
	}
	if before.Status() != invoice.Void && after.Status() == invoice.Void {
		e := base(InvoiceVoided)
		// What the invoice still asked for once its applied credit went back.
		e.Owing = after.Totals().Total.Sub(after.Paid()).Sub(after.Credit()).Neg()
		e.Memo = after.VoidReason
		out = append(out, e)
	}
	return out
}

// Doc names the document behind a movement.
type Doc struct {
	ID     string
	Number string
}

// Received is the entry for a payment: all of it arrives, the allocated
// part settles invoices (owing −) and the rest is credit (credit +).
func Received(orgID, clientID string, cur money.Currency, doc Doc, amount, allocated decimal.Decimal, memo string) Entry {
	return Entry{
		OrgID: orgID, ClientID: clientID, Kind: PaymentReceived, Currency: cur, DocumentID: doc.ID, Number: doc.Number,
		Owing: allocated.Neg(), Credit: amount.Sub(allocated), Memo: memo,
	}
}

// Balance is a running balance at one point of a client's ledger: after
// entry Seq (zero: before any entry).
type Balance struct {
	Currency money.Currency
	Amount   decimal.Decimal
	Seq      int64
}

// Page is part of a client's ledger between two dates: its entries in
// order, the balance before the range (Opening) and at its end (Closing).
type Page struct {
	Entries    []Entry
	Opening    Balance
	Closing    Balance
	NextCursor string
}

// Undone is the entry for money taken back out of a payment (kind
// PaymentReversed or PaymentRefunded): fromInvoices reopens what it had
// settled (owing +), fromCredit comes off the client's credit (credit −).
func Undone(kind Kind, orgID, clientID string, cur money.Currency, doc Doc, fromInvoices, fromCredit decimal.Decimal, memo string) Entry {
	return Entry{
		OrgID: orgID, ClientID: clientID, Kind: kind, Currency: cur, DocumentID: doc.ID, Number: doc.Number,
		Owing: fromInvoices, Credit: fromCredit.Neg(), Memo: memo,
	}
}

// Split is one invoice's share of an entry's change in owing.
type Split struct {
	InvoiceID string
	Owing     decimal.Decimal
}

// PaidSplits are the splits of a change in what invoices have been paid:
// each invoice's owing moves by the opposite of its change in Paid,
// before to after (ids of after; before may lack new ones).
func PaidSplits(before map[string]decimal.Decimal, after map[string]decimal.Decimal) []Split {
	var out []Split
	for id, a := range after {
		if d := a.Sub(before[id]); !d.IsZero() {
			out = append(out, Split{InvoiceID: id, Owing: d.Neg()})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].InvoiceID < out[j].InvoiceID })
	return out
}
