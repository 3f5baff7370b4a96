// Package cycle is the billing cycle: the period an org closes at once,
// writing a statement per client and locking what its policy says. Cycles
// run in the org's time zone and are derived from a plan of schedules, so
// they exist as time passes without being created ahead; changing the
// schedule changes future cycles only.
package cycle

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/carebill/carebill/internal/calendar"
)

// ErrInvalid is returned for a schedule that cannot run.
var ErrInvalid = errors.New("invalid billing cycle")

// Frequency is how often cycles run.
type Frequency string

// Frequencies.
const (
	Weekly      Frequency = "weekly"
	Fortnightly Frequency = "fortnightly"
	Monthly     Frequency = "monthly"
)

// MaxGraceDays bounds the review window after a cycle ends.
const MaxGraceDays = 14

// Schedule says how an org's cycles run.
type Schedule struct {
	Frequency Frequency
	// DayOfMonth is the day monthly cycles start on, 1–28 (so every month
	// has it); 1 means calendar months.
	DayOfMonth int
	// Weekday is the day weekly and fortnightly cycles start on.
	Weekday time.Weekday
	// GraceDays is the review window: for this many days after a cycle
	// ends it is "closing" and drafts dated in it can still be finalized.
	GraceDays int
}

// Default is calendar months with no review window.
func Default() Schedule { return Schedule{Frequency: Monthly, DayOfMonth: 1} }

// Validate checks the schedule's parts.
func (s Schedule) Validate() error {
	switch s.Frequency {
	case Monthly:
		if s.DayOfMonth < 1 || s.DayOfMonth > 28 {
			return fmt.Errorf("%w: dayOfMonth must be 1–28 (every month has it)", ErrInvalid)
		}
	case Weekly, Fortnightly:
		if s.Weekday < time.Sunday || s.Weekday > time.Saturday {
			return fmt.Errorf("%w: weekday must be sunday–saturday", ErrInvalid)
		}
	default:
		return fmt.Errorf("%w: frequency must be weekly, fortnightly or monthly", ErrInvalid)
	}
	if s.GraceDays < 0 || s.GraceDays > MaxGraceDays {
		return fmt.Errorf("%w: graceDays must be 0–%d", ErrInvalid, MaxGraceDays)
	}
	return nil
}

// Period is a cycle's dates, both inclusive.
type Period struct{ Start, End calendar.Date }

// Contains reports whether d falls in the period.
func (p Period) Contains(d calendar.Date) bool { return !d.Before(p.Start) && !d.After(p.End) }

// ID is the cycle's id, derived from its start so that creating it twice
// makes one cycle: "cyc_20261101".
func (p Period) ID() string { return "cyc_" + p.Start.Format("20060102") }

// Ends is the instant the period is over in loc: the start of the day after
// its last day. Across a daylight-saving change that is still local
// midnight, whatever the UTC offset.
func (p Period) Ends(loc *time.Location) time.Time { return p.End.AddDays(1).Start(loc) }

// containing is the period of s that holds d, for an anchor that fixes the
// parity of fortnights.
func (s Schedule) containing(d, anchor calendar.Date) Period {
	switch s.Frequency {
	case Weekly:
		back := (int(d.Weekday()) - int(s.Weekday) + 7) % 7
		start := d.AddDays(-back)
		return Period{start, start.AddDays(6)}
	case Fortnightly:
		back := (int(anchor.Weekday()) - int(s.Weekday) + 7) % 7
		first := anchor.AddDays(-back)
		n := first.DaysUntil(d)
		k := n / 14
		if n < 0 && n%14 != 0 {
			k--
		}
		start := first.AddDays(14 * k)
		return Period{start, start.AddDays(13)}
	default:
		start := calendar.Of(d.Year(), d.Month(), s.DayOfMonth)
		if d.Day() < s.DayOfMonth {
			start = calendar.Of(d.Year(), d.Month()-1, s.DayOfMonth)
		}
		return Period{start, calendar.Of(start.Year(), start.Month()+1, s.DayOfMonth).AddDays(-1)}
	}
}

// Change is a schedule in force from a date on.
type Change struct {
	From     calendar.Date
	Schedule Schedule
}

// Plan is an org's schedules over time, oldest first. The first change's
// From is when the org started billing; cycles before it do not exist.
type Plan []Change

// NewPlan starts a plan on the cycle of s containing from, so the first
// cycle is a whole one.
func NewPlan(s Schedule, from calendar.Date) (Plan, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return Plan{{From: s.containing(from, from).Start, Schedule: s}}, nil
}

// in is the change in force on d and the date the next one starts (zero
// when none does).
func (p Plan) in(d calendar.Date) (Change, calendar.Date, bool) {
	i := sort.Search(len(p), func(i int) bool { return p[i].From.After(d) }) - 1
	if i < 0 {
		return Change{}, calendar.Date{}, false
	}
	var next calendar.Date
	if i+1 < len(p) {
		next = p[i+1].From
	}
	return p[i], next, true
}

// Containing is the cycle that holds d. A cycle is cut short where the
// schedule changes, so none straddles two schedules. ok is false before
// the plan starts.
func (p Plan) Containing(d calendar.Date) (Period, bool) {
	c, next, ok := p.in(d)
	if !ok {
		return Period{}, false
	}
	per := c.Schedule.containing(d, c.From)
	if per.Start.Before(c.From) {
		per.Start = c.From
	}
	if !next.IsZero() && !per.End.Before(next) {
		per.End = next.AddDays(-1)
	}
	return per, true
}

// Grace is the review window of the cycle that holds d.
func (p Plan) Grace(d calendar.Date) int {
	c, _, _ := p.in(d)
	return c.Schedule.GraceDays
}

// Current is the schedule in force for new cycles: the last one.
func (p Plan) Current() Schedule {
	if len(p) == 0 {
		return Default()
	}
	return p[len(p)-1].Schedule
}

// Change puts s in force from the day after the cycle holding today ends,
// replacing any change not yet in force: cycles already running keep the
// schedule they started with.
func (p Plan) Change(today calendar.Date, s Schedule) (Plan, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	cur, ok := p.Containing(today)
	if !ok {
		return NewPlan(s, today)
	}
	if s == p.Current() {
		return p, nil // nothing changes: saving the same settings again adds nothing
	}
	from := cur.End.AddDays(1)
	out := make(Plan, 0, len(p)+1)
	for _, c := range p {
		if c.From.Before(from) {
			out = append(out, c)
		}
	}
	return append(out, Change{From: from, Schedule: s}), nil
}

// Status is where a cycle stands.
type Status string

// Statuses.
const (
	Open    Status = "open"    // not yet ended
	Closing Status = "closing" // ended, inside the review window
	Closed  Status = "closed"  // statements written, dates in it refused
	// Due: ended and past its review window, waiting for the close run.
	Due Status = "due"
)

// StatusAt is the time-derived status of per at now, before any close run
// has recorded it: Open until it ends, Closing through the review window,
// then Due.
func StatusAt(per Period, graceDays int, loc *time.Location, now time.Time) Status {
	ends := per.Ends(loc)
	switch {
	case now.Before(ends):
		return Open
	case now.Before(per.End.AddDays(1 + graceDays).Start(loc)):
		return Closing
	default:
		return Due
	}
}

// Between lists the cycles that start on or before to and end on or after
// from, oldest first.
func (p Plan) Between(from, to calendar.Date) []Period {
	var out []Period
	if len(p) > 0 && from.Before(p[0].From) {
		from = p[0].From
	}
	for d := from; !d.After(to); {
		per, ok := p.Containing(d)
		if !ok {
			break
		}
		out = append(out, per)
		d = per.End.AddDays(1)
	}
	return out
}

// ErrBusy is returned when another close run holds the cycle's lease.
var ErrBusy = errors.New("another run is closing this billing cycle")

// ErrAlreadyClosed is returned when the cycle was already closed.
var ErrAlreadyClosed = errors.New("billing cycle already closed")

// Run is the persisted progress of closing one cycle: the cursor of the
// client list and the counts so far, so a run that stops (a Lambda
// timeout, a crash) resumes where it stopped, and a lease so two runs
// never work on one cycle at once.
type Run struct {
	OrgID      string
	Period     Period
	Status     Status // closing while a run works, then closed
	Runner     string // the run holding the lease
	LeaseUntil time.Time
	Cursor     string // the client list's cursor after the last finished page
	Statements int
	Skipped    int
	StartedAt  time.Time
	ClosedAt   time.Time
}
