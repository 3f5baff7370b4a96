// Package calendar holds the civil date (YYYY-MM-DD) that invoices, due
// dates and service periods use: no time of day, no time zone.
package calendar

import (
	"errors"
	"fmt"
	"time"
)

// ErrInvalidDate is returned for text that is not a real YYYY-MM-DD date.
var ErrInvalidDate = errors.New("invalid date")

// Date is a civil date. The zero value means "not set".
type Date struct{ t time.Time }

const layout = "2006-01-02"

// Parse reads a YYYY-MM-DD date between the years 2000 and 2200.
func Parse(s string) (Date, error) {
	t, err := time.Parse(layout, s)
	if err != nil || len(s) != len(layout) {
		return Date{}, fmt.Errorf("%w: %q is not a YYYY-MM-DD date", ErrInvalidDate, s)
	}
	if t.Year() < 2000 || t.Year() > 2200 {
		return Date{}, fmt.Errorf("%w: %q is out of range", ErrInvalidDate, s)
	}
	return Date{t}, nil
}

// MustParse is Parse for dates known to be valid, such as test fixtures.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Today is the civil date of now in loc.
func Today(now time.Time, loc *time.Location) Date {
	y, m, d := now.In(loc).Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d.t.IsZero() }

// String is YYYY-MM-DD, or "" when unset.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(layout)
}

// Format renders the date with a Go layout, e.g. "2 Jan 2006" or "02/01/2006".
func (d Date) Format(layout string) string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(layout)
}

// AddDays returns the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// Before reports whether d is strictly before o.
func (d Date) Before(o Date) bool { return d.t.Before(o.t) }

// After reports whether d is strictly after o.
func (d Date) After(o Date) bool { return d.t.After(o.t) }
