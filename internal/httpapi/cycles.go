package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/carebill/carebill/internal/cycle"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/reminder"
	"github.com/carebill/carebill/internal/validation"
)

// billingCycleJSON is the org's schedule for new cycles: frequency
// "monthly" (dayOfMonth 1–28, default 1), "weekly" or "fortnightly"
// (weekday "monday" … "sunday"), and graceDays (0–14), the review window
// after a cycle ends during which drafts dated in it can still be
// finalized.
type billingCycleJSON struct {
	Frequency  string `json:"frequency"`
	DayOfMonth int    `json:"dayOfMonth,omitempty"`
	Weekday    string `json:"weekday,omitempty"`
	GraceDays  int    `json:"graceDays"`
}

func billingCycleOf(s cycle.Schedule) billingCycleJSON {
	out := billingCycleJSON{Frequency: string(s.Frequency), GraceDays: s.GraceDays}
	if s.Frequency == cycle.Monthly {
		out.DayOfMonth = s.DayOfMonth
	} else {
		out.Weekday = strings.ToLower(s.Weekday.String())
	}
	return out
}

func (b billingCycleJSON) schedule() (cycle.Schedule, error) {
	s := cycle.Schedule{Frequency: cycle.Frequency(b.Frequency), DayOfMonth: b.DayOfMonth, GraceDays: b.GraceDays}
	switch s.Frequency {
	case cycle.Monthly:
		if s.DayOfMonth == 0 {
			s.DayOfMonth = 1
		}
		if b.Weekday != "" {
			return s, validation.Errorf("billingCycle.weekday", "is for weekly and fortnightly cycles; monthly cycles take dayOfMonth")
		}
	case cycle.Weekly, cycle.Fortnightly:
		if b.DayOfMonth != 0 {
			return s, validation.Errorf("billingCycle.dayOfMonth", "is for monthly cycles; weekly and fortnightly cycles take weekday")
		}
		wd, ok := weekdays[b.Weekday]
		if !ok {
			return s, validation.Errorf("billingCycle.weekday", "must be monday, tuesday, … or sunday")
		}
		s.Weekday = wd
	}
	if err := s.Validate(); err != nil {
		return s, validation.Errorf("billingCycle", "%s", strings.TrimPrefix(err.Error(), cycle.ErrInvalid.Error()+": "))
	}
	return s, nil
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// remindersJSON is the reminder schedule: steps of days from the due date
// (negative before it) with their channels, sent between hours.from and
// hours.to (local hours, 0–24).
type remindersJSON struct {
	Enabled bool               `json:"enabled"`
	Steps   []reminderStepJSON `json:"steps"`
	Hours   hoursJSON          `json:"hours"`
}

type reminderStepJSON struct {
	Days     *int     `json:"days"` // required: 0 is the due date itself
	Channels []string `json:"channels"`
}

type hoursJSON struct {
	From int `json:"from"`
	To   int `json:"to"`
}

func remindersOf(s reminder.Schedule) remindersJSON {
	out := remindersJSON{Enabled: s.Enabled, Hours: hoursJSON{s.From, s.To}, Steps: []reminderStepJSON{}}
	for _, st := range s.Steps {
		chs := make([]string, 0, len(st.Channels))
		for _, c := range st.Channels {
			chs = append(chs, string(c))
		}
		days := st.Offset
		out.Steps = append(out.Steps, reminderStepJSON{Days: &days, Channels: chs})
	}
	return out
}

func (r remindersJSON) schedule() (reminder.Schedule, error) {
	s := reminder.Schedule{Enabled: r.Enabled, From: r.Hours.From, To: r.Hours.To}
	for i, st := range r.Steps {
		if st.Days == nil {
			return s, validation.Errorf(fmt.Sprintf("reminders.steps[%d].days", i), "is required: days from the due date, negative before it")
		}
		step := reminder.Step{Offset: *st.Days}
		for _, c := range st.Channels {
			step.Channels = append(step.Channels, reminder.Channel(c))
		}
		s.Steps = append(s.Steps, step)
	}
	return s, nil
}

// applyCycles sets the cycle, reminder and re-issue settings of a PATCH;
// a new billing cycle applies from the next cycle on.
func (p orgPatch) applyCycles(o *org.Org, now time.Time) error {
	if p.Reminders.Set {
		if p.Reminders.Null {
			o.Settings.Reminders = reminder.Default()
		} else {
			s, err := p.Reminders.V.schedule()
			if err != nil {
				return err
			}
			o.Settings.Reminders = s
		}
	}
	if p.ReissueSameNumber.Set {
		o.Settings.ReissueSameNumber = p.ReissueSameNumber.V
	}
	if p.BillingCycle.Set {
		s := cycle.Default()
		if !p.BillingCycle.Null {
			var err error
			if s, err = p.BillingCycle.V.schedule(); err != nil {
				return err
			}
		}
		if err := o.ChangeCycle(s, now); err != nil {
			return validation.Errorf("billingCycle", "%s", strings.TrimPrefix(err.Error(), cycle.ErrInvalid.Error()+": "))
		}
	}
	return nil
}

type cycleResponse struct {
	ID         string     `json:"id"`
	Start      string     `json:"start"`
	End        string     `json:"end"`
	Status     string     `json:"status"`
	ClosesAt   time.Time  `json:"closesAt"`
	Statements int        `json:"statements"`
	ClosedAt   *time.Time `json:"closedAt,omitempty"`
}

func (s *server) listCycles(w http.ResponseWriter, r *http.Request) {
	views, err := s.cycles.List(r.Context(), principal(r.Context()), 24)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := list[cycleResponse]{Data: make([]cycleResponse, 0, len(views))}
	for _, v := range views {
		c := cycleResponse{
			ID: v.Period.ID(), Start: v.Period.Start.String(), End: v.Period.End.String(), Status: string(v.Status),
			ClosesAt: v.ClosesAt.UTC(), Statements: v.Statements,
		}
		if !v.ClosedAt.IsZero() {
			t := v.ClosedAt.UTC()
			c.ClosedAt = &t
		}
		out.Data = append(out.Data, c)
	}
	writeJSON(w, http.StatusOK, out)
}

type closeResponse struct {
	Closed     int `json:"closed"`
	Statements int `json:"statements"`
	Busy       int `json:"busy"`
	Unfinished int `json:"unfinished"`
}

// closeCycle is "run now": the org's due cycles up to the one named close
// at once, exactly as the schedule would close them.
func (s *server) closeCycle(w http.ResponseWriter, r *http.Request) {
	rep, err := s.cycles.CloseNow(r.Context(), principal(r.Context()), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, closeResponse{Closed: rep.Closed, Statements: rep.Statements, Busy: rep.Busy, Unfinished: rep.Unfinished})
}
