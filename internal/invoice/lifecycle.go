package invoice

import (
	"errors"
	"fmt"
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
// An invoice read back from a store gets its status through Restore.
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

// ErrBadState is returned by Restore for a stored invoice whose status is
// unknown or contradicts its other fields; such an item was not written by
// this package's transitions.
var ErrBadState = errors.New("stored invoice state is not one the lifecycle allows")

// Restore rebuilds an invoice read back from a store: stored carries every
// stored field but the status (which callers cannot set), status is the
// stored status. It checks what the transitions guarantee of every
// invoice they leave behind:
//   - the status is draft, open, paid or void;
//   - a draft is not finalized, not locked, and nothing is paid or credited
//     against it (Finalize comes before any of those);
//   - a void invoice has no payments and no client credit (VoidInvoice
//     refuses the first and gives the second back).
//
// Anything else is ErrBadState, wrapped with the invoice id and the reason.
func Restore(stored Invoice, status Status) (*Invoice, error) {
	inv := &stored
	inv.status = status
	bad := func(why string) (*Invoice, error) {
		return nil, fmt.Errorf("restore invoice %s: %w: %s", stored.ID, ErrBadState, why)
	}
	switch status {
	case Draft:
		switch {
		case !inv.FinalizedAt.IsZero():
			return bad("a draft with a finalization time")
		case inv.Locked:
			return bad("a locked draft")
		case !inv.Paid.IsZero() || !inv.Credit.IsZero() || !inv.CreditApplied.IsZero():
			return bad("a draft with payments or credit")
		}
	case Open, Paid:
	case Void:
		if !inv.Paid.IsZero() || !inv.CreditApplied.IsZero() {
			return bad("a void invoice with payments or client credit")
		}
	default:
		return bad(fmt.Sprintf("unknown status %q", status))
	}
	return inv, nil
}
