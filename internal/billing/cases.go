package billing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/cases"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/export"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/usecase"
)

// CaseStore is what case use cases store (internal/dynamo).
type CaseStore interface {
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
	GetInvoice(ctx context.Context, orgID, id string) (*invoice.Invoice, error)
	CreateCase(ctx context.Context, c *cases.Case) error
	GetCase(ctx context.Context, orgID, id string) (*cases.Case, error)
	UpdateCase(ctx context.Context, orgID, id string, change func(*cases.Case) (bool, error)) (*cases.Case, error)
	ListCases(ctx context.Context, orgID string, status cases.Status, limit int, cursor string) ([]*cases.Case, string, error)
	PendingPOTotals(ctx context.Context, orgID string) (int64, decimal.Decimal, error)
}

// Cases are the lab and surgical case use cases. Invoices are made and
// voided through the same use cases as every other invoice.
type Cases struct {
	svc   *Service
	store CaseStore
}

// NewCases builds the case use cases.
func NewCases(svc *Service, store CaseStore) (*Cases, error) {
	if svc == nil || store == nil {
		return nil, errors.New("billing: cases need the service and a case store")
	}
	return &Cases{svc: svc, store: store}, nil
}

// CaseView is a case with the invoices it made.
type CaseView struct {
	*cases.Case
	InvoiceViews []InvoiceView
}

// OpenCase records a case for one of the org's billing accounts, pending
// its PO.
func (w *Cases) OpenCase(ctx context.Context, p auth.Principal, sp cases.Spec) (_ CaseView, err error) {
	defer usecase.Name(&err, "open case")
	if err := allow(p, auth.Bill); err != nil {
		return CaseView{}, err
	}
	o, err := w.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return CaseView{}, fmt.Errorf("open case: %w", err)
	}
	now := w.svc.now()
	c, err := cases.New(w.svc.newID("case", now), p.OrgID, sp, o.Settings.Currency, now)
	if err != nil {
		return CaseView{}, err
	}
	if _, err := w.store.GetClient(ctx, p.OrgID, sp.ClientID); err != nil {
		return CaseView{}, fmt.Errorf("open case: %w", err)
	}
	if err := w.store.CreateCase(ctx, c); err != nil {
		return CaseView{}, fmt.Errorf("open case: %w", err)
	}
	return CaseView{Case: c}, nil
}

// Case reads a case and its invoices.
func (w *Cases) Case(ctx context.Context, p auth.Principal, id string) (_ CaseView, err error) {
	defer usecase.Name(&err, "case %s", id)
	c, err := w.store.GetCase(ctx, p.OrgID, id)
	if err != nil {
		return CaseView{}, err
	}
	return w.view(ctx, p, c)
}

func (w *Cases) view(ctx context.Context, p auth.Principal, c *cases.Case) (CaseView, error) {
	v := CaseView{Case: c}
	for _, b := range c.Invoices {
		inv, err := w.store.GetInvoice(ctx, p.OrgID, b.InvoiceID)
		if errors.Is(err, invoice.ErrNotFound) {
			continue // being made right now
		}
		if err != nil {
			return CaseView{}, fmt.Errorf("case %s: %w", c.ID, err)
		}
		iv, err := w.svc.view(ctx, inv)
		if err != nil {
			return CaseView{}, err
		}
		v.InvoiceViews = append(v.InvoiceViews, iv)
	}
	return v, nil
}

// EditCase replaces a case's details until it is invoiced.
func (w *Cases) EditCase(ctx context.Context, p auth.Principal, id string, sp cases.Spec) (_ CaseView, err error) {
	defer usecase.Name(&err, "edit case %s", id)
	return w.change(ctx, p, id, func(c *cases.Case) error {
		if sp.ClientID != c.Spec.ClientID {
			if _, err := w.store.GetClient(ctx, p.OrgID, sp.ClientID); err != nil {
				return err
			}
		}
		return c.Edit(sp, w.svc.now())
	})
}

// SetPurchaseOrders records the case's POs: one for all manufacturers or
// one per manufacturer.
func (w *Cases) SetPurchaseOrders(ctx context.Context, p auth.Principal, id string, pos cases.POs) (_ CaseView, err error) {
	defer usecase.Name(&err, "set purchase orders %s", id)
	return w.change(ctx, p, id, func(c *cases.Case) error { return c.SetPOs(pos, w.svc.now()) })
}

// MarkInvoicePaid moves an invoiced case to invoice_paid.
func (w *Cases) MarkInvoicePaid(ctx context.Context, p auth.Principal, id string) (_ CaseView, err error) {
	defer usecase.Name(&err, "mark invoice paid %s", id)
	return w.change(ctx, p, id, func(c *cases.Case) error { return c.MarkInvoicePaid(w.svc.now()) })
}

// MarkCommissionPaid records the commission on an invoiced case as paid.
func (w *Cases) MarkCommissionPaid(ctx context.Context, p auth.Principal, id string, date calendar.Date) (_ CaseView, err error) {
	defer usecase.Name(&err, "mark commission paid %s", id)
	return w.change(ctx, p, id, func(c *cases.Case) error { return c.MarkCommissionPaid(date, w.svc.now()) })
}

func (w *Cases) change(ctx context.Context, p auth.Principal, id string, f func(*cases.Case) error) (CaseView, error) {
	if err := allow(p, auth.Bill); err != nil {
		return CaseView{}, err
	}
	c, err := w.store.UpdateCase(ctx, p.OrgID, id, func(c *cases.Case) (bool, error) { return true, f(c) })
	if err != nil {
		return CaseView{}, err
	}
	return w.view(ctx, p, c)
}

// InvoiceCase invoices a case whose POs are in: one invoice for all
// manufacturers, or one per manufacturer, each with its PO number, the
// billing notes as memo, and tax by the billing account. The invoice ids
// are fixed in the case's conditional write before any invoice exists, so
// a repeated or concurrent request finishes the same invoices; each goes
// through the one draft-and-finalize path.
func (w *Cases) InvoiceCase(ctx context.Context, p auth.Principal, id string) (_ CaseView, err error) {
	defer usecase.Name(&err, "invoice case %s", id)
	if err := allow(p, auth.Bill); err != nil {
		return CaseView{}, err
	}
	c, err := w.store.UpdateCase(ctx, p.OrgID, id, func(c *cases.Case) (bool, error) {
		if c.Status == cases.Invoiced && len(c.Invoices) > 0 {
			return false, nil // finish what an earlier request started
		}
		return true, c.StartInvoicing(func() string { return w.svc.newID("inv", w.svc.now()) }, w.svc.now())
	})
	if err != nil {
		return CaseView{}, err
	}
	groups := c.Groups()
	for _, b := range c.Invoices {
		i := slices.IndexFunc(groups, func(g cases.Group) bool { return g.Manufacturer == b.Manufacturer })
		if i < 0 {
			return CaseView{}, fmt.Errorf("invoice case %s: no products for %q: %w", c.ID, b.Manufacturer, cases.ErrConflict)
		}
		if err := w.ensureInvoice(ctx, p, c, b, groups[i]); err != nil {
			return CaseView{}, err
		}
	}
	return w.view(ctx, p, c)
}

func (w *Cases) ensureInvoice(ctx context.Context, p auth.Principal, c *cases.Case, b cases.Billed, g cases.Group) error {
	inv, err := w.store.GetInvoice(ctx, p.OrgID, b.InvoiceID)
	if errors.Is(err, invoice.ErrNotFound) {
		name := fmt.Sprintf("Case %s – %s", c.Spec.EventDate.Format("2 Jan 2006"), c.Spec.Doctor)
		if g.Manufacturer != "" {
			name += " – " + g.Manufacturer
		}
		in := DraftInput{ClientID: c.Spec.ClientID, Name: name, Memo: c.Spec.BillingNotes, PONumber: b.PO}
		for _, l := range g.Lines {
			in.Lines = append(in.Lines, LineInput{Line: l})
		}
		inv, err = w.svc.createDraftWithID(ctx, p, b.InvoiceID, in)
	}
	if err != nil {
		return fmt.Errorf("invoice case %s: %w", c.ID, err)
	}
	if inv.Status() != invoice.Draft {
		return nil
	}
	if _, err := w.svc.FinalizeInvoice(ctx, p, inv.ID); err != nil && !errors.Is(err, invoice.ErrNotDraft) {
		return fmt.Errorf("invoice case %s: %w", c.ID, err)
	}
	return nil
}

// UninvoiceCase voids the case's invoices (deleting any still a draft) and
// releases the case to pending_payment with its POs; invoicing again issues
// new numbers. An invoice with payments stops it: ErrInvoicePaid.
func (w *Cases) UninvoiceCase(ctx context.Context, p auth.Principal, id, reason string) (_ CaseView, err error) {
	defer usecase.Name(&err, "un-invoice case %s", id)
	if err := allow(p, auth.Bill); err != nil {
		return CaseView{}, err
	}
	if reason == "" {
		reason = "Case un-invoiced"
	}
	c, err := w.store.GetCase(ctx, p.OrgID, id)
	if err != nil {
		return CaseView{}, err
	}
	if c.Status != cases.Invoiced {
		return CaseView{}, fmt.Errorf("un-invoice case %s (%s): %w", c.ID, c.Status, cases.ErrState)
	}
	// Nothing is voided unless everything can be.
	for _, b := range c.Invoices {
		inv, err := w.store.GetInvoice(ctx, p.OrgID, b.InvoiceID)
		if errors.Is(err, invoice.ErrNotFound) {
			continue
		}
		if err != nil {
			return CaseView{}, fmt.Errorf("un-invoice case %s: %w", c.ID, err)
		}
		switch {
		case inv.Status() == invoice.Paid || inv.Paid().IsPositive():
			return CaseView{}, fmt.Errorf("un-invoice case %s: %w", c.ID, cases.ErrInvoicePaid)
		case inv.Locked():
			return CaseView{}, fmt.Errorf("un-invoice case %s: %w", c.ID, invoice.ErrLocked)
		}
	}
	var voided []string
	for _, b := range c.Invoices {
		inv, err := w.store.GetInvoice(ctx, p.OrgID, b.InvoiceID)
		if errors.Is(err, invoice.ErrNotFound) {
			continue
		}
		if err != nil {
			return CaseView{}, fmt.Errorf("un-invoice case %s: %w", c.ID, err)
		}
		switch inv.Status() {
		case invoice.Draft:
			err = w.svc.DeleteInvoice(ctx, p, inv.ID)
		case invoice.Open:
			_, err = w.svc.VoidInvoice(ctx, p, inv.ID, reason)
			voided = append(voided, inv.ID)
		case invoice.Paid:
			err = cases.ErrInvoicePaid
		}
		if errors.Is(err, invoice.ErrHasPayments) {
			err = cases.ErrInvoicePaid
		}
		if err != nil {
			return CaseView{}, fmt.Errorf("un-invoice case %s: %w", c.ID, err)
		}
	}
	released, err := w.store.UpdateCase(ctx, p.OrgID, id, func(cur *cases.Case) (bool, error) {
		if !slices.Equal(cur.Invoices, c.Invoices) {
			return false, fmt.Errorf("un-invoice case %s: %w", c.ID, cases.ErrConflict)
		}
		return true, cur.Release(w.svc.now())
	})
	if err != nil {
		return CaseView{}, err
	}
	v := CaseView{Case: released}
	for _, iid := range voided {
		if inv, err := w.store.GetInvoice(ctx, p.OrgID, iid); err == nil {
			if iv, err := w.svc.view(ctx, inv); err == nil {
				v.InvoiceViews = append(v.InvoiceViews, iv)
			}
		}
	}
	return v, nil
}

// PendingPO is the pending-PO panel: how many cases lack their PO, their
// value before tax, and a page of them, oldest event first.
type PendingPO struct {
	Count int64
	Value decimal.Decimal
	Cases []*cases.Case
	Next  string
}

// PendingPOs reads the pending-PO panel.
func (w *Cases) PendingPOs(ctx context.Context, p auth.Principal, limit int, cursor string) (_ PendingPO, err error) {
	defer usecase.Name(&err, "pending POs")
	n, v, err := w.store.PendingPOTotals(ctx, p.OrgID)
	if err != nil {
		return PendingPO{}, err
	}
	list, next, err := w.store.ListCases(ctx, p.OrgID, cases.PendingPO, limit, cursor)
	if err != nil {
		return PendingPO{}, err
	}
	return PendingPO{Count: n, Value: v, Cases: list, Next: next}, nil
}

// ListCases lists the org's cases in one status, oldest event first.
func (w *Cases) ListCases(ctx context.Context, p auth.Principal, status cases.Status, limit int, cursor string) (_ []*cases.Case, _ string, err error) {
	defer usecase.Name(&err, "list cases")
	return w.store.ListCases(ctx, p.OrgID, status, limit, cursor)
}

// CaseExport is one case's invoices as an accounting import CSV: the
// single-case download device reps hand to the office.
type CaseExport struct {
	FileName string
	format   export.Format
	invoices []export.Invoice
}

// ExportCase prepares the CSV of an invoiced case's invoices in format
// ("xero" or "quickbooks"), each row as the range export writes it.
func (w *Cases) ExportCase(ctx context.Context, p auth.Principal, id, format string) (_ *CaseExport, err error) {
	defer usecase.Name(&err, "export case %s", id)
	if err := allow(p, auth.View); err != nil {
		return nil, err
	}
	o, err := w.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return nil, fmt.Errorf("export case: %w", err)
	}
	f, err := export.Lookup(format, o.Settings.Accounting, o.Settings.Currency.Code() == "USD")
	if err != nil {
		return nil, err
	}
	c, err := w.store.GetCase(ctx, p.OrgID, id)
	if err != nil {
		return nil, err
	}
	if c.Status != cases.Invoiced && c.Status != cases.InvoicePaid {
		return nil, fmt.Errorf("export case %s (%s): invoice it first: %w", c.ID, c.Status, cases.ErrState)
	}
	cl, err := w.store.GetClient(ctx, p.OrgID, c.Spec.ClientID)
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		return nil, fmt.Errorf("export case %s: %w", c.ID, err)
	}
	x := &CaseExport{FileName: fmt.Sprintf("%s-case-%s.csv", f.Name, c.ID), format: f}
	for _, b := range c.Invoices {
		inv, err := w.store.GetInvoice(ctx, p.OrgID, b.InvoiceID)
		if err != nil {
			return nil, fmt.Errorf("export case %s: %w", c.ID, err)
		}
		if inv.Status() == invoice.Draft {
			return nil, fmt.Errorf("export case %s: invoice %s is still a draft; invoice the case again: %w", c.ID, inv.ID, cases.ErrState)
		}
		x.invoices = append(x.invoices, export.Invoice{Invoice: inv, Client: cl})
	}
	return x, nil
}

// Write writes the CSV (one file: a case has a few invoices).
func (x *CaseExport) Write(out io.Writer) (err error) {
	defer usecase.Name(&err, "write case export")
	wr := export.NewWriter(out, x.format, export.Plan{Invoices: len(x.invoices), Files: 1}, "")
	for _, e := range x.invoices {
		if err := wr.Write(e); err != nil {
			return fmt.Errorf("export case: %w", err)
		}
	}
	return wr.Close()
}
