// Package invoice is the invoice domain: lines, totals, and the lifecycle
// draft → open → paid, open → void. It knows nothing of AWS or HTTP.
package invoice

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

// Status is where an invoice is in its life (see Invoice.Status for the
// transitions). Overdue is not a status: it is derived from an open
// invoice's due date (see Overdue).
type Status string

// Statuses.
const (
	Draft Status = "draft"
	Open  Status = "open"
	Paid  Status = "paid"
	Void  Status = "void"
)

// Expected outcomes callers act on.
var (
	ErrNotFound     = errors.New("invoice not found")
	ErrNotDraft     = errors.New("invoice is finalized and cannot be changed")
	ErrNotOpen      = errors.New("only an open invoice can be voided")
	ErrLocked       = errors.New("invoice is locked; an admin must unlock it first")
	ErrNotLocked    = errors.New("invoice is not locked")
	ErrHasPayments  = errors.New("invoice has payments; credit or refund them before voiding")
	ErrEmpty        = errors.New("invoice has no line items")
	ErrNotFinalized = errors.New("invoice is a draft; finalize or send it first")
	ErrConflict     = errors.New("invoice was changed by someone else; reload and try again")
	ErrVoidNotSent  = errors.New("invoice is void; void invoices are not sent")
	// ErrSettled is returned when money is put against an invoice that
	// no longer asks for any: paid in full, or void.
	ErrSettled = errors.New("this invoice is paid in full or void; nothing more can be paid or credited against it")
	// ErrExceedsBalance is returned when a payment, credit or credit note
	// is more than the invoice still asks for (see BalanceError).
	ErrExceedsBalance = errors.New("the amount is more than the invoice's balance")
)

// BalanceError is ErrExceedsBalance with the figures, for the message.
type BalanceError struct {
	Amount, Balance string // formatted in the invoice's currency
}

func (e *BalanceError) Error() string { return e.PublicMessage() }

// PublicMessage is the message a client is shown.
func (e *BalanceError) PublicMessage() string {
	return e.Amount + " is more than the invoice's balance of " + e.Balance
}

// Unwrap lets errors.Is find ErrExceedsBalance.
func (e *BalanceError) Unwrap() error { return ErrExceedsBalance }

// MaxLines caps the line items on one invoice.
const MaxLines = 500

// Spec is what a coordinator decides about a draft. Zero dates mean "not
// given": the issue date then becomes the finalization date and the due date
// follows from TermsDays.
type Spec struct {
	ClientID  string
	Name      string
	IssueDate calendar.Date
	DueDate   calendar.Date
	TermsDays int // from the client's or org's payment terms
	Currency  money.Currency
	Memo      string
	PONumber  string
	Lines     []Line
	Fees      []Fee
	// TaxRounding is the org's method when the draft was last saved; a
	// finalized invoice keeps it. "" means PerRate.
	TaxRounding TaxRounding
}

// Validate checks a spec on its own terms.
func (s Spec) Validate() error {
	if s.ClientID == "" {
		return validation.Errorf("clientId", "is required")
	}
	if err := validation.Text("name", s.Name, true, 200); err != nil {
		return err
	}
	if err := validation.Text("memo", s.Memo, false, 2000); err != nil {
		return err
	}
	if err := validation.Text("poNumber", s.PONumber, false, 100); err != nil {
		return err
	}
	if s.Currency.IsZero() {
		return validation.Errorf("currency", "is required")
	}
	if s.TermsDays < 0 || s.TermsDays > 365 {
		return validation.Errorf("paymentTermsDays", "must be between 0 and 365")
	}
	if !s.IssueDate.IsZero() && !s.DueDate.IsZero() && s.DueDate.Before(s.IssueDate) {
		return validation.Errorf("dueDate", "is before the issue date")
	}
	if len(s.Lines) > MaxLines {
		return validation.Errorf("lineItems", "at most %d line items (got %d)", MaxLines, len(s.Lines))
	}
	for i, l := range s.Lines {
		if err := l.validate(s.Currency); err != nil {
			return validation.Prefix(lineField(i), err)
		}
	}
	if len(s.Fees) > 20 {
		return validation.Errorf("fees", "at most 20 fees")
	}
	for i, f := range s.Fees {
		if err := f.validate(s.Currency); err != nil {
			return validation.Prefix(fmt.Sprintf("fees[%d]", i), err)
		}
	}
	if err := ValidateTaxRounding("taxRounding", s.TaxRounding); err != nil {
		return err
	}
	if t := ComputeTotalsRounded(s.Currency, s.TaxRounding, s.Lines, s.Fees); t.Total.GreaterThan(MaxTotal) {
		return validation.Errorf("lineItems", "the invoice comes to %s, more than the limit of %s", s.Currency.String(t.Total), MaxTotal)
	}
	return nil
}

// Invoice is a bill to one client. Build drafts with NewDraft, rebuild
// stored ones with Restore, and change them only through its methods,
// which keep the lifecycle rules; the status is readable through Status
// and settable by nothing else, as are the rest of its lifecycle state
// (locks, disputes, amounts settled, the re-issue link): see State.
type Invoice struct {
	ID         string
	OrgID      string
	ClientName string // copied from the client for lists and the activity feed
	Spec       Spec
	Number     string // assigned at finalization, never reused
	Seq        int64  // the number's position in the org's series
	// The lifecycle state (see State): set only by the transitions and
	// Restore, read through the accessors of the same names.
	status        Status
	locked        bool
	lockedBy      string
	lockReason    string
	disputed      bool
	paid          decimal.Decimal
	credit        decimal.Decimal
	creditApplied decimal.Decimal
	replacedByID  string

	Version int64 // bumped by every stored change; guards concurrent writes

	VoidReason string
	ReplacesID string // the voided invoice this one re-issues
	// KeepsNumber is set on a re-issue that takes the voided invoice's
	// number with a revision suffix (BaseNumber-R<Revision>) instead of a
	// new number from the series, as plan managers often ask.
	KeepsNumber bool
	BaseNumber  string // the number being revised, without suffix
	Revision    int    // 1 for the first re-issue under the same number
	// Origin is the special kind of invoice this is (initial balance,
	// processing fee, synced from accounting), Standard otherwise.
	Origin Origin
	// ExternalNumber and ExternalReference are a synced invoice's number
	// and id in the accounting system it came from.
	ExternalNumber    string
	ExternalReference string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	FinalizedAt       time.Time
	SentAt            time.Time // first sent to the client; resends keep it
	VoidedAt          time.Time
}

// NewDraft starts a draft from a valid spec.
func NewDraft(id, orgID string, s Spec, now time.Time) (*Invoice, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &Invoice{ID: id, OrgID: orgID, Spec: s, status: Draft, CreatedAt: now, UpdatedAt: now}, nil
}

// Totals are the invoice's sums.
func (inv *Invoice) Totals() Totals {
	return ComputeTotalsRounded(inv.Spec.Currency, inv.Spec.TaxRounding, inv.Spec.Lines, inv.Spec.Fees)
}

// Balance is what is still owed: total − paid − credited, never below zero
// (anything paid beyond the total is client credit, not a negative balance).
// A void invoice owes nothing.
func (inv *Invoice) Balance() decimal.Decimal {
	if inv.status == Void {
		return decimal.Zero
	}
	b := inv.Totals().Total.Sub(inv.paid).Sub(inv.credit)
	if b.IsNegative() {
		return decimal.Zero
	}
	return b
}

// DocumentKind is the invoice's title, by one rule everywhere (API, PDF,
// pay page, portal): "Tax invoice" when it charges tax and the org has a
// tax id (ABN) to print on it, as the ATO requires of a tax invoice; else
// "Invoice".
func (inv *Invoice) DocumentKind(orgHasTaxID bool) string {
	if orgHasTaxID && inv.Totals().Tax.IsPositive() {
		return "Tax invoice"
	}
	return "Invoice"
}

// Action is something a coordinator can do to an invoice now.
type Action string

// Actions, as the API names them.
const (
	ActEdit          Action = "edit"
	ActDelete        Action = "delete"
	ActFinalize      Action = "finalize"
	ActSend          Action = "send"
	ActResend        Action = "resend"
	ActVoid          Action = "void"
	ActLock          Action = "lock"
	ActUnlock        Action = "unlock"
	ActRecordPayment Action = "record_payment"
	ActApplyCredit   Action = "apply_credit"
	ActUnapplyCredit Action = "unapply_credit"
	ActCreditNote    Action = "credit_note"
	ActPayLink       Action = "pay_link"
)

// AvailableActions are the actions the invoice's state allows now, for
// pages to offer instead of re-deriving the rules; billing.InvoiceActions
// keeps those the caller's role may take.
func (inv *Invoice) AvailableActions() []Action {
	switch inv.status {
	case Draft:
		return []Action{ActEdit, ActDelete, ActFinalize, ActSend}
	case Void:
		return []Action{}
	}
	out := []Action{ActResend}
	if inv.status == Open {
		out = append(out, ActRecordPayment, ActApplyCredit, ActPayLink)
	}
	out = append(out, ActCreditNote)
	if inv.creditApplied.IsPositive() {
		out = append(out, ActUnapplyCredit)
	}
	if inv.locked {
		return append(out, ActUnlock)
	}
	if inv.status == Open && !inv.paid.IsPositive() {
		out = append(out, ActVoid)
	}
	return append(out, ActLock)
}

// Overdue reports whether an open invoice is past its due date on today.
func (inv *Invoice) Overdue(today calendar.Date) bool {
	return inv.status == Open && !inv.Spec.DueDate.IsZero() && inv.Spec.DueDate.Before(today)
}

// Edit replaces a draft's spec.
func (inv *Invoice) Edit(s Spec, now time.Time) error {
	if inv.status != Draft {
		return ErrNotDraft
	}
	if err := s.Validate(); err != nil {
		return err
	}
	inv.Spec = s
	inv.UpdatedAt = now
	return nil
}

// CheckDeletable says whether the invoice may be deleted: drafts only.
func (inv *Invoice) CheckDeletable() error {
	if inv.status != Draft {
		return ErrNotDraft
	}
	return nil
}

// Finalize turns a draft into an open invoice numbered prefix+seq. The issue
// date defaults to today and the due date to issue date + payment terms. An
// invoice that comes to zero is paid at once.
func (inv *Invoice) Finalize(prefix string, seq int64, today calendar.Date, now time.Time) error {
	if inv.status != Draft {
		return ErrNotDraft
	}
	if len(inv.Spec.Lines) == 0 {
		return ErrEmpty
	}
	if seq < 1 {
		return fmt.Errorf("finalize invoice %s: sequence %d is not positive", inv.ID, seq)
	}
	if inv.Spec.IssueDate.IsZero() {
		inv.Spec.IssueDate = today
	}
	if inv.Spec.DueDate.IsZero() {
		inv.Spec.DueDate = inv.Spec.IssueDate.AddDays(inv.Spec.TermsDays)
	}
	if inv.Spec.DueDate.Before(inv.Spec.IssueDate) {
		return validation.Errorf("dueDate", "is before the issue date %s", inv.Spec.IssueDate)
	}
	if inv.KeepsNumber {
		// The series is not touched: no number is used up, none skipped.
		inv.Seq, inv.Number = 0, fmt.Sprintf("%s-R%d", inv.BaseNumber, inv.Revision)
	} else if !inv.Origin.Numbered() {
		// Nor for an initial balance (no number) or a synced invoice (its
		// accounting system's number).
		inv.Seq, inv.Number = 0, inv.ExternalNumber
	} else {
		inv.Seq, inv.Number = seq, FormatNumber(prefix, seq)
	}
	inv.status = Open
	if inv.Totals().Total.IsZero() {
		inv.status = Paid
	}
	inv.FinalizedAt, inv.UpdatedAt = now, now
	return nil
}

// MarkSent records that a finalized invoice went to the client; the first
// send's time stays. Drafts must be finalized first, and void invoices are
// not sent at all.
func (inv *Invoice) MarkSent(now time.Time) error {
	switch inv.status {
	case Draft:
		return ErrNotFinalized
	case Void:
		return ErrVoidNotSent
	}
	if inv.SentAt.IsZero() {
		inv.SentAt, inv.UpdatedAt = now, now
	}
	return nil
}

// FormatNumber writes an invoice number: the org's prefix and the sequence,
// zero-padded to five digits ("INV-00042").
func FormatNumber(prefix string, seq int64) string {
	return fmt.Sprintf("%s%05d", prefix, seq)
}

// ApplyPayment puts amount against an open invoice's balance; the invoice
// is paid when nothing is left to pay. An amount beyond the balance is the
// caller's to treat as credit, never applied here.
func (inv *Invoice) ApplyPayment(amount decimal.Decimal, now time.Time) error {
	return inv.settle(&inv.paid, amount, now)
}

// ApplyCredit reduces an open invoice's balance by a credit note; the
// invoice is paid when nothing is left to pay.
func (inv *Invoice) ApplyCredit(amount decimal.Decimal, now time.Time) error {
	return inv.settle(&inv.credit, amount, now)
}

// ApplyClientCredit reduces an open invoice's balance by the client's
// credit, remembered apart (CreditApplied) so a void can give it back.
func (inv *Invoice) ApplyClientCredit(amount decimal.Decimal, now time.Time) error {
	if err := inv.settle(&inv.credit, amount, now); err != nil {
		return err
	}
	inv.creditApplied = inv.creditApplied.Add(amount)
	return nil
}

// settle adds amount to one of the invoice's settled sums.
func (inv *Invoice) settle(sum *decimal.Decimal, amount decimal.Decimal, now time.Time) error {
	switch {
	case inv.status == Draft:
		return ErrNotFinalized
	case inv.status != Open:
		return ErrSettled
	case !amount.IsPositive():
		return validation.Errorf("amount", "must be more than zero")
	case amount.GreaterThan(inv.Balance()):
		return &BalanceError{Amount: inv.Spec.Currency.String(amount), Balance: inv.Spec.Currency.String(inv.Balance())}
	}
	*sum = sum.Add(amount)
	if inv.Balance().IsZero() {
		inv.status = Paid
	}
	inv.UpdatedAt = now
	return nil
}

// UnapplyPayment takes amount of a payment back off a paid or open
// invoice (a payment reversed or refunded); a paid invoice reopens.
func (inv *Invoice) UnapplyPayment(amount decimal.Decimal, now time.Time) error {
	if inv.status != Open && inv.status != Paid {
		return ErrNotFinalized
	}
	if !amount.IsPositive() || amount.GreaterThan(inv.paid) {
		return validation.Errorf("amount", "%s is not part of the %s paid on invoice %s", inv.Spec.Currency.String(amount), inv.Spec.Currency.String(inv.paid), inv.Number)
	}
	inv.paid = inv.paid.Sub(amount)
	inv.reopen(now)
	return nil
}

// UnapplyClientCredit gives amount of the client credit applied to an
// open or paid invoice back to the client; a paid invoice reopens. A
// locked invoice keeps its credit (ErrLocked).
func (inv *Invoice) UnapplyClientCredit(amount decimal.Decimal, now time.Time) error {
	if inv.locked {
		return ErrLocked
	}
	if inv.status != Open && inv.status != Paid {
		return ErrSettled
	}
	if !amount.IsPositive() || amount.GreaterThan(inv.creditApplied) {
		return validation.Errorf("amount", "%s of client credit is applied to this invoice", inv.Spec.Currency.String(inv.creditApplied))
	}
	inv.credit = inv.credit.Sub(amount)
	inv.creditApplied = inv.creditApplied.Sub(amount)
	inv.reopen(now)
	return nil
}

// UncreditNote takes a voided credit note's amount back off an invoice;
// a paid invoice reopens. A void invoice keeps its notes as they were, and
// a locked one too (ErrLocked).
func (inv *Invoice) UncreditNote(amount decimal.Decimal, now time.Time) error {
	if inv.locked {
		return ErrLocked
	}
	if inv.status != Open && inv.status != Paid {
		return ErrSettled
	}
	if notes := inv.credit.Sub(inv.creditApplied); !amount.IsPositive() || amount.GreaterThan(notes) {
		return validation.Errorf("amount", "%s is more than the credit notes on invoice %s", inv.Spec.Currency.String(amount), inv.Number)
	}
	inv.credit = inv.credit.Sub(amount)
	inv.reopen(now)
	return nil
}

func (inv *Invoice) reopen(now time.Time) {
	if inv.Balance().IsPositive() {
		inv.status = Open
	}
	inv.UpdatedAt = now
}

// Lock freezes a finalized invoice against voiding and other changes;
// payments are still accepted. Locking is orthogonal to status.
func (inv *Invoice) Lock(reason string, now time.Time) error {
	if err := validation.Text("reason", reason, false, 500); err != nil {
		return err
	}
	switch {
	case inv.status == Draft:
		return ErrNotFinalized
	case inv.locked:
		return ErrLocked
	}
	inv.locked, inv.lockReason, inv.UpdatedAt = true, reason, now
	return nil
}

// Unlock lifts a lock; the reason is required, for the activity log.
func (inv *Invoice) Unlock(reason string, now time.Time) error {
	if err := validation.Text("reason", reason, true, 500); err != nil {
		return err
	}
	if !inv.locked {
		return ErrNotLocked
	}
	inv.locked, inv.lockedBy, inv.lockReason, inv.UpdatedAt = false, "", "", now
	return nil
}

// VoidInvoice cancels an open invoice. Its number stays used. Client
// credit applied to it goes back to the client (CreditApplied becomes
// zero); an invoice with payments must have them reversed or refunded
// first (ErrHasPayments). A void invoice owes nothing.
func (inv *Invoice) VoidInvoice(reason string, now time.Time) error {
	if err := validation.Text("reason", reason, true, 500); err != nil {
		return err
	}
	switch {
	case inv.status == Void || inv.status == Draft:
		return ErrNotOpen
	case inv.locked:
		return ErrLocked
	case inv.paid.IsPositive():
		return ErrHasPayments
	case inv.status != Open:
		return ErrNotOpen
	}
	inv.status = Void
	inv.credit = inv.credit.Sub(inv.creditApplied)
	inv.creditApplied = decimal.Zero
	inv.VoidReason = reason
	inv.VoidedAt, inv.UpdatedAt = now, now
	return nil
}

// StatusOverdue is the derived status a list can ask for: open and due
// before today.
const StatusOverdue = "overdue"

// ListFilter narrows an invoice list.
type ListFilter struct {
	ClientID string
	Status   string // a Status, or StatusOverdue
	Today    calendar.Date
	Search   string // matches the invoice name, number or client name
	Limit    int
	Cursor   string
}

// Reissue starts the draft that re-issues a void invoice: the same client,
// lines, dates and references, linked back to it. keepNumber makes it take
// the voided invoice's number with the next revision suffix when
// finalized, rather than a new number.
func (inv *Invoice) Reissue(id string, keepNumber bool, now time.Time) (*Invoice, error) {
	if inv.status != Void {
		return nil, ErrNotVoid
	}
	d, err := NewDraft(id, inv.OrgID, inv.Spec, now)
	if err != nil {
		return nil, err
	}
	d.ClientName, d.ReplacesID = inv.ClientName, inv.ID
	if keepNumber {
		base, rev := inv.Number, 1
		if inv.KeepsNumber {
			base, rev = inv.BaseNumber, inv.Revision+1
		}
		d.KeepsNumber, d.BaseNumber, d.Revision = true, base, rev
	}
	return d, nil
}

// ErrNotVoid is returned for a re-issue of an invoice that is not void.
var ErrNotVoid = errors.New("only a void invoice can be re-issued; void it first (a re-issue voids an open one)")
