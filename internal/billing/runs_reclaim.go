package billing

import (
	"context"
	"errors"
	"time"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/usecase"
	"github.com/carebill/carebill/internal/validation"
)

// ReclaimStore keeps re-claims of rejected NDIA claim lines
// (internal/dynamo; see run.Reclaim).
type ReclaimStore interface {
	GetReclaim(ctx context.Context, orgID, root string) (*run.Reclaim, error)
	QueueReclaim(ctx context.Context, orgID string, r *run.Reclaim) error
	QueuedReclaims(ctx context.Context, orgID string, limit int) ([]*run.Reclaim, error)
	RunReclaims(ctx context.Context, orgID, runID string) ([]*run.Reclaim, error)
	TakeReclaim(ctx context.Context, orgID, runID string, dry bool, r *run.Reclaim, now time.Time) (bool, error)
	SetReclaimState(ctx context.Context, orgID, root, runID, ref string, st run.ReclaimState, now time.Time) error
}

func (r *Runs) reclaimStore() (ReclaimStore, error) {
	rs, ok := r.store.(ReclaimStore)
	if !ok {
		return nil, errors.New("billing: the run store keeps no re-claims")
	}
	return rs, nil
}

// ReclaimRequest queues a rejected line for re-claim with what the
// coordinator corrected (zero values keep the rejected line's own).
type ReclaimRequest struct {
	Ref string // the rejected claim reference, on the run's fix list
	run.Correction
}

// Reclaim queues a line on a run's fix list for re-claim once the
// coordinator has fixed its cause: the participant's NDIS number is read
// again from their record, the support item and unit price are the
// request's when given. The org's next real run (Start) puts the line in
// its NDIA file under a new claim reference (run.ReclaimRef), linked to
// the same invoice: nothing is billed again. Asking again while the line
// is still queued replaces its corrections. It refuses a line not on the
// fix list (run.ErrNotRejected), one already re-claimed by a run
// (run.ErrReclaimTaken), a participant no longer NDIA-managed
// (run.ErrNotNDIAManaged), a voided invoice (run.ErrInvoiceVoid), and a corrected line the bulk file would
// reject or the NDIA's two-year window has closed on (validation). The
// answer is the run's fix list.
func (r *Runs) Reclaim(ctx context.Context, p auth.Principal, runID string, req ReclaimRequest) (_ []run.Line, err error) {
	defer usecase.Name(&err, "re-claim %s", req.Ref)
	if err := allow(p, auth.Bill); err != nil {
		return nil, err
	}
	rc, err := r.reconcileStore()
	if err != nil {
		return nil, err
	}
	ls, err := r.reclaimStore()
	if err != nil {
		return nil, err
	}
	if !req.UnitPrice.IsZero() && (!req.UnitPrice.IsPositive() || !req.UnitPrice.Equal(req.UnitPrice.Truncate(2))) {
		return nil, validation.Errorf("unitPrice", "must be above 0 with at most 2 decimals")
	}
	idx, err := r.claimIndex(ctx, p.OrgID, runID)
	if err != nil {
		return nil, err
	}
	lines, err := rc.RunLines(ctx, p.OrgID, runID)
	if err != nil {
		return nil, err
	}
	cr, ok := idx[req.Ref]
	if !ok || !rejectedOn(lines, req.Ref) {
		return nil, run.ErrNotRejected
	}
	root, billed := cr.root(), cr.claim.Amount
	if cr.reclaim != nil {
		billed = cr.reclaim.Billed
	}
	prev, err := ls.GetReclaim(ctx, p.OrgID, root)
	if err != nil {
		return nil, err
	}
	attempt, err := run.ReclaimFrom(prev, runID, req.Ref)
	if err != nil {
		return nil, err
	}
	c, err := r.store.GetClient(ctx, p.OrgID, cr.res.ClientID)
	if err != nil {
		return nil, err
	}
	if c.Profile.Funding.Type != client.NDIAManaged {
		return nil, run.ErrNotNDIAManaged
	}
	inv, err := r.store.GetInvoice(ctx, p.OrgID, cr.res.InvoiceID)
	if err != nil {
		return nil, err
	}
	if inv.Status() == invoice.Void {
		return nil, run.ErrInvoiceVoid
	}
	o, err := r.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	now := r.svc.now()
	claim, err := run.NewReclaim(root, attempt, cr.claim, c.Profile.Funding.NDISNumber, req.Correction,
		currencyOf(c, o.Settings.Currency), calendar.Today(now, o.Location()))
	if err != nil {
		return nil, err
	}
	next := &run.Reclaim{Root: root, Attempt: attempt, FromRun: runID, FromRef: req.Ref, ClientID: c.ID, ClientName: c.Profile.Name,
		InvoiceID: cr.res.InvoiceID, Number: cr.res.Number, Claim: claim, Billed: billed, State: run.ReclaimQueued, UpdatedAt: now}
	if prev != nil {
		next.Version = prev.Version
	}
	if err := ls.QueueReclaim(ctx, p.OrgID, next); err != nil {
		return nil, err
	}
	return r.FixList(ctx, p, runID)
}

func rejectedOn(lines []run.Line, ref string) bool {
	for _, l := range lines {
		if l.Ref == ref {
			return l.State == run.LineRejected
		}
	}
	return false
}

// takeReclaims puts the org's queued re-claims (at most
// run.MaxReclaimsPerRun) in a new run's file; each is taken by one run
// only (ReclaimStore.TakeReclaim), so a run started twice, or two runs
// started at once, claim no line twice. A dry run lists the same lines
// and takes none.
func (r *Runs) takeReclaims(ctx context.Context, rn *run.Run) error {
	ls, err := r.reclaimStore()
	if err != nil {
		return nil // a store without re-claims has none to take
	}
	queued, err := ls.QueuedReclaims(ctx, rn.OrgID, run.MaxReclaimsPerRun)
	if err != nil {
		return err
	}
	for _, q := range queued {
		took, err := ls.TakeReclaim(ctx, rn.OrgID, rn.ID, rn.DryRun, q, r.svc.now())
		if err != nil {
			return err
		}
		if took {
			rn.Counts.Reclaims++
		}
	}
	return nil
}

// runReclaims are the re-claims a run's file carries (none from a store
// without re-claims).
func (r *Runs) runReclaims(ctx context.Context, orgID, runID string) ([]*run.Reclaim, error) {
	ls, err := r.reclaimStore()
	if err != nil {
		return nil, nil
	}
	return ls.RunReclaims(ctx, orgID, runID)
}

// withReclaims sets each fix list line's re-claim, where it has one.
func (r *Runs) withReclaims(ctx context.Context, orgID string, lines []run.Line) error {
	ls, err := r.reclaimStore()
	if err != nil {
		return nil
	}
	for i := range lines {
		root := lines[i].Root
		if root == "" {
			root = lines[i].Ref
		}
		if lines[i].Reclaim, err = ls.GetReclaim(ctx, orgID, root); err != nil {
			return err
		}
	}
	return nil
}

// reclaimOutcome moves a re-claimed line's record on with what the NDIA
// said about it on this run.
func (r *Runs) reclaimOutcome(ctx context.Context, orgID, runID string, cr claimRef, st run.ReclaimState) error {
	if cr.reclaim == nil {
		return nil
	}
	ls, err := r.reclaimStore()
	if err != nil {
		return err
	}
	return ls.SetReclaimState(ctx, orgID, cr.reclaim.Root, runID, cr.claim.Ref, st, r.svc.now())
}
