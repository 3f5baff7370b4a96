package billing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/usecase"
)

// ReconcileStore keeps the NDIA's answers per claim line (internal/dynamo).
type ReconcileStore interface {
	PutRunLine(ctx context.Context, orgID string, l run.Line, now time.Time) (bool, error)
	RunLines(ctx context.Context, orgID, runID string) ([]run.Line, error)
	// IssueShortfallNote writes a run's shortfall credit note for key
	// and the marker that it is recorded in one transaction; issued is
	// false, and nothing written, when the marker exists already.
	IssueShortfallNote(ctx context.Context, orgID, runID, key, invoiceID string,
		issue func(*invoice.Invoice, []*payment.Payment, int64) (*credit.Note, []activity.Event, error)) (note *credit.Note, issued bool, err error)
}

// Reconciliation is what an uploaded results or remittance file did.
type Reconciliation struct {
	Matched   int
	Unmatched []string // claim references not in this run
	// UnmatchedRuns names, for an unmatched re-claim reference or its
	// rejected original, the run whose file carried it (ref → run id),
	// where the re-claim records say.
	UnmatchedRuns map[string]string
	Accepted      int        // results: SUCCESSFUL lines
	Rejected      int        // results: ERROR lines, now on the fix list
	Paid          int        // remittance: lines paid
	AlreadyPaid   int        // remittance: lines an earlier upload already recorded as paid (a re-upload changes nothing)
	Payments      []string   // remittance: payment ids recorded
	Shortfall     []string   // remittance: credit note ids for capped prices
	FixList       []run.Line // the run's rejected lines after this upload
}

// claimIndex maps a run's claim references to their line.
type claimRef struct {
	res     *run.ClientResult
	claim   run.Claim
	reclaim *run.Reclaim // set when the line re-claims a line rejected before
}

// root is the line's first claim reference.
func (c claimRef) root() string {
	if c.reclaim != nil {
		return c.reclaim.Root
	}
	return c.claim.Ref
}

// billed is what the invoice billed for the line: a re-claim's amount
// may be lower (its unit price corrected down), and the NDIA paying that
// still leaves the line capped against the invoice.
func (c claimRef) billed() decimal.Decimal {
	if c.reclaim != nil {
		return c.reclaim.Billed
	}
	return c.claim.Amount
}

func (r *Runs) claimIndex(ctx context.Context, orgID, runID string) (map[string]claimRef, error) {
	rn, err := r.store.GetRun(ctx, orgID, runID)
	if err != nil {
		return nil, err
	}
	if rn.DryRun {
		return nil, run.ErrDryRun
	}
	idx := map[string]claimRef{}
	err = r.store.EachRunClient(ctx, orgID, runID, func(cs []*run.ClientResult) error {
		for _, c := range cs {
			for _, cl := range c.Claims {
				idx[cl.Ref] = claimRef{res: c, claim: cl}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	rcs, err := r.runReclaims(ctx, orgID, runID)
	for _, rc := range rcs {
		idx[rc.Claim.Ref] = claimRef{res: &run.ClientResult{RunID: runID, ClientID: rc.ClientID, ClientName: rc.ClientName,
			InvoiceID: rc.InvoiceID, Number: rc.Number}, claim: rc.Claim, reclaim: rc}
	}
	return idx, err
}

func (r *Runs) reconcileStore() (ReconcileStore, error) {
	rs, ok := r.store.(ReconcileStore)
	if !ok {
		return nil, errors.New("billing: the run store keeps no claim lines")
	}
	return rs, nil
}

// ReconcileResults reads the NDIA's results file for a run (columns
// matched by header name): SUCCESSFUL lines are accepted, ERROR lines go
// on the run's fix list with the NDIA's reason and a fix in plain words.
// A line already paid is never changed. Uploading the same file twice
// changes nothing more.
func (r *Runs) ReconcileResults(ctx context.Context, p auth.Principal, runID, file string) (_ Reconciliation, err error) {
	defer usecase.Name(&err, "reconcile results file %s", runID)
	if err := allow(p, auth.Bill); err != nil {
		return Reconciliation{}, err
	}
	rs, err := r.reconcileStore()
	if err != nil {
		return Reconciliation{}, err
	}
	results, err := run.ParseResults(strings.NewReader(file))
	if err != nil {
		return Reconciliation{}, err
	}
	idx, err := r.claimIndex(ctx, p.OrgID, runID)
	if err != nil {
		return Reconciliation{}, err
	}
	var rec Reconciliation
	now := r.svc.now()
	for _, res := range results {
		cr, ok := idx[res.Ref]
		if !ok {
			rec.Unmatched = append(rec.Unmatched, res.Ref)
			continue
		}
		rec.Matched++
		l := run.Line{RunID: runID, Ref: res.Ref, Root: cr.root(), ClientID: cr.res.ClientID, Client: cr.res.ClientName, InvoiceID: cr.res.InvoiceID, Number: cr.res.Number,
			State: run.LineAccepted, Claimed: cr.claim.Amount, Paid: res.Paid, Capped: res.Capped}
		if res.Successful {
			rec.Accepted++
		} else {
			l.State, l.Code, l.Message, l.Fix = run.LineRejected, res.Code, res.Message, run.Fixes[res.Code]
			if l.Fix == "" {
				l.Fix = "read the NDIA's message, correct the task or participant, and claim the line again"
			}
			rec.Rejected++
		}
		wrote, err := rs.PutRunLine(ctx, p.OrgID, l, now)
		if err != nil {
			return rec, err
		}
		if wrote {
			st := run.ReclaimAccepted
			if l.State == run.LineRejected {
				st = run.ReclaimRejected
			}
			if err := r.reclaimOutcome(ctx, p.OrgID, runID, cr, st); err != nil {
				return rec, err
			}
		}
	}
	if rec.UnmatchedRuns, err = r.runsOf(ctx, p.OrgID, rec.Unmatched); err != nil {
		return rec, err
	}
	rec.FixList, err = r.FixList(ctx, p, runID)
	return rec, err
}

// runsOf names the run whose file carried each of refs, where a re-claim
// record knows it: its current reference (the run that took it) or the
// rejected one it re-claims (that rejection's run). Never nil.
func (r *Runs) runsOf(ctx context.Context, orgID string, refs []string) (map[string]string, error) {
	out := map[string]string{}
	if len(refs) == 0 {
		return out, nil
	}
	rs, err := r.reclaimStore()
	if err != nil {
		return nil, err
	}
	for _, ref := range refs {
		rc, err := rs.GetReclaim(ctx, orgID, reclaimRoot(ref))
		if err != nil {
			return nil, err
		}
		switch {
		case rc == nil:
		case rc.Claim.Ref == ref && rc.RunID != "":
			out[ref] = rc.RunID
		case rc.FromRef == ref:
			out[ref] = rc.FromRun
		}
	}
	return out, nil
}

// reclaimRoot is the first claim reference of ref: ref without a
// re-claim's "-R<k>" suffix (run.ReclaimRef).
func reclaimRoot(ref string) string {
	i := strings.LastIndex(ref, "-R")
	if i < 0 {
		return ref
	}
	if _, err := strconv.Atoi(ref[i+2:]); err != nil {
		return ref
	}
	return ref[:i]
}

// ReconcileRemittance reads the NDIA's remittance advice for a run
// (columns matched by header name; joined on ProvClaimRef): each
// invoice's newly paid lines become one payment against it, recorded at
// most once (its intent is the invoice and those claim references), and
// where the NDIA paid less than claimed (a capped price) the difference is
// recorded as a credit note, or a credit note marked as a write-off, per
// the org's shortfall setting, once.
func (r *Runs) ReconcileRemittance(ctx context.Context, p auth.Principal, runID, file string) (_ Reconciliation, err error) {
	defer usecase.Name(&err, "reconcile remittance %s", runID)
	if err := allow(p, auth.Bill); err != nil {
		return Reconciliation{}, err
	}
	rs, err := r.reconcileStore()
	if err != nil {
		return Reconciliation{}, err
	}
	rows, err := run.ParseRemittance(strings.NewReader(file))
	if err != nil {
		return Reconciliation{}, err
	}
	idx, err := r.claimIndex(ctx, p.OrgID, runID)
	if err != nil {
		return Reconciliation{}, err
	}
	lines, err := rs.RunLines(ctx, p.OrgID, runID)
	if err != nil {
		return Reconciliation{}, err
	}
	paidAlready := map[string]bool{}
	for _, l := range lines {
		paidAlready[l.Ref] = l.State == run.LinePaid
	}
	ps, err := r.store.NDISProvider(ctx, p.OrgID)
	if err != nil {
		return Reconciliation{}, err
	}
	type invoicePay struct {
		cr        claimRef
		refs      []string
		capped    []string // refs the NDIA paid less than claimed
		rows      []run.Remittance
		paid, lss decimal.Decimal
		bulk      string
	}
	byInvoice := map[string]*invoicePay{}
	var order []string
	var rec Reconciliation
	for _, row := range rows {
		cr, ok := idx[row.Ref]
		if !ok {
			rec.Unmatched = append(rec.Unmatched, row.Ref)
			continue
		}
		rec.Matched++
		if paidAlready[row.Ref] {
			rec.AlreadyPaid++
			continue
		}
		ip := byInvoice[cr.res.InvoiceID]
		if ip == nil {
			ip = &invoicePay{cr: cr, bulk: row.BulkClaimID}
			byInvoice[cr.res.InvoiceID] = ip
			order = append(order, cr.res.InvoiceID)
		}
		claimed := row.Claimed
		if claimed.IsZero() {
			claimed = cr.claim.Amount
		}
		if cr.reclaim != nil {
			// A re-claim's shortfall is against what the invoice billed
			// (its unit price may have been corrected down).
			claimed = cr.reclaim.Billed
		}
		ip.refs, ip.rows = append(ip.refs, row.Ref), append(ip.rows, row)
		ip.paid = ip.paid.Add(row.Paid)
		if short := claimed.Sub(row.Paid); short.IsPositive() {
			ip.lss = ip.lss.Add(short)
			ip.capped = append(ip.capped, row.Ref)
		}
	}
	now := r.svc.now()
	for _, invID := range order {
		ip := byInvoice[invID]
		slices.Sort(ip.refs)
		sum := sha256.Sum256([]byte(invID + "|" + strings.Join(ip.refs, ",")))
		key := hex.EncodeToString(sum[:8])
		if ip.paid.IsPositive() {
			inv, err := r.store.GetInvoice(ctx, p.OrgID, invID)
			if err != nil {
				return rec, err
			}
			in := payment.Input{ClientID: ip.cr.res.ClientID, Amount: ip.paid, Method: payment.BankTransfer,
				Reference: "NDIA " + ip.bulk, Comments: "NDIA remittance for " + strings.Join(ip.refs, ", ")}
			if alloc := decimal.Min(ip.paid, inv.Balance()); alloc.IsPositive() {
				in.Allocations = []payment.Allocation{{InvoiceID: invID, Amount: alloc}}
			}
			pay, err := r.svc.recordPayment(ctx, p, in, false, "ndia-"+key)
			switch {
			case err == nil:
				rec.Payments = append(rec.Payments, pay.ID)
			case errors.Is(err, payment.ErrAlreadyRecorded):
			default:
				return rec, fmt.Errorf("remittance for %s: %w", ip.cr.res.Number, err)
			}
		}
		if ip.lss.IsPositive() {
			// The note and its marker are one transaction: an upload that
			// died before it leaves neither (the retry issues the note),
			// one that died after leaves both (the retry skips it).
			slices.Sort(ip.capped)
			reason := "NDIA capped price on " + strings.Join(ip.capped, ", ")
			if ps.Shortfall == run.ShortfallWriteOff {
				reason = "Write-off: " + reason
			}
			note, issued, err := rs.IssueShortfallNote(ctx, p.OrgID, runID, key, invID, r.svc.creditNote(p, ip.lss, reason, credit.ToClientCredit))
			if err != nil {
				return rec, fmt.Errorf("shortfall on %s: %w", ip.cr.res.Number, err)
			}
			if issued {
				rec.Shortfall = append(rec.Shortfall, note.ID)
			}
		}
		for _, row := range ip.rows {
			cl := idx[row.Ref]
			if _, err := rs.PutRunLine(ctx, p.OrgID, run.Line{RunID: runID, Ref: row.Ref, Root: cl.root(), ClientID: cl.res.ClientID, Client: cl.res.ClientName, InvoiceID: invID,
				Number: cl.res.Number, State: run.LinePaid, Claimed: cl.claim.Amount, Paid: row.Paid, Capped: row.Paid.LessThan(cl.billed())}, now); err != nil {
				return rec, err
			}
			if err := r.reclaimOutcome(ctx, p.OrgID, runID, cl, run.ReclaimPaid); err != nil {
				return rec, err
			}
			rec.Paid++
		}
	}
	if rec.UnmatchedRuns, err = r.runsOf(ctx, p.OrgID, rec.Unmatched); err != nil {
		return rec, err
	}
	rec.FixList, err = r.FixList(ctx, p, runID)
	return rec, err
}

// FixList is a run's rejected claim lines, each with the NDIA's reason
// and the fix.
func (r *Runs) FixList(ctx context.Context, p auth.Principal, runID string) (_ []run.Line, err error) {
	defer usecase.Name(&err, "fix list %s", runID)
	rs, err := r.reconcileStore()
	if err != nil {
		return nil, err
	}
	lines, err := rs.RunLines(ctx, p.OrgID, runID)
	if err != nil {
		return nil, err
	}
	fix := rejected(lines)
	if err := r.withReclaims(ctx, p.OrgID, fix); err != nil {
		return nil, err
	}
	return fix, nil
}

// rejected are the lines the NDIA's results file rejected (never nil).
func rejected(lines []run.Line) []run.Line {
	out := []run.Line{}
	for _, l := range lines {
		if l.State == run.LineRejected {
			out = append(out, l)
		}
	}
	return out
}
