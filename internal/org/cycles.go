package org

import (
	"errors"
	"fmt"
	"time"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/cycle"
)

// ErrPeriodClosed is returned for an invoice, payment or credit-note date
// inside a closed billing cycle. To change a closed period, delete its
// statement (which reopens the cycle for that client), change, regenerate.
var ErrPeriodClosed = errors.New("period_closed")

// PeriodClosedError names the closed cycle a date fell in. Checked says
// whether the client's statement for the cycle was looked up, and
// HasStatement whether there is one: deleting it is the only way a closed
// cycle reopens (for that client alone), so the message offers it only
// when there is a statement to delete.
type PeriodClosedError struct {
	Date         calendar.Date
	Cycle        cycle.Period
	Checked      bool
	HasStatement bool
}

func (e *PeriodClosedError) Error() string { return e.PublicMessage() }

// PublicMessage is the message a coordinator is shown, dates as the org's
// documents write them ("25 Oct 2026", "1–31 Oct 2026"); the cycle's id is
// left to the error's machine-readable cycleId.
func (e *PeriodClosedError) PublicMessage() string {
	head := fmt.Sprintf("%s falls in the billing cycle %s, which is closed: date it in an open cycle", readableDate(e.Date), readableRange(e.Cycle.Start, e.Cycle.End))
	switch {
	case !e.Checked:
		return head + ", or (an admin) delete the client's statement for that cycle, if it has one, to reopen the cycle for them"
	case e.HasStatement:
		return head + ", or (an admin) delete the client's statement for that cycle to reopen it for them"
	default:
		return head + ". The cycle is closed for the whole organisation; it reopens for a client only when an admin deletes that client's statement for it, and this client has none"
	}
}

// readableDate writes d as "25 Oct 2026".
func readableDate(d calendar.Date) string {
	return fmt.Sprintf("%d %s %d", d.Day(), d.Month().String()[:3], d.Year())
}

// readableRange writes a period compactly: "1–31 Oct 2026",
// "25 Sep – 24 Oct 2026", "15 Dec 2026 – 14 Jan 2027".
func readableRange(from, to calendar.Date) string {
	switch {
	case from.Year() != to.Year():
		return readableDate(from) + " – " + readableDate(to)
	case from.Month() != to.Month():
		return fmt.Sprintf("%d %s – %s", from.Day(), from.Month().String()[:3], readableDate(to))
	default:
		return fmt.Sprintf("%d–%s", from.Day(), readableDate(to))
	}
}

// Unwrap lets errors.Is find ErrPeriodClosed.
func (e *PeriodClosedError) Unwrap() error { return ErrPeriodClosed }

// Today is the civil date of now in the org's time zone.
func (o *Org) Today(now time.Time) calendar.Date { return calendar.Today(now, o.Location()) }

// Plan is the org's billing-cycle plan: the stored one, or calendar months
// from the month the org was created in.
func (o *Org) Plan() cycle.Plan {
	if len(o.Settings.Cycles) > 0 {
		return o.Settings.Cycles
	}
	p, _ := cycle.NewPlan(cycle.Default(), o.Today(o.CreatedAt))
	return p
}

// ChangeCycle puts s in force from the next cycle on; the cycle running
// today keeps its dates.
func (o *Org) ChangeCycle(s cycle.Schedule, now time.Time) error {
	p, err := o.Plan().Change(o.Today(now), s)
	if err != nil {
		return err
	}
	o.Settings.Cycles = p
	return nil
}

// NextToClose is the first cycle not yet closed and the instant it is due
// to close: the start of the day after its review window, in the org's
// zone.
func (o *Org) NextToClose() (cycle.Period, time.Time) {
	p := o.Plan()
	from := p[0].From
	if !o.ClosedThrough.IsZero() {
		from = o.ClosedThrough.AddDays(1)
	}
	per, _ := p.Containing(from)
	return per, per.End.AddDays(1 + p.Grace(per.Start)).Start(o.Location())
}

// CheckOpen refuses a date inside a closed cycle, unless reopened says the
// client's statement for that cycle was deleted.
func (o *Org) CheckOpen(d calendar.Date, reopened func(cycleID string) bool) error {
	if d.IsZero() || o.ClosedThrough.IsZero() || d.After(o.ClosedThrough) {
		return nil
	}
	per, ok := o.Plan().Containing(d)
	if !ok {
		return nil // before the org's first cycle: nothing was ever closed there
	}
	if reopened != nil && reopened(per.ID()) {
		return nil
	}
	return &PeriodClosedError{Date: d, Cycle: per}
}
