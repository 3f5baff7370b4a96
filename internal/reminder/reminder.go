// Package reminder decides when an unpaid invoice's client is reminded.
// An org's schedule is a list of steps relative to the due date (3 days
// before, on the day, 7 days after …); each step is sent at most once per
// invoice, a missed run catches up with the latest step due but never
// sends older ones, and nothing goes out at night in the org's time zone.
package reminder

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/carebill/carebill/internal/calendar"
)

// ErrInvalid is returned for a schedule that cannot run.
var ErrInvalid = errors.New("invalid reminder schedule")

// Channel is how a reminder goes out.
type Channel string

// Channels.
const (
	Email Channel = "email"
	SMS   Channel = "sms"
)

// Step is one reminder: Offset days after the due date (negative before).
type Step struct {
	Offset   int
	Channels []Channel
}

// Key names the step in the per-invoice record that it was sent, so a step
// is identified by its offset and survives edits to the rest of the
// schedule: "d-3", "d+0", "d+7".
func (s Step) Key() string {
	if s.Offset < 0 {
		return "d" + strconv.Itoa(s.Offset)
	}
	return "d+" + strconv.Itoa(s.Offset)
}

// Schedule is an org's reminder plan.
type Schedule struct {
	Enabled bool
	Steps   []Step
	// From and To bound the local hours reminders go out in, [From, To).
	From, To int
}

// Default is off, with the common steps ready to switch on: 3 days
// before, on the day, 7, 14 and 21 days after, by email, 9am to 5pm.
func Default() Schedule {
	steps := []Step{}
	for _, o := range []int{-3, 0, 7, 14, 21} {
		steps = append(steps, Step{Offset: o, Channels: []Channel{Email}})
	}
	return Schedule{Steps: steps, From: 9, To: 17}
}

// Validate checks the steps and hours; it sorts the steps by offset.
func (s *Schedule) Validate() error {
	if s.From < 0 || s.To > 24 || s.From >= s.To {
		return fmt.Errorf("%w: hours must satisfy 0 ≤ from < to ≤ 24", ErrInvalid)
	}
	if len(s.Steps) > 10 {
		return fmt.Errorf("%w: at most 10 steps", ErrInvalid)
	}
	seen := map[int]bool{}
	for _, st := range s.Steps {
		if st.Offset < -60 || st.Offset > 365 {
			return fmt.Errorf("%w: a step's offset must be between -60 and 365 days", ErrInvalid)
		}
		if seen[st.Offset] {
			return fmt.Errorf("%w: two steps %d days from the due date", ErrInvalid, st.Offset)
		}
		seen[st.Offset] = true
		if len(st.Channels) == 0 {
			return fmt.Errorf("%w: a step needs email, sms or both", ErrInvalid)
		}
		for _, c := range st.Channels {
			if c != Email && c != SMS {
				return fmt.Errorf("%w: channel %q is not email or sms", ErrInvalid, c)
			}
		}
	}
	sort.Slice(s.Steps, func(i, j int) bool { return s.Steps[i].Offset < s.Steps[j].Offset })
	return nil
}

// Invoice is what the decision needs to know of an invoice.
type Invoice struct {
	Open      bool          // finalized, not paid, not void
	Disputed  bool          // a card dispute or a dispute lock holds it
	Due       calendar.Date // zero: no due date, never reminded
	Excluded  bool          // the client is excluded from reminders
	Sent      map[string]bool
	LastSent  time.Time // the last time a person sent or resent it
	Balance   bool      // something is still owed
	Recipient bool      // there is someone to send to
}

// Reason says why nothing is sent; empty when a step is due.
type Reason string

// Why no reminder goes out.
const (
	NotOpen    Reason = "not open"
	Disputed   Reason = "disputed"
	NoDueDate  Reason = "no due date"
	Excluded   Reason = "client excluded"
	NightTime  Reason = "outside the org's sending hours"
	NothingDue Reason = "no step due yet"
	AlreadyOut Reason = "the latest due step was already sent"
	JustSent   Reason = "sent by hand today or yesterday"
	Off        Reason = "reminders are off"
	NoOneToAsk Reason = "no recipient"
)

// Next is the step to send for inv at now (in loc), or why none. Only the
// latest step whose day has come is ever a candidate: after a missed run
// the client gets one reminder, not a burst.
func (s Schedule) Next(inv Invoice, now time.Time, loc *time.Location) (Step, Reason) {
	switch {
	case !s.Enabled:
		return Step{}, Off
	case !inv.Open || !inv.Balance:
		return Step{}, NotOpen
	case inv.Disputed:
		return Step{}, Disputed
	case inv.Due.IsZero():
		return Step{}, NoDueDate
	case inv.Excluded:
		return Step{}, Excluded
	case !inv.Recipient:
		return Step{}, NoOneToAsk
	}
	local := now.In(loc)
	if h := local.Hour(); h < s.From || h >= s.To {
		return Step{}, NightTime
	}
	today := calendar.Today(now, loc)
	latest := -1
	for i, st := range s.Steps {
		if !today.Before(inv.Due.AddDays(st.Offset)) {
			latest = i
		}
	}
	if latest < 0 {
		return Step{}, NothingDue
	}
	st := s.Steps[latest]
	if inv.Sent[st.Key()] {
		return Step{}, AlreadyOut
	}
	if !inv.LastSent.IsZero() && today.AddDays(-1).Compare(calendar.Today(inv.LastSent, loc)) <= 0 {
		return Step{}, JustSent
	}
	return st, ""
}
