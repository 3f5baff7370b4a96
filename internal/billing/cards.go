package billing

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/paylink"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/usecase"
)

// CardPaymentStore is the storage the card payment use cases use: paying
// one invoice (this file) and all a client owes (payall.go). It is part of
// Store.
type CardPaymentStore interface {
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
	GetInvoice(ctx context.Context, orgID, id string) (*invoice.Invoice, error)
	ListInvoices(ctx context.Context, orgID string, f invoice.ListFilter) ([]*invoice.Invoice, string, error)
	CreatePayLink(ctx context.Context, l paylink.Link, rotate bool) error
	PayLink(ctx context.Context, orgID, hash string) (paylink.Link, error)
	RecordPayment(ctx context.Context, orgID, clientID string, allocate func([]*invoice.Invoice, int64) (*payment.Payment, []activity.Event, error)) (*payment.Payment, error)
	PaymentByIntent(ctx context.Context, orgID, intentID string) (*payment.Payment, error)
}

// ErrNothingOwed is returned when a client asks to pay an invoice that has
// no balance due: paid, void, or settled by credit.
var ErrNothingOwed = errors.New("nothing is owed on this invoice")

// cardActor is who card payments are recorded by in the activity log.
const cardActor = "card payment"

// CardQuote is what paying the invoice behind a pay link by card costs
// now: its balance and the fee the org passes on, for the pay page to show
// before the client pays. Invoices with nothing owed are ErrNothingOwed;
// an NDIA-managed participant's, which the NDIA pays, ErrNDIAManaged.
func CardQuote(v InvoiceView, o *org.Org) (payment.Quote, error) {
	if v.NDIAManaged {
		return payment.Quote{}, ErrNDIAManaged
	}
	bal := v.Balance()
	if v.Status() != invoice.Open || !bal.IsPositive() {
		return payment.Quote{}, ErrNothingOwed
	}
	cur := v.Spec.Currency
	return payment.Quote{Currency: cur, Balance: bal, Fee: o.Settings.FeePolicy.Fee(bal, cur)}, nil
}

// CardProcessor opens hosted card checkouts (internal/cardpay: Stripe).
type CardProcessor interface {
	CreateCheckout(ctx context.Context, req payment.CheckoutRequest) (payment.CheckoutSession, error)
}

// Checkout starts card payments from pay links.
type Checkout struct {
	svc  *Service
	proc CardProcessor
}

// NewCheckout builds the checkout use case over the billing service.
func NewCheckout(svc *Service, proc CardProcessor) (*Checkout, error) {
	if svc == nil || proc == nil {
		return nil, errors.New("billing: checkout needs the service and a card processor")
	}
	return &Checkout{svc: svc, proc: proc}, nil
}

// Start opens a hosted checkout for the invoice behind a pay link token,
// for its whole current balance plus the org's pass-through fee: the
// client never chooses the amount. base is the scheme and host of the pay
// page, where the client returns after paying or cancelling. A bad token
// is paylink.ErrInvalid; an invoice with nothing owed ErrNothingOwed.
func (c *Checkout) Start(ctx context.Context, token, base string) (_ payment.CheckoutSession, err error) {
	defer usecase.Name(&err, "start checkout")
	v, o, err := c.svc.OpenPayLink(ctx, token)
	if err != nil {
		return payment.CheckoutSession{}, err
	}
	q, err := CardQuote(v, o)
	if err != nil {
		return payment.CheckoutSession{}, err
	}
	page := paylink.URL(base, token)
	sess, err := c.proc.CreateCheckout(ctx, payment.CheckoutRequest{
		OrgID: o.ID, InvoiceID: v.ID, InvoiceNumber: v.Number, InvoiceName: v.Spec.Name,
		Currency: q.Currency, Amount: q.Balance, Fee: q.Fee, Account: o.Settings.StripeAccountID,
		SuccessURL: page + "?checkout=success", CancelURL: page + "?checkout=cancelled",
	})
	if err != nil {
		return payment.CheckoutSession{}, fmt.Errorf("checkout for %s: %w", v.ID, err)
	}
	return sess, nil
}

// RecordCardPayment records a card payment the processor confirmed, with
// no signed-in user: method card, the intent id as reference, the amount
// net of the pass-through fee allocated to the invoice it paid, and the
// fee kept on the payment. If the invoice was meanwhile paid another way
// (or voided), whatever it no longer needs becomes client credit, so
// money is never lost. It is safe to call again for the same intent, in
// any order with other notifications of it: the first call records, later
// ones return the recorded payment and fresh = false.
func (s *Service) RecordCardPayment(ctx context.Context, paid payment.CardPaid) (pay *payment.Payment, fresh bool, err error) {
	defer usecase.Name(&err, "record card payment")
	if err := paid.Validate(); err != nil {
		return nil, false, err
	}
	existing, err := s.store.PaymentByIntent(ctx, paid.OrgID, paid.IntentID)
	if err == nil {
		return existing, false, nil
	}
	if !errors.Is(err, payment.ErrNotFound) {
		return nil, false, err
	}
	if paid.InvoiceID == "" {
		return s.recordPayAll(ctx, paid)
	}
	inv, err := s.store.GetInvoice(ctx, paid.OrgID, paid.InvoiceID)
	if err != nil {
		return nil, false, err
	}
	if err := ledger.CheckCurrency(inv.Spec.Currency, paid.Currency, "card payment"); err != nil {
		return nil, false, err
	}
	e, err := s.orgInfo(ctx, paid.OrgID)
	if err != nil {
		return nil, false, err
	}
	in := payment.Input{
		ClientID: inv.Spec.ClientID, Amount: paid.Amount.Sub(paid.Fee), Currency: paid.Currency,
		Date: calendar.Today(paid.At, e.loc), Method: payment.Card, Reference: paid.IntentID,
		Comments: "Paid online by card for invoice " + inv.Number,
	}
	if err := in.Validate(); err != nil {
		return nil, false, err
	}
	now := s.now()
	id := s.newID("pay", now)
	actor := auth.Principal{OrgID: paid.OrgID, Email: cardActor}
	pay, err = s.store.RecordPayment(ctx, paid.OrgID, in.ClientID, func(open []*invoice.Invoice, seq int64) (*payment.Payment, []activity.Event, error) {
		p := &payment.Payment{
			ID: id, OrgID: paid.OrgID, Input: in, Credit: in.Amount, Fee: paid.Fee, IntentID: paid.IntentID,
			ReceiptNumber: payment.FormatReceipt(seq), ReceiptSeq: seq, CreatedAt: now,
		}
		// Only an invoice among the open ones read for this transaction
		// can be paid: the store writes those, conditioned on their version.
		target, isOpen := inv, false
		for _, o := range open {
			if o.ID == paid.InvoiceID {
				target, isOpen = o, true
			}
		}
		if amt := decimal.Min(in.Amount, target.Balance()); isOpen && amt.IsPositive() {
			if err := target.ApplyPayment(amt, now); err != nil {
				return nil, nil, err
			}
			p.Allocations = []payment.Allocation{{InvoiceID: target.ID, Number: target.Number, Amount: amt}}
			p.Credit = in.Amount.Sub(amt)
		}
		ev := s.invoiceEvent(actor, activity.PaymentRecorded, target)
		ev.Detail = fmt.Sprintf("%s by card online, receipt %s", in.Currency.Display(in.Amount), p.ReceiptNumber)
		if p.Fee.IsPositive() {
			ev.Detail += fmt.Sprintf(", plus a %s processing fee", in.Currency.Display(p.Fee))
		}
		if p.Credit.IsPositive() {
			ev.Detail += fmt.Sprintf("; %s kept as client credit", in.Currency.Display(p.Credit))
		}
		return p, []activity.Event{ev}, nil
	})
	if errors.Is(err, payment.ErrAlreadyRecorded) { // a concurrent delivery won
		existing, err := s.store.PaymentByIntent(ctx, paid.OrgID, paid.IntentID)
		return existing, false, err
	}
	if err != nil {
		return nil, false, err
	}
	return pay, true, nil
}
