package billing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/usecase"
	"github.com/carebill/carebill/internal/validation"
)

// PaymentStore is the storage the payment use cases in this file use; it
// is part of Store.
type PaymentStore interface {
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
	RecordPayment(ctx context.Context, orgID, clientID string, allocate func([]*invoice.Invoice, int64) (*payment.Payment, []activity.Event, error)) (*payment.Payment, error)
	GetPayment(ctx context.Context, orgID, id string) (*payment.Payment, error)
	PaymentByRequest(ctx context.Context, orgID, key string) (*payment.Payment, error)
	ListPayments(ctx context.Context, orgID, clientID string, limit int, cursor string) ([]*payment.Payment, string, error)
}

// RecordPayment records money a client paid, settles their invoices (the
// ones named, or oldest first) and keeps any excess as client credit.
// Each payment gets the next receipt number.
func (s *Service) RecordPayment(ctx context.Context, p auth.Principal, in payment.Input) (_ *payment.Payment, err error) {
	defer usecase.Name(&err, "record payment")
	return s.recordPayment(ctx, p, in, false, "")
}

// PreviewPayment answers what RecordPayment would record for in now
// (allocations and credit, against the same open invoices read the same
// way) without recording it: the store's payment write is abandoned after
// the allocation is worked out. The preview has no id and no receipt
// number; a payment recorded later may differ if invoices change meanwhile.
func (s *Service) PreviewPayment(ctx context.Context, p auth.Principal, in payment.Input) (_ *payment.Payment, err error) {
	defer usecase.Name(&err, "preview payment")
	return s.recordPayment(ctx, p, in, true, "")
}

// errPreviewed abandons a payment write once its preview is worked out.
var errPreviewed = errors.New("payment previewed, not recorded")

// recordPayment records (or previews) a payment; a non-empty intent is
// recorded at most once (its marker is written in the payment's
// transaction: payment.ErrAlreadyRecorded for a second).
func (s *Service) recordPayment(ctx context.Context, p auth.Principal, in payment.Input, preview bool, intent string) (*payment.Payment, error) {
	if err := allow(p, auth.Bill); err != nil {
		return nil, err
	}
	if in.ClientID == "" {
		return nil, validation.Errorf("clientId", "is required")
	}
	c, err := s.store.GetClient(ctx, p.OrgID, in.ClientID)
	if err != nil {
		return nil, err
	}
	e, err := s.orgInfo(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	cur := currencyOf(c, e.currency)
	if in.Currency.IsZero() {
		in.Currency = cur
	}
	if err := ledger.CheckCurrency(cur, in.Currency, "payment"); err != nil {
		return nil, err
	}
	today, err := s.today(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	if in.Date.IsZero() {
		in.Date = today
	}
	if in.Date.After(today) {
		return nil, validation.Errorf("date", "is after today (%s): record a payment once it is received", today)
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	o, err := s.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	if err := o.CheckOpen(in.Date, reopened(c)); err != nil {
		return nil, s.explainClosed(ctx, p.OrgID, c.ID, err)
	}
	now := s.now()
	id := s.newID("pay", now)
	var previewed *payment.Payment
	pay, err := s.store.RecordPayment(ctx, p.OrgID, in.ClientID, func(open []*invoice.Invoice, seq int64) (*payment.Payment, []activity.Event, error) {
		allocs, credit, err := payment.Allocate(in, open, now)
		if err != nil {
			return nil, nil, err
		}
		if preview {
			previewed = &payment.Payment{OrgID: p.OrgID, Input: in, Allocations: allocs, Credit: credit, CreatedAt: now}
			return nil, nil, errPreviewed
		}
		pay := &payment.Payment{
			ID: id, OrgID: p.OrgID, Input: in, Allocations: allocs, Credit: credit,
			ReceiptNumber: payment.FormatReceipt(seq), ReceiptSeq: seq, CreatedAt: now, IntentID: intent,
		}
		if intent == "" {
			pay.RequestKey = in.RequestKey
		}
		var events []activity.Event
		byID := map[string]*invoice.Invoice{}
		for _, inv := range open {
			byID[inv.ID] = inv
		}
		for _, a := range allocs {
			ev := s.invoiceEvent(p, activity.PaymentRecorded, byID[a.InvoiceID])
			ev.Detail = fmt.Sprintf("%s by %s on %s, receipt %s", in.Currency.Display(a.Amount), strings.ToLower(methodName(in.Method)), longDate(in.Date), pay.ReceiptNumber)
			events = append(events, ev)
		}
		if credit.IsPositive() {
			ev := s.event(p, activity.PaymentRecorded)
			ev.ClientID, ev.ClientName = c.ID, c.Profile.Name
			ev.Detail = fmt.Sprintf("%s kept as client credit, receipt %s", in.Currency.Display(credit), pay.ReceiptNumber)
			events = append(events, ev)
		}
		return pay, events, nil
	})
	if preview && errors.Is(err, errPreviewed) {
		return previewed, nil
	}
	if intent == "" && in.RequestKey != "" && errors.Is(err, payment.ErrAlreadyRecorded) {
		// The request ran before and recorded its payment, but its reply
		// was never stored (the function died in between): answer with
		// that payment, not a second one.
		return s.store.PaymentByRequest(ctx, p.OrgID, in.RequestKey)
	}
	return pay, err
}

// Payment returns one of the org's payments.
func (s *Service) Payment(ctx context.Context, p auth.Principal, id string) (_ *payment.Payment, err error) {
	defer usecase.Name(&err, "payment %s", id)
	return s.store.GetPayment(ctx, p.OrgID, id)
}

// Payments lists payments, of one client or the whole org.
func (s *Service) Payments(ctx context.Context, p auth.Principal, clientID string, limit int, cursor string) (_ []*payment.Payment, _ string, err error) {
	defer usecase.Name(&err, "list payments %s", clientID)
	return s.store.ListPayments(ctx, p.OrgID, clientID, limit, cursor)
}

// Summary is a client's account at a glance.
type Summary struct {
	Client   ClientView
	Invoices []InvoiceView // most recent first, up to 50
	Payments []*payment.Payment
	Invoiced decimal.Decimal // total of finalized, not void, invoices listed
	Paid     decimal.Decimal
	Credited decimal.Decimal
	Overdue  decimal.Decimal
}

// ClientSummary gathers a client's invoices, payments and balances.
func (s *Service) ClientSummary(ctx context.Context, p auth.Principal, clientID string) (_ Summary, err error) {
	defer usecase.Name(&err, "client summary %s", clientID)
	cv, err := s.Client(ctx, p, clientID)
	if err != nil {
		return Summary{}, err
	}
	invs, _, err := s.Invoices(ctx, p, invoice.ListFilter{ClientID: clientID, Limit: 50})
	if err != nil {
		return Summary{}, err
	}
	pays, _, err := s.store.ListPayments(ctx, p.OrgID, clientID, 50, "")
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{Client: cv, Invoices: invs, Payments: pays}
	for _, v := range invs {
		if v.Status() == invoice.Draft || v.Status() == invoice.Void {
			continue
		}
		sum.Invoiced = sum.Invoiced.Add(v.Totals().Total)
		sum.Paid = sum.Paid.Add(v.Paid())
		sum.Credited = sum.Credited.Add(v.Credit())
		if v.Overdue {
			sum.Overdue = sum.Overdue.Add(v.Balance())
		}
	}
	return sum, nil
}
