package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/recurring"
	"github.com/carebill/carebill/internal/usecase"
)

// RecurringStore is what recurring charges store (internal/dynamo).
type RecurringStore interface {
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
	GetInvoice(ctx context.Context, orgID, id string) (*invoice.Invoice, error)
	ListInvoices(ctx context.Context, orgID string, f invoice.ListFilter) ([]*invoice.Invoice, string, error)
	CreateCharge(ctx context.Context, c *recurring.Charge) error
	GetCharge(ctx context.Context, orgID, id string) (*recurring.Charge, error)
	DeleteCharge(ctx context.Context, orgID, id string) error
	UpdateCharge(ctx context.Context, orgID, id string, change func(*recurring.Charge) (bool, error)) (*recurring.Charge, error)
	UpdateChargeAndDraft(ctx context.Context, orgID, chargeID, invoiceID string, change func(*recurring.Charge, *invoice.Invoice) (bool, error)) (*recurring.Charge, *invoice.Invoice, error)
	ClientCharges(ctx context.Context, orgID, clientID string) ([]*recurring.Charge, error)
}

// DueChargeLister finds the charges the schedule has to bill (the
// sharded due index): org and charge ids whose next occurrence is on or
// before upTo (YYYY-MM-DD).
type DueChargeLister interface {
	DueCharges(ctx context.Context, upTo string, limit int) ([]recurring.Ref, error)
}

// Recurring are the recurring-charge use cases: keeping a client's
// charges, and billing their due occurrences through the one draft and
// finalize path every invoice takes. With the org's auto-invoice mode
// "draft" an occurrence becomes a line on the client's draft for its
// month ("Recurring charges – November 2026", started when absent);
// otherwise it is its own invoice, finalized at once.
type Recurring struct {
	svc   *Service
	store RecurringStore
	log   *slog.Logger
}

// NewRecurring builds the recurring-charge use cases.
func NewRecurring(svc *Service, store RecurringStore, log *slog.Logger) (*Recurring, error) {
	if svc == nil || store == nil {
		return nil, errors.New("billing: recurring charges need the service and a store")
	}
	if log == nil {
		log = slog.Default()
	}
	return &Recurring{svc: svc, store: store, log: log}, nil
}

// AddCharge starts a recurring charge for one of the org's clients. Its
// first due occurrence is billed by the next scheduled run (or BillDue).
func (r *Recurring) AddCharge(ctx context.Context, p auth.Principal, sp recurring.Spec) (_ *recurring.Charge, err error) {
	defer usecase.Name(&err, "add recurring charge")
	if err := allow(p, auth.Bill); err != nil {
		return nil, err
	}
	if err := sp.Validate(); err != nil {
		return nil, err
	}
	if _, err := r.store.GetClient(ctx, p.OrgID, sp.ClientID); err != nil {
		return nil, fmt.Errorf("add recurring charge: %w", err)
	}
	now := r.svc.now()
	c, err := recurring.New(r.svc.newID("rec", now), p.OrgID, sp, now)
	if err != nil {
		return nil, err
	}
	if err := r.store.CreateCharge(ctx, c); err != nil {
		return nil, fmt.Errorf("add recurring charge: %w", err)
	}
	return c, nil
}

// Charge reads one of a client's charges; another client's is not found.
func (r *Recurring) Charge(ctx context.Context, p auth.Principal, clientID, id string) (_ *recurring.Charge, err error) {
	defer usecase.Name(&err, "recurring charge %s", id)
	c, err := r.store.GetCharge(ctx, p.OrgID, id)
	if err != nil {
		return nil, err
	}
	if c.Spec.ClientID != clientID {
		return nil, fmt.Errorf("recurring charge %s of client %s: %w", id, clientID, recurring.ErrNotFound)
	}
	return c, nil
}

// Charges lists a client's recurring charges.
func (r *Recurring) Charges(ctx context.Context, p auth.Principal, clientID string) (_ []*recurring.Charge, err error) {
	defer usecase.Name(&err, "list recurring charges %s", clientID)
	if _, err := r.store.GetClient(ctx, p.OrgID, clientID); err != nil {
		return nil, fmt.Errorf("list recurring charges: %w", err)
	}
	return r.store.ClientCharges(ctx, p.OrgID, clientID)
}

// EditCharge replaces a charge's spec (recurring.Charge.Edit says what
// may change once it has billed).
func (r *Recurring) EditCharge(ctx context.Context, p auth.Principal, clientID, id string, sp recurring.Spec) (_ *recurring.Charge, err error) {
	defer usecase.Name(&err, "edit recurring charge %s", id)
	sp.ClientID = clientID
	return r.change(ctx, p, clientID, id, func(c *recurring.Charge) error { return c.Edit(sp, r.svc.now()) })
}

// PauseCharge stops a charge billing; ResumeCharge starts it again from
// the first occurrence on or after today, skipping what fell due meanwhile.
func (r *Recurring) PauseCharge(ctx context.Context, p auth.Principal, clientID, id string) (_ *recurring.Charge, err error) {
	defer usecase.Name(&err, "pause recurring charge %s", id)
	return r.change(ctx, p, clientID, id, func(c *recurring.Charge) error { c.Pause(r.svc.now()); return nil })
}

// ResumeCharge: see PauseCharge.
func (r *Recurring) ResumeCharge(ctx context.Context, p auth.Principal, clientID, id string) (_ *recurring.Charge, err error) {
	defer usecase.Name(&err, "resume recurring charge %s", id)
	o, err := r.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return nil, fmt.Errorf("resume recurring charge: %w", err)
	}
	today := o.Today(r.svc.now())
	return r.change(ctx, p, clientID, id, func(c *recurring.Charge) error { c.Resume(today, r.svc.now()); return nil })
}

// DeleteCharge ends a charge for good; the invoices it made stay.
func (r *Recurring) DeleteCharge(ctx context.Context, p auth.Principal, clientID, id string) (err error) {
	defer usecase.Name(&err, "delete recurring charge %s", id)
	if err := allow(p, auth.Bill); err != nil {
		return err
	}
	if _, err := r.Charge(ctx, p, clientID, id); err != nil {
		return err
	}
	return r.store.DeleteCharge(ctx, p.OrgID, id)
}

func (r *Recurring) change(ctx context.Context, p auth.Principal, clientID, id string, f func(*recurring.Charge) error) (*recurring.Charge, error) {
	if err := allow(p, auth.Bill); err != nil {
		return nil, err
	}
	return r.store.UpdateCharge(ctx, p.OrgID, id, func(c *recurring.Charge) (bool, error) {
		if c.Spec.ClientID != clientID {
			return false, fmt.Errorf("recurring charge %s of client %s: %w", id, clientID, recurring.ErrNotFound)
		}
		return true, f(c)
	})
}

// BillDue bills every occurrence of the charge due on the org's today,
// oldest first, and returns the charge after. Each occurrence moves the
// charge on in the same write that bills it (the draft's transaction, or
// after its own invoice is finalized under the id the charge recorded
// first), so a repeated or concurrent run bills nothing twice.
func (r *Recurring) BillDue(ctx context.Context, p auth.Principal, id string) (_ *recurring.Charge, _ int, err error) {
	defer usecase.Name(&err, "bill recurring charge %s", id)
	if err := allow(p, auth.Bill); err != nil {
		return nil, 0, err
	}
	o, err := r.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return nil, 0, fmt.Errorf("bill recurring charge %s: %w", id, err)
	}
	today := o.Today(r.svc.now())
	billed := 0
	for range 400 { // at most weekly charges for 7 years late; the next run carries on
		c, err := r.store.GetCharge(ctx, p.OrgID, id)
		if err != nil {
			return nil, billed, err
		}
		if !c.Due(today) {
			return c, billed, nil
		}
		if o.Settings.AutoInvoice.Mode == org.AutoDraft {
			err = r.billToDraft(ctx, p, o, c)
		} else {
			err = r.billOwnInvoice(ctx, p, c)
		}
		if err != nil {
			return c, billed, err
		}
		billed++
	}
	c, err := r.store.GetCharge(ctx, p.OrgID, id)
	return c, billed, err
}

// billOwnInvoice bills occurrence c.Next as an invoice of its own: the id
// is recorded on the charge first, then the draft is made under it and
// finalized, then the charge moves on.
func (r *Recurring) billOwnInvoice(ctx context.Context, p auth.Principal, c *recurring.Charge) error {
	occ := c.Next
	c, err := r.store.UpdateCharge(ctx, p.OrgID, c.ID, func(cur *recurring.Charge) (bool, error) {
		if cur.Next != occ || (cur.Pending.Date == occ && cur.Pending.InvoiceID != "") {
			return false, nil
		}
		cur.Pending = recurring.Bill{Date: occ, InvoiceID: r.svc.newID("inv", r.svc.now())}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("bill recurring charge: %w", err)
	}
	if c.Next != occ {
		return nil // a concurrent run billed it
	}
	invID := c.Pending.InvoiceID
	inv, err := r.store.GetInvoice(ctx, p.OrgID, invID)
	if errors.Is(err, invoice.ErrNotFound) {
		inv, err = r.svc.createDraftWithID(ctx, p, invID, DraftInput{ClientID: c.Spec.ClientID, Name: chargeInvoiceName(c, occ),
			Lines: []LineInput{{Line: c.Line(occ), TaxRate: c.Spec.TaxRate}}})
	}
	if err != nil {
		return fmt.Errorf("bill recurring charge %s: %w", c.ID, err)
	}
	if inv.Status() == invoice.Draft {
		if _, err := r.svc.FinalizeInvoice(ctx, p, invID); err != nil && !errors.Is(err, invoice.ErrNotDraft) {
			return fmt.Errorf("bill recurring charge %s: %w", c.ID, err)
		}
	}
	_, err = r.store.UpdateCharge(ctx, p.OrgID, c.ID, func(cur *recurring.Charge) (bool, error) {
		if cur.Next != occ || cur.Pending.InvoiceID != invID {
			return false, nil
		}
		return true, cur.Advance(invID, r.svc.now())
	})
	if err != nil {
		return fmt.Errorf("bill recurring charge %s: %w", c.ID, err)
	}
	return nil
}

func chargeInvoiceName(c *recurring.Charge, occ calendar.Date) string {
	return fmt.Sprintf("%s – %s", c.Spec.Description, occ.Format("2 Jan 2006"))
}

// chargesDraftName names a client's draft of a month's recurring charges.
func chargesDraftName(d calendar.Date) string {
	return "Recurring charges – " + d.Format("January 2006")
}

// billToDraft puts occurrence c.Next on the client's draft for its month
// and moves the charge on, in one transaction.
func (r *Recurring) billToDraft(ctx context.Context, p auth.Principal, o *org.Org, c *recurring.Charge) error {
	cl, err := r.store.GetClient(ctx, p.OrgID, c.Spec.ClientID)
	if err != nil {
		return fmt.Errorf("bill recurring charge %s: %w", c.ID, err)
	}
	occ := c.Next
	line := specFor(o, cl, DraftInput{ClientID: cl.ID, Lines: []LineInput{{Line: c.Line(occ), TaxRate: c.Spec.TaxRate}}}).Lines[0]
	name := chargesDraftName(occ)
	for range 3 { // a draft finalized under us is passed over for a fresh one
		draftID, err := r.svc.periodDraft(ctx, r.store, p, cl.ID, name, "recurring charges")
		if err != nil {
			return err
		}
		gone := false
		_, _, err = r.store.UpdateChargeAndDraft(ctx, p.OrgID, c.ID, draftID, func(cur *recurring.Charge, inv *invoice.Invoice) (bool, error) {
			if cur.Next != occ {
				return false, nil // a concurrent run billed it
			}
			if inv.Status() != invoice.Draft {
				gone = true
				return false, nil
			}
			sp := inv.Spec
			sp.Lines = append(append([]invoice.Line{}, sp.Lines...), line)
			if err := inv.Edit(sp, r.svc.now()); err != nil {
				return false, err
			}
			return true, cur.Advance(inv.ID, r.svc.now())
		})
		if err != nil {
			return fmt.Errorf("bill recurring charge %s: %w", c.ID, err)
		}
		if !gone {
			return nil
		}
	}
	return fmt.Errorf("bill recurring charge %s: %w", c.ID, recurring.ErrConflict)
}

// RecurringReport is what one scheduled run did.
type RecurringReport struct {
	Charges, Billed, Failed int
}

// Run is the schedule's job: every charge due by today in its org's zone
// is billed, as the system. A charge that fails is logged and left for
// the next run; the others carry on.
func (r *Recurring) Run(ctx context.Context, due DueChargeLister) (_ RecurringReport, err error) {
	defer usecase.Name(&err, "bill due recurring charges")
	// A day ahead of UTC covers every zone's today; BillDue judges each
	// charge by its own org's.
	upTo := r.svc.now().UTC().AddDate(0, 0, 1).Format("2006-01-02")
	refs, err := due.DueCharges(ctx, upTo, 1000)
	if err != nil {
		return RecurringReport{}, fmt.Errorf("recurring charges run: %w", err)
	}
	var rep RecurringReport
	for _, ref := range refs {
		rep.Charges++
		sys := auth.Principal{OrgID: ref.OrgID, Email: "system", Role: auth.RoleAdmin}
		_, n, err := r.BillDue(ctx, sys, ref.ID)
		rep.Billed += n
		if err != nil {
			rep.Failed++
			r.log.ErrorContext(ctx, "recurring charge not billed", slog.String("org", ref.OrgID), slog.String("charge", ref.ID), slog.String("error", err.Error()))
		}
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
	}
	return rep, nil
}
