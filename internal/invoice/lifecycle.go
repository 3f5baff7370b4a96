package invoice

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Status is where the invoice is in its life: Draft, Open, Paid or Void.
// It changes only through the invoice's transitions:
//
//	draft → open          Finalize (a positive total)
//	draft → paid          Finalize (a total of zero)
//	open  → paid          ApplyPayment, ApplyCredit, ApplyClientCredit (balance reaches zero)
//	paid  → open          UnapplyPayment, UnapplyClientCredit, UncreditNote (balance positive again)
//	open  → void          VoidInvoice
//
// An invoice read back from a store gets its status, and the rest of its
// State, through Restore.
func (inv *Invoice) Status() Status { return inv.status }

// Legal reports whether the lifecycle allows an invoice to go from one
// status to another in one transition (the table on Status).
func Legal(from, to Status) bool {
	switch from {
	case Draft:
		return to == Open || to == Paid
	case Open:
		return to == Paid || to == Void
	case Paid:
		return to == Open
	}
	return false
}

// State is an invoice's lifecycle state: what only its transitions change.
// A store writes it (Invoice.State) and hands it back to Restore; nothing
// else sets it. The transitions keep, and Restore checks:
//   - Paid, Credit and CreditApplied are never negative, and CreditApplied
//     (client credit) is part of Credit (which adds credit notes);
//   - a draft is not finalized, locked or disputed, and nothing is paid or
//     credited against it;
//   - a void invoice has no payments and no client credit;
//   - only a void invoice is replaced (ReplacedByID), and only once.
//
// The transitions also keep Paid + Credit + Balance = the total for an open
// or paid invoice (settle refuses more than the balance); Restore does not
// check that, so a later change in tax rounding cannot make stored
// invoices unreadable.
type State struct {
	Status Status
	// Locked freezes a finalized invoice against voiding (Lock, Unlock).
	Locked bool
	// LockedBy is the statement that locked the invoice (org policy "on
	// statement" or "at cycle close"), empty for a lock by a person;
	// deleting that statement unlocks the invoice again.
	LockedBy string
	// LockReason says why it is locked, as the person or the statement
	// that locked it gave it.
	LockReason string
	// Disputed is set while a card payment on the invoice is disputed
	// (MarkDisputed, ResolveDispute): no reminder goes out for it.
	Disputed bool
	Paid     decimal.Decimal // payments allocated to it
	Credit   decimal.Decimal // credit notes and client credit applied to it
	// CreditApplied is the part of Credit that came from the client's
	// credit (not from credit notes): a void gives it back to the client.
	CreditApplied decimal.Decimal
	// ReplacedByID is the draft that re-issues this void invoice
	// (MarkReplacedBy).
	ReplacedByID string
}

// State is the invoice's lifecycle state, for a store to write.
func (inv *Invoice) State() State {
	return State{
		Status: inv.status, Locked: inv.locked, LockedBy: inv.lockedBy, LockReason: inv.lockReason,
		Disputed: inv.disputed, Paid: inv.paid, Credit: inv.credit, CreditApplied: inv.creditApplied,
		ReplacedByID: inv.replacedByID,
	}
}

// Locked reports whether the invoice is locked (see Lock).
func (inv *Invoice) Locked() bool { return inv.locked }

// LockedBy is the statement that locked the invoice, "" for a lock by a
// person or no lock.
func (inv *Invoice) LockedBy() string { return inv.lockedBy }

// LockReason is why the invoice is locked, "" when it is not.
func (inv *Invoice) LockReason() string { return inv.lockReason }

// Disputed reports whether a card payment on the invoice is disputed.
func (inv *Invoice) Disputed() bool { return inv.disputed }

// Paid is the sum of payments allocated to the invoice, never negative.
func (inv *Invoice) Paid() decimal.Decimal { return inv.paid }

// Credit is the sum of credit notes and client credit applied to the
// invoice, never negative.
func (inv *Invoice) Credit() decimal.Decimal { return inv.credit }

// CreditApplied is the part of Credit that is the client's credit, which a
// void gives back; never negative nor more than Credit.
func (inv *Invoice) CreditApplied() decimal.Decimal { return inv.creditApplied }

// ReplacedByID is the draft that re-issues this void invoice, "" if none.
func (inv *Invoice) ReplacedByID() string { return inv.replacedByID }

// ErrReplaced is returned for a second re-issue link on a void invoice:
// it is already replaced by another draft (ReplacedByID says which).
var ErrReplaced = errors.New("invoice is already re-issued")

// MarkDisputed records that a card payment on a finalized invoice is
// disputed; marking it again changes nothing. A draft has no payments to
// dispute (ErrNotFinalized). A void invoice may still be marked: its
// payment was refunded before the card holder disputed it.
func (inv *Invoice) MarkDisputed(now time.Time) error {
	if inv.status == Draft {
		return ErrNotFinalized
	}
	if !inv.disputed {
		inv.disputed, inv.UpdatedAt = true, now
	}
	return nil
}

// ResolveDispute clears the dispute mark (the dispute was decided, either
// way); an invoice not disputed is left as it is.
func (inv *Invoice) ResolveDispute(now time.Time) {
	if inv.disputed {
		inv.disputed, inv.UpdatedAt = false, now
	}
}

// MarkReplacedBy links a void invoice to the draft that re-issues it,
// once: ErrNotVoid for an invoice that is not void (a re-issue voids an
// open one first), ErrReplaced when another draft is linked already;
// linking the same draft again changes nothing.
func (inv *Invoice) MarkReplacedBy(draftID string, now time.Time) error {
	switch {
	case inv.status != Void:
		return ErrNotVoid
	case draftID == "":
		return fmt.Errorf("re-issue invoice %s: no draft id", inv.ID)
	case inv.replacedByID == draftID:
		return nil
	case inv.replacedByID != "":
		return ErrReplaced
	}
	inv.replacedByID, inv.UpdatedAt = draftID, now
	return nil
}

// ErrBadState is returned by Restore for a stored invoice whose state is
// unknown or contradicts its other fields; such an item was not written by
// this package's transitions.
var ErrBadState = errors.New("stored invoice state is not one the lifecycle allows")

// Restore rebuilds an invoice read back from a store: stored carries every
// stored field but the lifecycle state (which callers cannot set, and
// which Restore overwrites), st is the stored state. It checks what the
// transitions guarantee of every invoice they leave behind (see State);
// anything else is ErrBadState, wrapped with the invoice id and the reason.
func Restore(stored Invoice, st State) (*Invoice, error) {
	inv := &stored
	inv.status, inv.locked, inv.lockedBy, inv.lockReason = st.Status, st.Locked, st.LockedBy, st.LockReason
	inv.disputed, inv.paid, inv.credit, inv.creditApplied = st.Disputed, st.Paid, st.Credit, st.CreditApplied
	inv.replacedByID = st.ReplacedByID
	bad := func(why string) (*Invoice, error) {
		return nil, fmt.Errorf("restore invoice %s: %w: %s", stored.ID, ErrBadState, why)
	}
	switch {
	case st.Paid.IsNegative() || st.Credit.IsNegative() || st.CreditApplied.IsNegative():
		return bad("a negative amount paid or credited")
	case st.CreditApplied.GreaterThan(st.Credit):
		return bad("more client credit applied than credit")
	case st.ReplacedByID != "" && st.Status != Void:
		return bad("a re-issue link on an invoice that is not void")
	}
	switch st.Status {
	case Draft:
		switch {
		case !inv.FinalizedAt.IsZero():
			return bad("a draft with a finalization time")
		case st.Locked:
			return bad("a locked draft")
		case st.Disputed:
			return bad("a disputed draft")
		case !st.Paid.IsZero() || !st.Credit.IsZero() || !st.CreditApplied.IsZero():
			return bad("a draft with payments or credit")
		}
	case Open, Paid:
	case Void:
		if !st.Paid.IsZero() || !st.CreditApplied.IsZero() {
			return bad("a void invoice with payments or client credit")
		}
	default:
		return bad(fmt.Sprintf("unknown status %q", st.Status))
	}
	return inv, nil
}
