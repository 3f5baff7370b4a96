package billing

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/paylink"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/usecase"
)

// PayAll is everything a client has open, as a pay-all link or the
// portal's Pay all button offers it: the open invoices oldest due first
// and their total balance, in the client's currency. An NDIA-managed
// participant's invoices are the NDIA's to pay (ErrNDIAManaged): they are
// left out, of the list and of the total.
type PayAll struct {
	Client   *client.Client
	Currency money.Currency
	Invoices []InvoiceView // open with a balance, oldest due first
	Total    decimal.Decimal
	// NDIAManaged: the client is an NDIA-managed participant, so nothing
	// is theirs to pay by card (Invoices is empty, Total zero).
	NDIAManaged bool
}

// Quote is what paying it all by card costs now, ErrNothingOwed, or
// ErrNDIAManaged for an NDIA-managed participant.
func (a PayAll) Quote(o *org.Org) (payment.Quote, error) {
	if a.NDIAManaged {
		return payment.Quote{}, ErrNDIAManaged
	}
	if !a.Total.IsPositive() {
		return payment.Quote{}, ErrNothingOwed
	}
	return payment.Quote{Currency: a.Currency, Balance: a.Total, Fee: o.Settings.FeePolicy.Fee(a.Total, a.Currency)}, nil
}

// ClientOpen reads everything clientID has open now (the client's
// invoices, every page, open ones with a balance kept).
func (s *Service) ClientOpen(ctx context.Context, orgID, clientID string) (_ PayAll, err error) {
	defer usecase.Name(&err, "client open invoices %s", clientID)
	c, err := s.store.GetClient(ctx, orgID, clientID)
	if err != nil {
		return PayAll{}, err
	}
	e, err := s.orgInfo(ctx, orgID)
	if err != nil {
		return PayAll{}, err
	}
	today := calendar.Today(s.now(), e.loc)
	out := PayAll{Client: c, Currency: currencyOf(c, e.currency), Total: decimal.Zero}
	if c.Profile.Funding.Type == client.NDIAManaged {
		out.NDIAManaged = true
		return out, nil
	}
	cursor := ""
	for {
		invs, next, err := s.store.ListInvoices(ctx, orgID, invoice.ListFilter{ClientID: clientID, Limit: 100, Cursor: cursor})
		if err != nil {
			return PayAll{}, fmt.Errorf("open invoices of %s: %w", clientID, err)
		}
		for _, inv := range invs {
			if inv.Status() == invoice.Open && inv.Balance().IsPositive() {
				out.Invoices = append(out.Invoices, viewIn(e, today, inv))
				out.Total = out.Total.Add(inv.Balance())
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	sortOldestDue(out.Invoices)
	return out, nil
}

func sortOldestDue(vs []InvoiceView) {
	slices.SortStableFunc(vs, func(a, b InvoiceView) int {
		return cmp.Or(strings.Compare(a.Spec.DueDate.String(), b.Spec.DueDate.String()), strings.Compare(a.Number, b.Number))
	})
}

// IssuePayAllLink issues a pay-all link for clientID under base: it opens
// a page of everything the client has open with one card checkout for the
// total. Links of a client are bounded like an invoice's (the oldest
// lapse).
func (s *Service) IssuePayAllLink(ctx context.Context, orgID, clientID, base string) (_ string, err error) {
	defer usecase.Name(&err, "issue pay-all link %s", clientID)
	link, token := paylink.NewPayAll(orgID, clientID, s.now())
	if err := s.store.CreatePayLink(ctx, link, false); err != nil {
		return "", fmt.Errorf("pay-all link for %s: %w", clientID, err)
	}
	return paylink.PayAllURL(base, token), nil
}

// OpenPayAll resolves a pay-all token to what the client has open and the
// org. Any failure to resolve, and any invoice link, is
// paylink.ErrInvalid, so a guesser learns nothing.
func (s *Service) OpenPayAll(ctx context.Context, token string) (_ PayAll, _ *org.Org, err error) {
	defer usecase.Name(&err, "open pay-all link")
	orgID, hash, err := paylink.Parse(token)
	if err != nil {
		return PayAll{}, nil, err
	}
	link, err := s.store.PayLink(ctx, orgID, hash)
	if err != nil {
		return PayAll{}, nil, err
	}
	if link.ClientID == "" {
		return PayAll{}, nil, paylink.ErrInvalid
	}
	a, err := s.ClientOpen(ctx, orgID, link.ClientID)
	if errors.Is(err, client.ErrNotFound) {
		return PayAll{}, nil, paylink.ErrInvalid
	}
	if err != nil {
		return PayAll{}, nil, err
	}
	o, err := s.store.GetOrg(ctx, orgID)
	if err != nil {
		return PayAll{}, nil, err
	}
	return a, o, nil
}

// StartPayAll opens one hosted checkout for everything the client behind
// a pay-all token has open, plus the org's pass-through fee; the webhook
// allocates the payment oldest due first (RecordCardPayment). base is the
// scheme and host the client returns to.
func (c *Checkout) StartPayAll(ctx context.Context, token, base string) (_ payment.CheckoutSession, err error) {
	defer usecase.Name(&err, "start pay-all checkout")
	a, o, err := c.svc.OpenPayAll(ctx, token)
	if err != nil {
		return payment.CheckoutSession{}, err
	}
	q, err := a.Quote(o)
	if err != nil {
		return payment.CheckoutSession{}, err
	}
	numbers := make([]string, len(a.Invoices))
	for i, v := range a.Invoices {
		numbers[i] = v.Number
	}
	page := paylink.PayAllURL(base, token)
	sess, err := c.proc.CreateCheckout(ctx, payment.CheckoutRequest{
		OrgID: o.ID, ClientID: a.Client.ID, InvoiceName: strings.Join(numbers, ", "),
		Currency: q.Currency, Amount: q.Balance, Fee: q.Fee, Account: o.Settings.StripeAccountID,
		SuccessURL: page + "?checkout=success", CancelURL: page + "?checkout=cancelled",
	})
	if err != nil {
		return payment.CheckoutSession{}, fmt.Errorf("pay-all checkout for %s: %w", a.Client.ID, err)
	}
	return sess, nil
}

// recordPayAll records a confirmed pay-all card payment: the amount net
// of the fee goes to the client's open invoices oldest due first, as a
// payment without allocations does (payment.Allocate), and anything they
// no longer need (paid meanwhile) becomes client credit.
func (s *Service) recordPayAll(ctx context.Context, paid payment.CardPaid) (*payment.Payment, bool, error) {
	c, err := s.store.GetClient(ctx, paid.OrgID, paid.ClientID)
	if err != nil {
		return nil, false, err
	}
	e, err := s.orgInfo(ctx, paid.OrgID)
	if err != nil {
		return nil, false, err
	}
	if err := ledger.CheckCurrency(currencyOf(c, e.currency), paid.Currency, "card payment"); err != nil {
		return nil, false, err
	}
	in := payment.Input{
		ClientID: c.ID, Amount: paid.Amount.Sub(paid.Fee), Currency: paid.Currency,
		Date: calendar.Today(paid.At, e.loc), Method: payment.Card, Reference: paid.IntentID,
		Comments: "Paid online by card for all open invoices",
	}
	if err := in.Validate(); err != nil {
		return nil, false, err
	}
	now := s.now()
	id := s.newID("pay", now)
	actor := auth.Principal{OrgID: paid.OrgID, Email: cardActor}
	pay, err := s.store.RecordPayment(ctx, paid.OrgID, c.ID, func(open []*invoice.Invoice, seq int64) (*payment.Payment, []activity.Event, error) {
		allocs, credit, err := payment.Allocate(in, open, now)
		if err != nil {
			return nil, nil, err
		}
		p := &payment.Payment{
			ID: id, OrgID: paid.OrgID, Input: in, Allocations: allocs, Credit: credit, Fee: paid.Fee, IntentID: paid.IntentID,
			ReceiptNumber: payment.FormatReceipt(seq), ReceiptSeq: seq, CreatedAt: now,
		}
		byID := map[string]*invoice.Invoice{}
		for _, inv := range open {
			byID[inv.ID] = inv
		}
		var events []activity.Event
		for _, a := range allocs {
			ev := s.invoiceEvent(actor, activity.PaymentRecorded, byID[a.InvoiceID])
			ev.Detail = fmt.Sprintf("%s by card online (pay all), receipt %s", in.Currency.Display(a.Amount), p.ReceiptNumber)
			events = append(events, ev)
		}
		if credit.IsPositive() || len(allocs) == 0 {
			ev := s.event(actor, activity.PaymentRecorded)
			ev.ClientID, ev.ClientName = c.ID, c.Profile.Name
			ev.Detail = fmt.Sprintf("%s by card online (pay all) kept as client credit, receipt %s", in.Currency.Display(credit), p.ReceiptNumber)
			events = append(events, ev)
		}
		if p.Fee.IsPositive() {
			events[0].Detail += fmt.Sprintf(", plus a %s processing fee", in.Currency.Display(p.Fee))
		}
		return p, events, nil
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
