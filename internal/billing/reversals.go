package billing

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/usecase"
	"github.com/carebill/carebill/internal/validation"
)

// ReversalStore is the storage reversals need (internal/dynamo implements it).
type ReversalStore interface {
	ChangePayment(ctx context.Context, orgID, id string,
		change func(*client.Client, *payment.Payment, map[string]*invoice.Invoice) ([]ledger.Entry, []activity.Event, error)) (*payment.Payment, error)
	VoidCreditNote(ctx context.Context, orgID, id string, void func(*credit.Note, *invoice.Invoice) ([]activity.Event, error)) (*credit.Note, error)
	ApplyClientCredit(ctx context.Context, orgID, id string, apply func(*client.Client, *invoice.Invoice) ([]activity.Event, error)) (*invoice.Invoice, error)
	PaymentByIntent(ctx context.Context, orgID, intentID string) (*payment.Payment, error)
}

// Reversals give money back to where it came from: a payment entered in
// error is reversed (its invoices reopen, its credit goes), a payment is
// refunded in part or whole, a credit note is voided, client credit comes
// back off an invoice. Each posts ledger entries that restore the
// client's balances exactly.
type Reversals struct {
	svc   *Service
	store ReversalStore
}

// NewReversals builds the reversal use cases over the billing service.
func NewReversals(svc *Service, store ReversalStore) (*Reversals, error) {
	if svc == nil || store == nil {
		return nil, errors.New("billing: reversals need the service and a store")
	}
	return &Reversals{svc: svc, store: store}, nil
}

func (r *Reversals) paymentEvents(p auth.Principal, kind activity.Kind, pay *payment.Payment, invoices map[string]*invoice.Invoice, detail string) []activity.Event {
	// One event per invoice the change touched (each also shows in the
	// client's feed); a change that touched none, only credit, gets one
	// event of the client's, so the feed never shows it twice.
	var events []activity.Event
	for _, inv := range invoices {
		ev := r.svc.invoiceEvent(p, kind, inv)
		ev.Detail = detail
		events = append(events, ev)
	}
	if len(events) == 0 {
		e := r.svc.event(p, kind)
		e.ClientID, e.Detail = pay.Input.ClientID, detail
		events = append(events, e)
	}
	return events
}

// ReversePayment undoes a payment recorded in error: its allocations come
// off their invoices (reopening them), the part kept as client credit
// comes off the client's credit (refused if the client has since spent
// it: un-apply that credit first), and the receipt is marked reversed.
func (r *Reversals) ReversePayment(ctx context.Context, p auth.Principal, id, reason string) (_ *payment.Payment, err error) {
	defer usecase.Name(&err, "reverse payment %s", id)
	if err := allow(p, auth.Reverse); err != nil {
		return nil, err
	}
	now := r.svc.now()
	pay, err := r.store.ChangePayment(ctx, p.OrgID, id, func(c *client.Client, pay *payment.Payment, invoices map[string]*invoice.Invoice) ([]ledger.Entry, []activity.Event, error) {
		u, err := pay.Reverse(reason, invoices, now)
		if err != nil {
			return nil, nil, err
		}
		if err := u.CheckCredit(c.Balance.Credit); err != nil {
			return nil, nil, err
		}
		cur := pay.Input.Currency
		e := ledger.Undone(ledger.PaymentReversed, pay.OrgID, pay.Input.ClientID, cur, ledger.Doc{ID: pay.ID, Number: pay.ReceiptNumber}, u.FromInvoices, u.FromCredit, reason)
		detail := fmt.Sprintf("receipt %s for %s, entered in error (%s)", pay.ReceiptNumber, cur.Display(pay.Input.Amount), reason)
		return []ledger.Entry{e}, r.paymentEvents(p, activity.PaymentReversed, pay, invoices, detail), nil
	})
	if err != nil {
		return nil, fmt.Errorf("reverse payment: %w", err)
	}
	return pay, nil
}

// RefundPayment gives amount of a recorded payment back to the client
// (money that left the business outside carebill: bank transfer, cash):
// first from what the payment left as credit, then off its allocations,
// newest first, which reopen those invoices.
func (r *Reversals) RefundPayment(ctx context.Context, p auth.Principal, id string, amount decimal.Decimal, reason string) (_ *payment.Payment, err error) {
	defer usecase.Name(&err, "refund payment %s", id)
	if err := allow(p, auth.Refund); err != nil {
		return nil, err
	}
	return r.refund(ctx, p, id, payment.Refund{Amount: amount, Reason: reason, At: r.svc.now(), Source: "manual"})
}

func (r *Reversals) refund(ctx context.Context, p auth.Principal, id string, ref payment.Refund) (*payment.Payment, error) {
	pay, err := r.store.ChangePayment(ctx, p.OrgID, id, func(c *client.Client, pay *payment.Payment, invoices map[string]*invoice.Invoice) ([]ledger.Entry, []activity.Event, error) {
		u, err := pay.RefundPart(ref, invoices)
		if err != nil {
			return nil, nil, err
		}
		if err := u.CheckCredit(c.Balance.Credit); err != nil {
			return nil, nil, err
		}
		cur := pay.Input.Currency
		e := ledger.Undone(ledger.PaymentRefunded, pay.OrgID, pay.Input.ClientID, cur, ledger.Doc{ID: pay.ID, Number: pay.ReceiptNumber}, u.FromInvoices, u.FromCredit, ref.Reason)
		changed := map[string]*invoice.Invoice{}
		for id, inv := range invoices {
			if inv.UpdatedAt.Equal(ref.At) {
				changed[id] = inv
			}
		}
		detail := fmt.Sprintf("%s of receipt %s given back to the client (%s)", cur.Display(ref.Amount), pay.ReceiptNumber, ref.Reason)
		return []ledger.Entry{e}, r.paymentEvents(p, activity.PaymentRefunded, pay, changed, detail), nil
	})
	if err != nil {
		return nil, fmt.Errorf("refund payment: %w", err)
	}
	return pay, nil
}

// VoidCreditNote cancels a credit note issued in error: its amount goes
// back onto its invoice (reopening it if paid) and the client's owing.
func (r *Reversals) VoidCreditNote(ctx context.Context, p auth.Principal, id, reason string) (_ *credit.Note, err error) {
	defer usecase.Name(&err, "void credit note %s", id)
	if err := allow(p, auth.Bill); err != nil {
		return nil, err
	}
	now := r.svc.now()
	n, err := r.store.VoidCreditNote(ctx, p.OrgID, id, func(n *credit.Note, inv *invoice.Invoice) ([]activity.Event, error) {
		if err := n.Void(inv, reason, now); err != nil {
			return nil, err
		}
		e := r.svc.invoiceEvent(p, activity.CreditNoteVoid, inv)
		e.Detail = n.Number + " for " + n.Currency.Display(n.Amount) + " voided: " + reason
		return []activity.Event{e}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("void credit note: %w", err)
	}
	return n, nil
}

// UnapplyCredit gives client credit applied to an invoice back to the
// client: amount, or all of it when amount is nil.
func (r *Reversals) UnapplyCredit(ctx context.Context, p auth.Principal, id string, amount *decimal.Decimal) (_ InvoiceView, err error) {
	defer usecase.Name(&err, "unapply credit %s", id)
	if err := allow(p, auth.Bill); err != nil {
		return InvoiceView{}, err
	}
	now := r.svc.now()
	inv, err := r.store.ApplyClientCredit(ctx, p.OrgID, id, func(_ *client.Client, inv *invoice.Invoice) ([]activity.Event, error) {
		back := inv.CreditApplied()
		if amount != nil {
			back = *amount
		}
		if !back.IsPositive() {
			return nil, validation.Errorf("amount", "no client credit is applied to this invoice")
		}
		if err := inv.UnapplyClientCredit(back, now); err != nil {
			return nil, err
		}
		e := r.svc.invoiceEvent(p, activity.CreditReturned, inv)
		e.Detail = inv.Spec.Currency.Display(back) + " returned to the client's credit"
		return []activity.Event{e}, nil
	})
	if err != nil {
		return InvoiceView{}, fmt.Errorf("unapply credit: %w", err)
	}
	return r.svc.view(ctx, inv)
}
