// Package run is an invoice run: every NDIS participant's uninvoiced
// support coordination work in a billing period turned into one itemised
// invoice each, routed to who pays (the participant, their plan manager,
// or the NDIA through the bulk payment request file), with the run's
// progress, parked clients and the NDIA's results and remittance read
// back. It knows nothing of AWS or HTTP: internal/billing runs it,
// internal/dynamo stores it.
package run

import (
	"errors"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/validation"
)

// Expected outcomes callers act on.
var (
	ErrNotFound = errors.New("invoice run not found")
	// ErrNotParked is returned when a re-queue names a client the run has
	// not parked (neither its invoicing nor its send).
	ErrNotParked = errors.New("the client is not parked on this run")
	// ErrAlreadyOnRun is returned when adding a client to a run that
	// already has it (invoiced, parked or in progress): a run invoices a
	// client at most once for its period.
	ErrAlreadyOnRun = errors.New("the client is already on this run (invoiced, parked or in progress): a run invoices a participant once for its period")
	// ErrDryRun is returned for what only a real run has (its NDIA file,
	// reconciliation).
	ErrDryRun = errors.New("a dry run writes no invoices or files")
	// ErrTaskTaken is returned when a task an invoice would claim was
	// claimed by another invoice first: rebuild from the tasks as they are.
	ErrTaskTaken = errors.New("a task was claimed by another invoice")
	// ErrClientSettled is returned when a run's client is already past the
	// state a write expects (a redelivered message, a second worker).
	ErrClientSettled = errors.New("the run's client is already settled")
	// ErrPeriodTaken is returned when a real run for the same period
	// exists (PeriodTakenError names it).
	ErrPeriodTaken = errors.New("an invoice run for this period exists")
)

// PeriodTakenError names the run that already covers a period.
type PeriodTakenError struct{ RunID string }

func (e *PeriodTakenError) Error() string { return ErrPeriodTaken.Error() + ": " + e.RunID }

// Unwrap lets errors.Is find ErrPeriodTaken.
func (e *PeriodTakenError) Unwrap() error { return ErrPeriodTaken }

// Pending is a client whose draft is built and waits for its number.
type Pending struct {
	ClientID  string
	InvoiceID string
}

// MaxPeriodDays bounds a run's period.
const MaxPeriodDays = 366

// Routing is where a participant's invoice goes (NDIS funding decides).
type Routing string

// Routings: self-managed → the participant (email and text);
// plan-managed → the plan manager (email); NDIA-managed → a line in the
// NDIA bulk payment request file, never an email.
const (
	ToParticipant Routing = "participant"
	ToPlanManager Routing = "plan_manager"
	ToNDIA        Routing = "ndia_bulk_file"
)

// RoutingFor is the routing of a participant with funding f.
func RoutingFor(f client.FundingType) Routing {
	switch f {
	case client.PlanManaged:
		return ToPlanManager
	case client.NDIAManaged:
		return ToNDIA
	}
	return ToParticipant
}

// Status is a run's state as the batches page shows it.
type Status string

// Run states: queued until a worker takes its first client, running until
// every client is invoiced, previewed, parked or had nothing to invoice;
// then complete, complete_with_parked (some participants not invoiced)
// or complete_with_unsent (all invoiced, but some invoices could not be
// sent: no email or phone).
const (
	Queued             Status = "queued"
	Running            Status = "running"
	Complete           Status = "complete"
	CompleteWithParked Status = "complete_with_parked"
	CompleteWithUnsent Status = "complete_with_unsent"
)

// Counts is a run's progress, kept on the run item and moved with ADD in
// the same transaction as each client's outcome, so it never counts a
// client twice.
//
// ByRouting counts the run's invoices routed to each route: sent to the
// participant or plan manager, or put in the NDIA bulk file (a dry run:
// previews that would go there). An invoice counts for its route when it
// is made; one whose send is then parked leaves its route for Unsent (it
// went nowhere) and goes back when a re-queue sends it. So once the run
// is settled, Invoiced = Routed() + Unsent.
type Counts struct {
	Total     int // clients enqueued
	Invoiced  int // invoices finalized (a dry run: previews written)
	Parked    int // clients that could not be invoiced (re-queue after fixing)
	Empty     int // nothing left to invoice when the worker came (another run took it)
	Unsent    int // invoiced, but the send is parked (ClientResult.SendParked): fix and re-queue to send
	ByRouting map[Routing]int
	Amount    decimal.Decimal // total of the run's invoices (previews)
	Reclaims  int             // rejected lines the run's NDIA file claims again (see Reclaim)
}

// Routed is how many of the run's invoices went to their route (the sum
// of ByRouting): Invoiced less Unsent.
func (c Counts) Routed() int {
	n := 0
	for _, v := range c.ByRouting {
		n += v
	}
	return n
}

// Run is one invoice run over a billing period.
type Run struct {
	ID          string
	OrgID       string
	PeriodStart calendar.Date
	PeriodEnd   calendar.Date
	DryRun      bool
	Excluded    []string // client ids the coordinator left out
	CreatedBy   string
	CreatedAt   time.Time
	Counts      Counts
	Version     int64
}

// Status derives the run's state from its counts.
func (r *Run) Status() Status {
	c := r.Counts
	settled := c.Invoiced + c.Parked + c.Empty
	switch {
	case settled == 0 && c.Total > 0:
		return Queued
	case settled < c.Total:
		return Running
	case c.Parked > 0:
		return CompleteWithParked
	case c.Unsent > 0:
		return CompleteWithUnsent
	}
	return Complete
}

// ValidatePeriod checks a run's period: both dates, start ≤ end, at most
// MaxPeriodDays, not after today (work cannot be claimed before it is
// delivered).
func ValidatePeriod(start, end, today calendar.Date) error {
	switch {
	case start.IsZero():
		return validation.Errorf("periodStart", "is required (YYYY-MM-DD)")
	case end.IsZero():
		return validation.Errorf("periodEnd", "is required (YYYY-MM-DD)")
	case end.Before(start):
		return validation.Errorf("periodEnd", "is before periodStart")
	case start.DaysUntil(end) >= MaxPeriodDays:
		return validation.Errorf("periodEnd", "a run covers at most %d days", MaxPeriodDays)
	case !today.IsZero() && start.After(today):
		return validation.Errorf("periodStart", "is in the future")
	}
	return nil
}

// ClientState is where one client of a run is.
type ClientState string

// Client states. A client enqueued and not yet seen by a worker has no
// record; Building holds the draft's id while its number is not yet
// assigned (a redelivered message finishes the same draft).
const (
	ClientBuilding  ClientState = "building"
	ClientInvoiced  ClientState = "invoiced"
	ClientPreviewed ClientState = "previewed"
	ClientParked    ClientState = "parked"
	ClientEmpty     ClientState = "empty"
	ClientRequeued  ClientState = "requeued"
)

// Settled reports whether the state is final for the run's counts.
func (s ClientState) Settled() bool {
	return s == ClientInvoiced || s == ClientPreviewed || s == ClientParked || s == ClientEmpty
}

// ClientResult is one client's outcome on a run.
type ClientResult struct {
	RunID      string
	ClientID   string
	ClientName string
	State      ClientState
	Reason     string   // why parked, in words
	Alerts     []string // alert codes behind a park
	Routing    Routing
	InvoiceID  string
	Number     string
	Preview    Preview
	Claims     []Claim // NDIA-managed: the bulk file's lines, with claim references
	Routed     bool    // sent (participant, plan manager) or put in the file (NDIA)
	RouteError string  // why a send could not go (the invoice stands): the send is parked
	Version    int64
	UpdatedAt  time.Time
}

// SendParked reports whether the client's invoice was made but could not
// be sent (no address, or sending kept failing): it stays invoiced with
// its number, RouteError says why, and a re-queue sends it without
// invoicing again.
func (r *ClientResult) SendParked() bool {
	return r.State == ClientInvoiced && !r.Routed && r.RouteError != ""
}

// Shortfall is what the org records when the NDIA pays less than claimed
// (a capped price): a credit note to the participant's invoice, or a
// write-off.
type Shortfall string

// Shortfall choices.
const (
	ShortfallCreditNote Shortfall = "credit_note"
	ShortfallWriteOff   Shortfall = "write_off"
)

// ProviderSettings are the org's NDIS provider details and bulk file
// choices where sources disagree.
type ProviderSettings struct {
	Registration string // NDIS provider registration number, digits only
	DateFormat   string // DateSlashes (default) or DateDashes
	PadHours     bool
	Shortfall    Shortfall // default credit note
	Version      int64
}

// Validate checks the settings.
func (p ProviderSettings) Validate() error {
	switch {
	case p.Registration != "" && (!digitsRE.MatchString(p.Registration) || len(p.Registration) > 20):
		return validation.Errorf("registrationNumber", "must be the NDIS provider registration number, digits only")
	case p.DateFormat != "" && p.DateFormat != DateSlashes && p.DateFormat != DateDashes:
		return validation.Errorf("dateFormat", "must be %s or %s", DateSlashes, DateDashes)
	case p.Shortfall != "" && p.Shortfall != ShortfallCreditNote && p.Shortfall != ShortfallWriteOff:
		return validation.Errorf("shortfall", "must be credit_note or write_off")
	}
	return nil
}
