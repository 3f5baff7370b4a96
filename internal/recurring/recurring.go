// Package recurring is recurring charges: a fixed amount billed to a
// client every period (weekly on a weekday, or monthly on a day of the
// month) from a start date, until an end date or a number of charges,
// pausable. The charge remembers the next occurrence it has to bill and
// how many it has billed; an occurrence moves on only in the same write
// that bills it, so a rerun of the schedule never bills one twice.
package recurring

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/validation"
)

// Errors a recurring charge's use cases return.
var (
	ErrNotFound = errors.New("recurring charge not found")
	ErrConflict = errors.New("recurring charge was changed by someone else; reload and try again")
	// ErrScheduleFixed refuses a change of frequency, day or start once a
	// charge has billed: past invoices were made by the old schedule.
	ErrScheduleFixed = errors.New("the schedule of a charge that has billed cannot change; end it and add a new one")
)

// Frequency is how often a charge bills.
type Frequency string

// Frequencies.
const (
	Weekly  Frequency = "weekly"
	Monthly Frequency = "monthly"
)

// MaxAmount bounds a charge's amount, like an invoice line's.
var MaxAmount = decimal.NewFromInt(10_000_000)

// Spec is what a charge bills and when. Monthly charges bill on
// DayOfMonth (1–28, so every month has the day); weekly ones on Weekday.
// The first occurrence is the first such day on or after Start. End (if
// set) is the last day an occurrence may fall on; Count (if not 0) is how
// many occurrences it bills in all.
type Spec struct {
	ClientID    string
	Description string
	Amount      decimal.Decimal  // per occurrence, in the client's currency, at most 2 decimals
	TaxRate     *decimal.Decimal // percentage; nil: the client's or org's rate
	Frequency   Frequency
	Weekday     time.Weekday
	DayOfMonth  int
	Start       calendar.Date
	End         calendar.Date
	Count       int
}

// Validate checks a spec, naming the API field at fault.
func (s Spec) Validate() error {
	switch {
	case s.ClientID == "":
		return validation.Errorf("clientId", "is required")
	case s.Amount.LessThanOrEqual(decimal.Zero) || s.Amount.GreaterThan(MaxAmount) || !s.Amount.Equal(s.Amount.Truncate(2)):
		return validation.Errorf("amount", "must be more than 0 and at most %s, with at most 2 decimals", MaxAmount)
	case s.Start.IsZero():
		return validation.Errorf("start", "is required (YYYY-MM-DD)")
	case !s.End.IsZero() && s.End.Before(s.Start):
		return validation.Errorf("end", "is before start")
	case s.Count < 0 || s.Count > 1000:
		return validation.Errorf("count", "must be from 1 to 1000, or left out")
	case s.TaxRate != nil && (s.TaxRate.IsNegative() || s.TaxRate.GreaterThan(decimal.NewFromInt(100))):
		return validation.Errorf("taxRate", "must be a percentage from 0 to 100")
	}
	switch s.Frequency {
	case Weekly:
		if s.Weekday < time.Sunday || s.Weekday > time.Saturday {
			return validation.Errorf("weekday", "must be a day of the week")
		}
	case Monthly:
		if s.DayOfMonth < 1 || s.DayOfMonth > 28 {
			return validation.Errorf("dayOfMonth", "must be from 1 to 28, so that every month has it")
		}
	default:
		return validation.Errorf("frequency", "must be weekly or monthly")
	}
	if err := validation.Text("description", s.Description, false, 200); err != nil {
		return err
	}
	if s.Description == "" {
		return validation.Errorf("description", "is required")
	}
	return nil
}

// first is the first occurrence on or after d.
func (s Spec) first(d calendar.Date) calendar.Date {
	if s.Frequency == Weekly {
		return d.AddDays((int(s.Weekday) - int(d.Weekday()) + 7) % 7)
	}
	if d.Day() <= s.DayOfMonth {
		return calendar.Of(d.Year(), d.Month(), s.DayOfMonth)
	}
	return calendar.Of(d.Year(), d.Month()+1, s.DayOfMonth)
}

// after is the occurrence following occurrence d.
func (s Spec) after(d calendar.Date) calendar.Date {
	if s.Frequency == Weekly {
		return d.AddDays(7)
	}
	return calendar.Of(d.Year(), d.Month()+1, s.DayOfMonth)
}

// Charge is a client's recurring charge.
type Charge struct {
	ID       string
	OrgID    string
	Spec     Spec
	Paused   bool
	Billed   int           // occurrences billed so far
	Next     calendar.Date // the next occurrence to bill; zero once finished
	LastBill Bill          // the latest occurrence billed, zero before the first
	// Pending is the occurrence being billed to its own finalized invoice:
	// the invoice id is chosen and kept here before the invoice exists, so
	// a rerun after a crash finishes the same invoice.
	Pending   Bill
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Ref names one charge of one org: what the schedule's due index holds.
type Ref struct{ OrgID, ID string }

// Bill is one occurrence and the invoice that bills it.
type Bill struct {
	Date      calendar.Date
	InvoiceID string
}

// New starts a charge; its first occurrence is the first scheduled day on
// or after the spec's start.
func New(id, orgID string, sp Spec, now time.Time) (*Charge, error) {
	if err := sp.Validate(); err != nil {
		return nil, err
	}
	c := &Charge{ID: id, OrgID: orgID, Spec: sp, CreatedAt: now, UpdatedAt: now}
	c.Next = c.bounded(sp.first(sp.Start))
	return c, nil
}

// bounded is d, or zero when d is past the end or the count is used up.
func (c *Charge) bounded(d calendar.Date) calendar.Date {
	if (!c.Spec.End.IsZero() && d.After(c.Spec.End)) || (c.Spec.Count > 0 && c.Billed >= c.Spec.Count) {
		return calendar.Date{}
	}
	return d
}

// Finished reports whether the charge has nothing more to bill.
func (c *Charge) Finished() bool { return c.Next.IsZero() }

// Due reports whether an occurrence is waiting to be billed on today.
func (c *Charge) Due(today calendar.Date) bool {
	return !c.Paused && !c.Finished() && !c.Next.After(today)
}

// Period is the service period of occurrence d: from d to the day before
// the next occurrence.
func (c *Charge) Period(d calendar.Date) (calendar.Date, calendar.Date) {
	return d, c.Spec.after(d).AddDays(-1)
}

// Line is the invoice line that bills occurrence d: a fixed amount with
// its service period.
func (c *Charge) Line(d calendar.Date) invoice.Line {
	from, to := c.Period(d)
	return invoice.Line{Type: invoice.Fixed, Description: c.Spec.Description, Price: c.Spec.Amount, PeriodStart: from, PeriodEnd: to}
}

// Advance records occurrence c.Next as billed by invoiceID and moves to
// the next one. It is the only way an occurrence moves on.
func (c *Charge) Advance(invoiceID string, now time.Time) error {
	if c.Finished() {
		return fmt.Errorf("advance charge %s: finished: %w", c.ID, ErrConflict)
	}
	c.LastBill, c.Pending = Bill{Date: c.Next, InvoiceID: invoiceID}, Bill{}
	c.Billed++
	c.Next = c.bounded(c.Spec.after(c.Next))
	c.UpdatedAt = now
	return nil
}

// Pause stops billing until Resume; occurrences while paused are skipped.
func (c *Charge) Pause(now time.Time) {
	c.Paused, c.UpdatedAt = true, now
}

// Resume bills again from the first occurrence on or after today: what
// fell due while paused is not billed.
func (c *Charge) Resume(today calendar.Date, now time.Time) {
	if !c.Paused {
		return
	}
	c.Paused, c.UpdatedAt = false, now
	if !c.Finished() && c.Next.Before(today) {
		c.Next = c.bounded(c.Spec.first(today))
	}
}

// Edit replaces the spec. Before the first bill anything may change;
// afterwards the client, frequency, day and start stay (ErrScheduleFixed),
// and a new end or count applies to what is still to bill.
func (c *Charge) Edit(sp Spec, now time.Time) error {
	if err := sp.Validate(); err != nil {
		return err
	}
	if c.Billed > 0 {
		if sp.ClientID != c.Spec.ClientID || sp.Frequency != c.Spec.Frequency || sp.Start != c.Spec.Start ||
			(sp.Frequency == Weekly && sp.Weekday != c.Spec.Weekday) || (sp.Frequency == Monthly && sp.DayOfMonth != c.Spec.DayOfMonth) {
			return ErrScheduleFixed
		}
		c.Spec = sp
		next := c.Next
		if next.IsZero() {
			next = c.Spec.after(c.LastBill.Date)
		}
		c.Next = c.bounded(next)
	} else {
		c.Spec = sp
		c.Next = c.bounded(sp.first(sp.Start))
	}
	c.UpdatedAt = now
	return nil
}
