package run

import (
	"errors"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/validation"
)

// Re-claiming: a claim line the NDIA rejected (results file status ERROR)
// sits on its run's fix list. Once the coordinator has fixed the cause
// (the participant's NDIS number on their page, the support item or the
// unit price on the re-claim itself) they queue the line for re-claim,
// and the org's next real run puts it in its bulk file under a new claim
// reference, ReclaimRef(root, attempt): the rejected reference is never
// emitted again (the NDIA holds a claim duplicating another within 14
// days for review, formats/ "Claiming rules"). The line stays the
// original invoice's: a re-claim bills nothing again, and the NDIA's
// payment for the new reference is recorded against that invoice.

// Errors of re-claiming.
var (
	// ErrNotRejected is returned when a re-claim names a line that is not
	// on the run's fix list.
	ErrNotRejected = errors.New("the claim line is not on the run's fix list")
	// ErrReclaimTaken is returned when the line is already re-claimed (in
	// a run's file, accepted or paid) or queued from another rejection:
	// only the latest rejection of a line is re-claimed.
	ErrReclaimTaken = errors.New("the claim line is already re-claimed")
	// ErrNotNDIAManaged is returned when the participant is no longer
	// NDIA-managed: send them (or their plan manager) the invoice instead.
	ErrNotNDIAManaged = errors.New("the participant is no longer NDIA-managed: send the invoice instead of claiming it")
	// ErrInvoiceVoid is returned when the line's invoice was voided:
	// there is nothing left to claim.
	ErrInvoiceVoid = errors.New("the line's invoice is void: there is nothing to claim")
)

// ClaimWindowYears is how long after delivery a support may be claimed (NDIS
// Act s45A(5): two years, enforced automatically since 2 Oct 2025).
const ClaimWindowYears = 2

// MaxReclaimsPerRun bounds the re-claims one run takes from the queue;
// the rest wait for the following run.
const MaxReclaimsPerRun = 1000

// ReclaimState is where a re-claimed line stands.
type ReclaimState string

// Re-claim states, in order: queued until the next real run takes it
// into its file (reclaimed), then accepted or rejected by that run's
// results file, and paid by its remittance. A rejected re-claim can be
// queued again (attempt+1).
const (
	ReclaimQueued   ReclaimState = "queued"
	ReclaimClaimed  ReclaimState = "reclaimed"
	ReclaimAccepted ReclaimState = "accepted"
	ReclaimRejected ReclaimState = "rejected"
	ReclaimPaid     ReclaimState = "paid"
)

// Reclaim is one claim line's re-claim: one record per original line
// (Root), moved on by each attempt.
type Reclaim struct {
	Root       string // the line's first claim reference (the invoice number and line)
	Attempt    int    // 1, 2 …: Claim.Ref is ReclaimRef(Root, Attempt)
	FromRun    string // the run whose fix list the re-claimed rejection is on
	FromRef    string // the rejected claim reference
	ClientID   string
	ClientName string
	InvoiceID  string
	Number     string          // the invoice number
	Claim      Claim           // the line as re-claimed: corrected, under its new reference
	Billed     decimal.Decimal // the line's amount on the invoice (a capped re-claim's shortfall is against this)
	State      ReclaimState
	RunID      string // the run whose file carries Claim (from reclaimed on)
	Version    int64
	UpdatedAt  time.Time
}

// Correction is what the coordinator changes on a rejected line before
// re-claiming it; zero values keep the line's own. The participant's
// NDIS number is always read again from their record.
type Correction struct {
	SupportItem string
	UnitPrice   decimal.Decimal
}

// NewReclaim builds the re-claim of a rejected line: attempt k of root,
// from the claim as last sent (prev), corrected, with the participant's
// NDIS number as recorded now, its amount at the (corrected) unit price
// for the same actual minutes (or the same quantity). It refuses a support delivered more than
// ClaimWindowYears before today and any line the bulk file would reject
// (CheckClaim), with a validation error naming the field.
func NewReclaim(root string, attempt int, prev Claim, ndisNumber string, fix Correction, cur money.Currency, today calendar.Date) (Claim, error) {
	c := prev
	c.Ref, c.NDISNumber = ReclaimRef(root, attempt), ndisNumber
	if fix.SupportItem != "" {
		if !ndis.ValidSupportItem(fix.SupportItem) {
			return Claim{}, validation.Errorf("supportItem", "%q is not a support catalogue number (like 07_002_0106_8_3)", fix.SupportItem)
		}
		c.SupportItem = fix.SupportItem
	}
	if !fix.UnitPrice.IsZero() {
		c.UnitPrice = fix.UnitPrice
	}
	c.Amount = ndis.Task{Rate: c.UnitPrice, Minutes: c.Minutes}.Amount(cur)
	if !c.Quantity.IsZero() {
		c.Amount = cur.Round(c.UnitPrice.Mul(c.Quantity))
	}
	if !today.IsZero() && calendar.Of(c.From.Year()+ClaimWindowYears, c.From.Month(), c.From.Day()).Before(today) {
		return Claim{}, validation.Errorf("claimReference", "the support was delivered on %s: the NDIA takes claims within %d years of delivery", c.From, ClaimWindowYears)
	}
	if err := CheckClaim(c); err != nil {
		return Claim{}, err
	}
	return c, nil
}

// CanReclaim reports whether a rejected line on a fix list can be queued
// for re-claim now (or, while queued from it, corrected again): see
// ReclaimFrom. Its Reclaim must be the line's current record.
func (l Line) CanReclaim() bool {
	if l.State != LineRejected {
		return false
	}
	_, err := ReclaimFrom(l.Reclaim, l.RunID, l.Ref)
	return err == nil
}

// ReclaimFrom says which attempt a re-claim of the rejected line ref on
// run runID is, given the line's re-claim record (nil: never
// re-claimed): 1 for a first re-claim, the same attempt while it is only
// queued from this rejection (the coordinator corrects it again), the
// next after the run carrying it rejected it. Anything else is
// ErrReclaimTaken.
func ReclaimFrom(rec *Reclaim, runID, ref string) (int, error) {
	switch {
	case rec == nil:
		return 1, nil
	case rec.State == ReclaimQueued && rec.FromRun == runID && rec.FromRef == ref:
		return rec.Attempt, nil
	case rec.State == ReclaimRejected && rec.RunID == runID && rec.Claim.Ref == ref:
		return rec.Attempt + 1, nil
	}
	return 0, ErrReclaimTaken
}
