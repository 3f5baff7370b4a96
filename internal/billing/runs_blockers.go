package billing

import (
	"context"
	"errors"
	"time"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/usecase"
	"github.com/carebill/carebill/internal/validation"
)

// Blockers are the participants whose work in a period carries alerts
// (each alert with its task or session, date and code), judged exactly
// as Start judges them, without recording anything: what a coordinator
// checks before previewing a run, so that an expected blocked state is an
// answer, not Start's *run.AlertsError. Clients in req.Exclude are left
// out; req.DryRun is ignored. Empty when nothing blocks the period.
func (r *Runs) Blockers(ctx context.Context, p auth.Principal, req StartRequest) (_ []run.Blocked, err error) {
	defer usecase.Name(&err, "run blockers")
	if err := allow(p, auth.View); err != nil {
		return nil, err
	}
	_, blocked, err := r.scope(ctx, p, req, r.svc.now())
	return blocked, err
}

// scope judges every NDIS participant not excluded over req's period:
// those with work to invoice (in id order) and those whose work carries
// alerts. It reads the NDIS work index, or the items while the index is
// not built.
func (r *Runs) scope(ctx context.Context, p auth.Principal, req StartRequest, now time.Time) (inScope []string, blocked []run.Blocked, err error) {
	o, err := r.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return nil, nil, err
	}
	if err := run.ValidatePeriod(req.PeriodStart, req.PeriodEnd, calendar.Today(now, o.Location())); err != nil {
		return nil, nil, err
	}
	if len(req.Exclude) > MaxExcluded {
		return nil, nil, validation.Errorf("excludeClientIds", "at most %d clients", MaxExcluded)
	}
	excluded := map[string]bool{}
	for _, id := range req.Exclude {
		excluded[id] = true
	}
	limits, _, err := r.store.PriceLimits(ctx, p.OrgID)
	if err != nil {
		return nil, nil, err
	}
	prov, err := r.provider(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	inScope, blocked, err = r.scopeFromIndex(ctx, o, prov, limits, excluded, req.PeriodStart, req.PeriodEnd, now)
	if errors.Is(err, errIndexNotReady) {
		inScope, blocked, err = r.scopeFromItems(ctx, o, prov, limits, excluded, req.PeriodStart, req.PeriodEnd, now)
	}
	return inScope, blocked, err
}
