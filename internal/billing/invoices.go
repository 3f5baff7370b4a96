package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/usecase"
	"github.com/carebill/carebill/internal/validation"
)

// InvoiceStore is the storage the invoice use cases use: drafting,
// finalizing, voiding, locking and listing (this file), re-issue
// (reissue.go), initial balances (initialbalance.go), drafts from sessions
// (sessions.go) and the closed-period explanation (cycles.go). It is part
// of Store.
type InvoiceStore interface {
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
	CreateInvoice(ctx context.Context, inv *invoice.Invoice, events ...activity.Event) error
	GetInvoice(ctx context.Context, orgID, id string) (*invoice.Invoice, error)
	// ClientStatementID is the client's statement for a cycle, "" if none.
	ClientStatementID(ctx context.Context, orgID, cycleID, clientID string) (string, error)
	UpdateInvoice(ctx context.Context, orgID, id string, change func(*invoice.Invoice) ([]activity.Event, error)) (*invoice.Invoice, error)
	DeleteInvoice(ctx context.Context, orgID, id string, check func(*invoice.Invoice) error) error
	FinalizeInvoice(ctx context.Context, orgID, id string, finalize func(*org.Org, *client.Client, *invoice.Invoice, int64) ([]activity.Event, error)) (*invoice.Invoice, error)
	ApplyClientCredit(ctx context.Context, orgID, id string, apply func(*client.Client, *invoice.Invoice) ([]activity.Event, error)) (*invoice.Invoice, error)
	ListInvoices(ctx context.Context, orgID string, f invoice.ListFilter) ([]*invoice.Invoice, string, error)
}

// DraftInput is a draft as a coordinator sends it. Unset parts take
// defaults: the currency from the org, each line's tax rate from the
// client's override or the org, the payment terms likewise.
type DraftInput struct {
	ClientID  string
	Name      string
	IssueDate calendar.Date
	DueDate   calendar.Date
	Currency  money.Currency // zero: the org's currency
	Memo      string
	PONumber  string
	Lines     []LineInput
	Fees      []invoice.Fee

	// Origin, ExternalNumber and ExternalReference make one of the special
	// invoice kinds (invoice.Origin); those are allowed where standalone
	// invoices are not.
	Origin            invoice.Origin
	ExternalNumber    string
	ExternalReference string

	standalone bool // made by hand, not from work: refused where the org turned that off
}

// LineInput is a line whose tax rate may be left to the defaults.
type LineInput struct {
	Line    invoice.Line
	TaxRate *decimal.Decimal
}

// InvoiceView is an invoice as the org sees it today, with its title
// ("Tax invoice" or "Invoice", invoice.DocumentKind).
type InvoiceView struct {
	*invoice.Invoice
	Overdue bool
	Kind    string
	// NDIAManaged: the client is an NDIA-managed participant, so the NDIA
	// pays the invoice (ErrNDIAManaged): it offers no send, resend or pay
	// link (InvoiceActions) and takes no card payment (CardQuote).
	NDIAManaged bool
}

func (s *Service) view(ctx context.Context, inv *invoice.Invoice) (InvoiceView, error) {
	e, err := s.orgInfo(ctx, inv.OrgID)
	if err != nil {
		return InvoiceView{}, err
	}
	v := viewIn(e, calendar.Today(s.now(), e.loc), inv)
	if v.NDIAManaged, err = s.ndiaManaged(ctx, inv.OrgID, inv.Spec.ClientID); err != nil {
		return InvoiceView{}, err
	}
	return v, nil
}

// viewRef is view for results that point at their invoice.
func (s *Service) viewRef(ctx context.Context, inv *invoice.Invoice) (*InvoiceView, error) {
	v, err := s.view(ctx, inv)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func viewIn(e orgEntry, today calendar.Date, inv *invoice.Invoice) InvoiceView {
	return InvoiceView{Invoice: inv, Overdue: inv.Overdue(today), Kind: inv.DocumentKind(e.taxID)}
}

// inputOf turns a stored draft back into input, so an edit changes only
// what it names; lines keep their resolved tax rates.
func inputOf(inv *invoice.Invoice) DraftInput {
	sp := inv.Spec
	in := DraftInput{
		ClientID: sp.ClientID, Name: sp.Name, IssueDate: sp.IssueDate, DueDate: sp.DueDate,
		Currency: sp.Currency, Memo: sp.Memo, PONumber: sp.PONumber,
		Fees: append([]invoice.Fee(nil), sp.Fees...),
	}
	for _, l := range sp.Lines {
		r := l.TaxRate
		in.Lines = append(in.Lines, LineInput{Line: l, TaxRate: &r})
	}
	return in
}

// resolve applies the org's and client's defaults to input, and returns
// the client's name for the invoice to carry.
func (s *Service) resolve(ctx context.Context, p auth.Principal, in DraftInput) (invoice.Spec, string, error) {
	if in.ClientID == "" {
		return invoice.Spec{}, "", validation.Errorf("clientId", "is required")
	}
	c, err := s.store.GetClient(ctx, p.OrgID, in.ClientID)
	if err != nil {
		return invoice.Spec{}, "", err
	}
	o, err := s.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return invoice.Spec{}, "", err
	}
	if in.standalone && o.Settings.NoStandaloneInvoices {
		return invoice.Spec{}, "", org.ErrStandaloneOff
	}
	sp := specFor(o, c, in)
	if err := ledger.CheckCurrency(currencyOf(c, o.Settings.Currency), sp.Currency, "invoice"); err != nil {
		return invoice.Spec{}, "", err
	}
	if err := o.CheckOpen(sp.IssueDate, reopened(c)); err != nil {
		return invoice.Spec{}, "", s.explainClosed(ctx, p.OrgID, c.ID, err)
	}
	return sp, c.Profile.Name, nil
}

func specFor(o *org.Org, c *client.Client, in DraftInput) invoice.Spec {
	sp := invoice.Spec{
		ClientID: in.ClientID, Name: in.Name, IssueDate: in.IssueDate, DueDate: in.DueDate,
		Currency: in.Currency, Memo: in.Memo, PONumber: in.PONumber, Fees: in.Fees,
		TermsDays: o.Settings.PaymentTermsDays, TaxRounding: o.Settings.Accounting.TaxRounding,
	}
	if sp.Currency.IsZero() {
		sp.Currency = currencyOf(c, o.Settings.Currency)
	}
	if t := c.Profile.PaymentTermsDays; t != nil {
		sp.TermsDays = *t
	}
	rate := o.Settings.TaxRate
	if r := c.Profile.TaxRate; r != nil {
		rate = *r
	}
	for _, li := range in.Lines {
		l := li.Line
		l.TaxRate = rate
		if li.TaxRate != nil {
			l.TaxRate = *li.TaxRate
		}
		// An NDIS support is GST-free however the line came (session,
		// recurring charge, draft): the same rule as the invoice run's.
		l.TaxRate = ndis.LineTaxRate(l.SupportItem, l.TaxRate)
		sp.Lines = append(sp.Lines, l)
	}
	return sp
}

// CreateInvoice starts a draft.
func (s *Service) CreateInvoice(ctx context.Context, p auth.Principal, in DraftInput) (_ InvoiceView, err error) {
	defer usecase.Name(&err, "create invoice")
	if err := allow(p, auth.Bill); err != nil {
		return InvoiceView{}, err
	}
	in.standalone = in.Origin == invoice.Standard
	if err := invoice.CheckOrigin(in.Origin, in.ExternalNumber); err != nil {
		return InvoiceView{}, err
	}
	if in.Origin == invoice.InitialBalance {
		return InvoiceView{}, validation.Errorf("kind", "an initial balance is set with POST /v1/clients/{id}/initial-balance")
	}
	sp, clientName, err := s.resolve(ctx, p, in)
	if err != nil {
		return InvoiceView{}, err
	}
	now := s.now()
	inv, err := invoice.NewDraft(s.newID("inv", now), p.OrgID, sp, now)
	if err != nil {
		return InvoiceView{}, err
	}
	inv.ClientName = clientName
	inv.Origin, inv.ExternalNumber, inv.ExternalReference = in.Origin, in.ExternalNumber, in.ExternalReference
	if err := s.store.CreateInvoice(ctx, inv, s.invoiceEvent(p, activity.Created, inv)); err != nil {
		return InvoiceView{}, err
	}
	return s.view(ctx, inv)
}

// Invoice returns one of the org's invoices.
func (s *Service) Invoice(ctx context.Context, p auth.Principal, id string) (_ InvoiceView, err error) {
	defer usecase.Name(&err, "invoice %s", id)
	inv, err := s.store.GetInvoice(ctx, p.OrgID, id)
	if err != nil {
		return InvoiceView{}, err
	}
	return s.view(ctx, inv)
}

// UpdateInvoice edits a draft.
func (s *Service) UpdateInvoice(ctx context.Context, p auth.Principal, id string, edit func(*DraftInput) error) (_ InvoiceView, err error) {
	defer usecase.Name(&err, "update invoice %s", id)
	if err := allow(p, auth.Bill); err != nil {
		return InvoiceView{}, err
	}
	inv, err := s.store.UpdateInvoice(ctx, p.OrgID, id, func(inv *invoice.Invoice) ([]activity.Event, error) {
		if inv.Status() != invoice.Draft {
			return nil, invoice.ErrNotDraft
		}
		in := inputOf(inv)
		if err := edit(&in); err != nil {
			return nil, err
		}
		sp, clientName, err := s.resolve(ctx, p, in)
		if err != nil {
			return nil, err
		}
		inv.ClientName = clientName
		return nil, inv.Edit(sp, s.now())
	})
	if err != nil {
		return InvoiceView{}, err
	}
	return s.view(ctx, inv)
}

// DeleteInvoice deletes a draft.
func (s *Service) DeleteInvoice(ctx context.Context, p auth.Principal, id string) (err error) {
	defer usecase.Name(&err, "delete invoice %s", id)
	if err := allow(p, auth.Bill); err != nil {
		return err
	}
	return s.store.DeleteInvoice(ctx, p.OrgID, id, func(inv *invoice.Invoice) error { return inv.CheckDeletable() })
}

// FinalizeInvoice numbers a draft and opens it; nothing is sent.
func (s *Service) FinalizeInvoice(ctx context.Context, p auth.Principal, id string) (_ InvoiceView, err error) {
	defer usecase.Name(&err, "finalize invoice %s", id)
	if err := allow(p, auth.Bill); err != nil {
		return InvoiceView{}, err
	}
	inv, err := s.store.FinalizeInvoice(ctx, p.OrgID, id, s.finalizer(p))
	if err != nil {
		if errors.Is(err, org.ErrPeriodClosed) {
			if draft, gerr := s.store.GetInvoice(ctx, p.OrgID, id); gerr == nil {
				err = s.explainClosed(ctx, p.OrgID, draft.Spec.ClientID, err)
			}
		}
		return InvoiceView{}, fmt.Errorf("finalize: %w", err)
	}
	return s.view(ctx, inv)
}

// finalizer is the domain change of finalizing a draft with number seq,
// done by p: open it, check the period, lock per policy, apply the
// client's credit. Single finalizations and invoice runs' batches share it.
func (s *Service) finalizer(p auth.Principal) func(*org.Org, *client.Client, *invoice.Invoice, int64) ([]activity.Event, error) {
	return func(o *org.Org, c *client.Client, inv *invoice.Invoice, seq int64) ([]activity.Event, error) {
		s.remember(o)
		today := calendar.Today(s.now(), o.Location())
		if err := ledger.CheckCurrency(currencyOf(c, o.Settings.Currency), inv.Spec.Currency, "invoice"); err != nil {
			return nil, err
		}
		if err := inv.Finalize(o.Settings.NumberPrefix, seq, today, s.now()); err != nil {
			return nil, err
		}
		if err := o.CheckOpen(inv.Spec.IssueDate, reopened(c)); err != nil {
			return nil, err
		}
		if o.Settings.LockingPolicy == org.LockOnCreation {
			if err := inv.Lock("", s.now()); err != nil {
				return nil, err
			}
		}
		events := []activity.Event{s.invoiceEvent(p, activity.Finalized, inv)}
		// The client's credit pays what it can of a new invoice at once.
		if use := decimal.Min(c.Balance.Credit, inv.Balance()); inv.Status() == invoice.Open && use.IsPositive() {
			if err := inv.ApplyClientCredit(use, s.now()); err != nil {
				return nil, err
			}
			e := s.invoiceEvent(p, activity.CreditApplied, inv)
			e.Detail = sp(inv).Display(use)
			events = append(events, e)
		}
		return events, nil
	}
}

// VoidInvoice cancels an open invoice, keeping its number.
func (s *Service) VoidInvoice(ctx context.Context, p auth.Principal, id, reason string) (_ InvoiceView, err error) {
	defer usecase.Name(&err, "void invoice %s", id)
	if err := allow(p, auth.Void); err != nil {
		return InvoiceView{}, err
	}
	inv, err := s.store.UpdateInvoice(ctx, p.OrgID, id, func(inv *invoice.Invoice) ([]activity.Event, error) {
		if err := inv.VoidInvoice(reason, s.now()); err != nil {
			return nil, err
		}
		e := s.invoiceEvent(p, activity.Voided, inv)
		e.Detail = reason
		return []activity.Event{e}, nil
	})
	if err != nil {
		return InvoiceView{}, err
	}
	return s.view(ctx, inv)
}

// LockInvoice locks an invoice against change.
func (s *Service) LockInvoice(ctx context.Context, p auth.Principal, id, reason string) (_ InvoiceView, err error) {
	defer usecase.Name(&err, "lock invoice %s", id)
	if err := allow(p, auth.Bill); err != nil {
		return InvoiceView{}, err
	}
	return s.lockChange(ctx, p, id, reason, activity.Locked, (*invoice.Invoice).Lock)
}

// UnlockInvoice lifts a lock; only admins may.
func (s *Service) UnlockInvoice(ctx context.Context, p auth.Principal, id, reason string) (_ InvoiceView, err error) {
	defer usecase.Name(&err, "unlock invoice %s", id)
	if err := allow(p, auth.Unlock); err != nil {
		return InvoiceView{}, err
	}
	return s.lockChange(ctx, p, id, reason, activity.Unlocked, (*invoice.Invoice).Unlock)
}

func (s *Service) lockChange(ctx context.Context, p auth.Principal, id, reason string, kind activity.Kind,
	change func(*invoice.Invoice, string, time.Time) error) (InvoiceView, error) {
	inv, err := s.store.UpdateInvoice(ctx, p.OrgID, id, func(inv *invoice.Invoice) ([]activity.Event, error) {
		if err := change(inv, reason, s.now()); err != nil {
			return nil, err
		}
		e := s.invoiceEvent(p, kind, inv)
		e.Detail = reason
		return []activity.Event{e}, nil
	})
	if err != nil {
		return InvoiceView{}, err
	}
	return s.view(ctx, inv)
}

// Invoices lists the org's invoices.
func (s *Service) Invoices(ctx context.Context, p auth.Principal, f invoice.ListFilter) (_ []InvoiceView, _ string, err error) {
	defer usecase.Name(&err, "list invoices")
	e, err := s.orgInfo(ctx, p.OrgID)
	if err != nil {
		return nil, "", err
	}
	today := calendar.Today(s.now(), e.loc)
	f.Today = today
	list, next, err := s.store.ListInvoices(ctx, p.OrgID, f)
	if err != nil {
		return nil, "", err
	}
	out := make([]InvoiceView, len(list))
	ndia := map[string]bool{} // by client: a page reads each client once
	for i, inv := range list {
		out[i] = viewIn(e, today, inv)
		id := inv.Spec.ClientID
		known, ok := ndia[id]
		if !ok {
			if known, err = s.ndiaManaged(ctx, p.OrgID, id); err != nil {
				return nil, "", err
			}
			ndia[id] = known
		}
		out[i].NDIAManaged = known
	}
	return out, next, nil
}

func sp(inv *invoice.Invoice) money.Currency { return inv.Spec.Currency }

// ApplyCredit moves the client's credit onto an open invoice: amount, or
// as much as both allow when amount is nil.
func (s *Service) ApplyCredit(ctx context.Context, p auth.Principal, id string, amount *decimal.Decimal) (_ InvoiceView, err error) {
	defer usecase.Name(&err, "apply credit %s", id)
	if err := allow(p, auth.Bill); err != nil {
		return InvoiceView{}, err
	}
	inv, err := s.store.ApplyClientCredit(ctx, p.OrgID, id, func(c *client.Client, inv *invoice.Invoice) ([]activity.Event, error) {
		if !c.Profile.Currency.IsZero() {
			if err := ledger.CheckCurrency(c.Profile.Currency, inv.Spec.Currency, "invoice"); err != nil {
				return nil, err
			}
		}
		use := decimal.Min(c.Balance.Credit, inv.Balance())
		if amount != nil {
			if amount.GreaterThan(c.Balance.Credit) {
				return nil, validation.Errorf("amount", "the client has %s of credit", sp(inv).String(c.Balance.Credit))
			}
			use = *amount
		}
		if !use.IsPositive() && inv.Status() == invoice.Open {
			return nil, validation.Errorf("amount", "the client has no credit to apply")
		}
		if err := inv.ApplyClientCredit(use, s.now()); err != nil {
			return nil, err
		}
		e := s.invoiceEvent(p, activity.CreditApplied, inv)
		e.Detail = sp(inv).Display(use)
		return []activity.Event{e}, nil
	})
	if err != nil {
		return InvoiceView{}, err
	}
	return s.view(ctx, inv)
}
