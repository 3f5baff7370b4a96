package billing

import (
	"fmt"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/reminder"
)

// Words for activity details: what people read in the feeds, never the
// API's codes.

// longDate is a date as the feeds write it: "20 Nov 2026".
func longDate(d calendar.Date) string {
	return fmt.Sprintf("%d %s %d", d.Day(), d.Month().String()[:3], d.Year())
}

// stepWords says when a reminder step goes out: "3 days before the due
// date", "on the due date", "7 days after the due date".
func stepWords(s reminder.Step) string {
	days := func(n int) string {
		if n == 1 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", n)
	}
	switch {
	case s.Offset < 0:
		return days(-s.Offset) + " before the due date"
	case s.Offset == 0:
		return "on the due date"
	}
	return days(s.Offset) + " after the due date"
}
