// Package credit is the credit note: a numbered document, from its own
// gapless series, that takes an amount off an open invoice without editing
// it. Corrections never change a finalized invoice; they credit or void it.
package credit

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

// ErrNotFound is returned when the credit note is not in the caller's org.
var ErrNotFound = errors.New("credit note not found")

// Note is a credit note.
type Note struct {
	ID        string
	OrgID     string
	InvoiceID string
	Invoice   string // the credited invoice's number
	ClientID  string
	Amount    decimal.Decimal
	Currency  money.Currency
	Reason    string
	Number    string
	Seq       int64
	CreatedAt time.Time
	VoidedAt  time.Time // zero unless voided
	// VoidReason says why a note was voided: its amount went back onto
	// the invoice (and the client's owing).
	VoidReason string
}

// ErrVoided is returned when a void credit note is voided again.
var ErrVoided = errors.New("this credit note is already void")

// Void cancels the note: its amount goes back onto inv, reopening it. A
// note on a void invoice cannot be voided (the invoice owes nothing).
func (n *Note) Void(inv *invoice.Invoice, reason string, now time.Time) error {
	if err := validation.Text("reason", reason, true, 500); err != nil {
		return err
	}
	if !n.VoidedAt.IsZero() {
		return ErrVoided
	}
	if err := inv.UncreditNote(n.Amount, now); err != nil {
		return err
	}
	n.VoidedAt, n.VoidReason = now, reason
	return nil
}

// Issue credits amount against inv (which it changes) and returns the note
// numbered seq in the credit-note series.
func Issue(id string, inv *invoice.Invoice, amount decimal.Decimal, reason string, seq int64, now time.Time) (*Note, error) {
	if err := validation.Text("reason", reason, true, 500); err != nil {
		return nil, err
	}
	cur := inv.Spec.Currency
	if !amount.Equal(amount.Truncate(cur.MinorUnits())) {
		return nil, validation.Errorf("amount", "has more decimal places than %s allows", cur.Code())
	}
	if err := inv.ApplyCredit(amount, now); err != nil {
		return nil, err
	}
	return &Note{
		ID: id, OrgID: inv.OrgID, InvoiceID: inv.ID, Invoice: inv.Number, ClientID: inv.Spec.ClientID,
		Amount: amount, Currency: cur, Reason: reason, Number: FormatNumber(seq), Seq: seq, CreatedAt: now,
	}, nil
}

// FormatNumber writes a credit note number ("CN-00003").
func FormatNumber(seq int64) string { return fmt.Sprintf("CN-%05d", seq) }
