// Package session is a therapy or support session: who, when, for how long,
// which service, and whether the client attended. An attended session,
// or an NDIS one cancelled at short notice (Billable), is billable work;
// with the org's auto-invoicing on, marking it so bills it at once (internal/billing's Work use cases). It knows nothing of
// AWS or HTTP.
package session

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/validation"
)

// Expected outcomes callers act on.
var (
	ErrNotFound = errors.New("session not found")
	ErrConflict = errors.New("session was changed by someone else; reload and try again")
	// ErrInvoiceKept is returned when attendance cannot be reverted because
	// the invoice it made can no longer be voided or removed here.
	// ErrBilledByRun is returned when attendance would change on a session
	// an invoice run billed beside the participant's other work: voiding
	// that invoice would take all of it back, so the line is credited.
	ErrBilledByRun = errors.New("the session is billed on an invoice run's invoice: voiding would take back the participant's whole invoice; credit the session's line instead")
	ErrInvoiceKept = errors.New("the session's invoice has payments or is locked or finalized with other work; credit or void it first")
	// ErrNotShortNotice refuses a short notice reason for a cancellation
	// told with enough notice: it is not claimable (cancel without a
	// reason). NotShortNoticeError says the notice period.
	ErrNotShortNotice = errors.New("the cancellation was not at short notice, so it cannot be claimed: cancel without a reason")
	// ErrCancellationNotClaimable refuses a short notice reason on a
	// session whose support item cannot claim a cancellation.
	ErrCancellationNotClaimable = errors.New("the session's support item cannot claim a short notice cancellation: cancel without a reason")
)

// NotShortNoticeError is ErrNotShortNotice with the notice period.
type NotShortNoticeError struct{ Notice ndis.Notice }

func (e *NotShortNoticeError) Error() string {
	return fmt.Sprintf("notice of %s or more was given, so the cancellation is not at short notice and cannot be claimed: cancel without a reason", e.Notice)
}

// PublicMessage is the error's text for the API: the notice period.
func (e *NotShortNoticeError) PublicMessage() string { return e.Error() }

// Unwrap lets errors.Is find ErrNotShortNotice.
func (e *NotShortNoticeError) Unwrap() error { return ErrNotShortNotice }

// Attendance is what happened to a session.
type Attendance string

// Attendance states. A new session is Scheduled.
const (
	Scheduled Attendance = "scheduled"
	Attended  Attendance = "attended"
	Cancelled Attendance = "cancelled"
	NoShow    Attendance = "no_show"
)

// CancellationReasons are the NDIS short-notice cancellation reasons of
// the bulk payment request's CancellationReason column: NSDH no show due
// to health, NSDF family issues, NSDT unavailable transport, NSDO other.
var CancellationReasons = []string{"NSDH", "NSDF", "NSDT", "NSDO"}

// Limits on a session.
const (
	MaxMinutes     = 24 * 60
	maxDescription = 500
)

// Service is what a session delivers and how it is priced: a Price for
// the session, or an hourly Rate charged for the actual minutes (never
// rounded up). SupportItem is the NDIS support catalogue number, if any.
type Service struct {
	Description string
	Price       decimal.Decimal // per session; zero when Rate is used
	Rate        decimal.Decimal // per hour; zero when Price is used
	SupportItem string
	TaxRate     *decimal.Decimal // percent; nil takes the client's or org's
}

// Spec is what a coordinator decides about a session.
type Spec struct {
	ClientID string
	Start    time.Time
	Minutes  int
	Service  Service
	Location string
}

// Validate checks a spec for the currency it will be billed in.
func (s Spec) Validate(cur money.Currency) error {
	if s.ClientID == "" {
		return validation.Errorf("clientId", "is required")
	}
	if s.Start.IsZero() {
		return validation.Errorf("start", "is required (RFC 3339, e.g. 2026-11-03T09:00:00+11:00)")
	}
	if y := s.Start.UTC().Year(); y < 2000 || y > 2200 {
		return validation.Errorf("start", "must be between the years 2000 and 2200")
	}
	if s.Minutes < 1 || s.Minutes > MaxMinutes {
		return validation.Errorf("durationMinutes", "must be between 1 and %d", MaxMinutes)
	}
	if err := validation.Text("location", s.Location, false, 200); err != nil {
		return err
	}
	sv := s.Service
	if err := validation.Text("service.description", sv.Description, true, maxDescription); err != nil {
		return err
	}
	if err := validation.Text("service.supportItem", sv.SupportItem, false, 40); err != nil {
		return err
	}
	switch {
	case sv.Price.IsZero() == sv.Rate.IsZero():
		return validation.Errorf("service", "give exactly one of price (per session) or rate (per hour)")
	case sv.Price.IsNegative() || sv.Rate.IsNegative():
		return validation.Errorf("service", "price and rate must not be negative")
	case sv.Price.GreaterThan(invoice.MaxAmount) || sv.Rate.GreaterThan(invoice.MaxRate):
		return validation.Errorf("service", "price or rate is too large")
	case !sv.Price.Equal(sv.Price.Truncate(cur.MinorUnits())):
		return validation.Errorf("service.price", "must have at most %d decimal places", cur.MinorUnits())
	case !sv.Rate.Equal(sv.Rate.Truncate(invoice.QuantityPlcs)):
		return validation.Errorf("service.rate", "must have at most %d decimal places", invoice.QuantityPlcs)
	}
	if sv.TaxRate != nil && (sv.TaxRate.IsNegative() || sv.TaxRate.GreaterThan(invoice.MaxTaxRate)) {
		return validation.Errorf("service.taxRate", "must be between 0 and 100")
	}
	return nil
}

// Session is one booked session. InvoiceID links it to the invoice its
// attendance made: set in the same conditional write that marks it
// attended, so two clicks at once agree on one invoice.
type Session struct {
	ID                 string
	OrgID              string
	Spec               Spec
	Attendance         Attendance
	CancellationReason string
	InvoiceID          string // the invoice attendance made; "" when none
	InvoiceMode        string // how: "finalize" (its own invoice) or "draft" (a line on the period's draft)
	Version            int64
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// New books a session.
func New(id, orgID string, s Spec, cur money.Currency, now time.Time) (*Session, error) {
	if err := s.Validate(cur); err != nil {
		return nil, err
	}
	return &Session{ID: id, OrgID: orgID, Spec: s, Attendance: Scheduled, CreatedAt: now, UpdatedAt: now}, nil
}

// CheckAttendance validates a requested change of attendance.
func CheckAttendance(a Attendance, reason string) error {
	switch a {
	case Scheduled, Attended, NoShow:
		if reason != "" {
			return validation.Errorf("cancellationReason", "is only for cancelled sessions")
		}
	case Cancelled:
		if reason == "" {
			return nil
		}
		for _, r := range CancellationReasons {
			if r == reason {
				return nil
			}
		}
		return validation.Errorf("cancellationReason", "must be one of NSDH, NSDF, NSDT, NSDO (NDIS short-notice reasons)")
	default:
		return validation.Errorf("status", "must be attended, cancelled, no_show or scheduled")
	}
	return nil
}

// ShortNoticeCancellation reports whether the session was cancelled at
// short notice: cancelled with an NDIS short notice reason (NSDH, NSDF,
// NSDT, NSDO), which CheckCancellation admitted only for a support item
// that may claim it, at short notice.
func (s *Session) ShortNoticeCancellation() bool {
	return s.Attendance == Cancelled && s.CancellationReason != "" && s.Spec.Service.SupportItem != ""
}

// Billable reports whether the session is work to bill: attended, or a
// short notice cancellation, which the NDIS Pricing Arrangements let the
// provider claim at 100% of the agreed price, as booked (claim type CANC).
// A cancellation with enough notice, a no-show without a reason and a
// scheduled session bill nothing.
func (s *Session) Billable() bool { return s.Attendance == Attended || s.ShortNoticeCancellation() }

// CheckCancellation judges a short notice reason given at `at` for
// cancelling s (loc: the org's zone, whose days count notice). No reason,
// or a session without a support item (the reason is kept as a note and
// nothing is claimed), passes. Otherwise the support item must be one
// that may claim a cancellation (ErrCancellationNotClaimable) and the
// notice short under ndis.CancellationNotice (*NotShortNoticeError): the
// time the cancellation is recorded stands for when notice was given.
func CheckCancellation(s *Session, reason string, at time.Time, loc *time.Location) error {
	item := s.Spec.Service.SupportItem
	if reason == "" || item == "" {
		return nil
	}
	n, ok := ndis.CancellationNotice(item)
	if !ok {
		return fmt.Errorf("support item %s: %w", item, ErrCancellationNotClaimable)
	}
	if !ndis.ShortNotice(n, s.Spec.Start, at, loc) {
		return &NotShortNoticeError{Notice: n}
	}
	return nil
}

// Line is the invoice line a billable session bills: the session price,
// or rate × actual hours (a short notice cancellation: as booked, named
// as one with its reason). Hours are a variable line when the minutes come
// to an exact quantity of at most four decimals (45 min = 0.75 h);
// otherwise the line is fixed at the exact amount, rounded once to the
// cent, with the minutes and rate in its description — time is never
// rounded up.
func (s *Session) Line(cur money.Currency, loc *time.Location) invoice.Line {
	sv := s.Spec.Service
	day := s.Spec.Start.In(loc)
	desc := fmt.Sprintf("%s, %s (%d min)", sv.Description, day.Format("Mon 2 Jan 2006 15:04"), s.Spec.Minutes)
	if s.ShortNoticeCancellation() {
		// Claimed as booked, at 100% of the agreed price.
		desc += fmt.Sprintf(", claim type %s short notice cancellation (%s)", ndis.Cancellation, s.CancellationReason)
	}
	l := invoice.Line{Description: desc, SupportItem: sv.SupportItem}
	l.PeriodStart = calendar.Today(s.Spec.Start, loc)
	l.PeriodEnd = l.PeriodStart
	if !sv.Price.IsZero() {
		l.Type, l.Price = invoice.Fixed, sv.Price
		return l
	}
	hours := decimal.NewFromInt(int64(s.Spec.Minutes)).Div(decimal.NewFromInt(60))
	if hours.Equal(hours.Truncate(invoice.QuantityPlcs)) {
		l.Type, l.Quantity, l.Unit, l.Rate = invoice.Variable, hours, invoice.Hours, sv.Rate
		return l
	}
	l.Type = invoice.Fixed
	l.Price = cur.Round(sv.Rate.Mul(decimal.NewFromInt(int64(s.Spec.Minutes))).Div(decimal.NewFromInt(60)))
	// The minutes are already in desc; the hourly rate, written as entered,
	// shows how the price was reached.
	l.Description = fmt.Sprintf("%s at %s an hour", desc, cur.DisplayRate(sv.Rate))
	return l
}
