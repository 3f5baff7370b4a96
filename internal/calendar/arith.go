package calendar

import "time"

// Of is the civil date y-m-d; out-of-range parts normalise as time.Date does
// (day 0 of a month is the last day of the one before).
func Of(y int, m time.Month, d int) Date {
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// Year, Month and Day are the date's parts.
func (d Date) Year() int { return d.t.Year() }

// Month is the date's month.
func (d Date) Month() time.Month { return d.t.Month() }

// Day is the date's day of the month, 1–31.
func (d Date) Day() int { return d.t.Day() }

// Weekday is the date's day of the week.
func (d Date) Weekday() time.Weekday { return d.t.Weekday() }

// DaysUntil is the number of days from d to o: positive when o is later.
// Civil dates have no daylight-saving gaps, so this is exact.
func (d Date) DaysUntil(o Date) int {
	return int(o.t.Sub(d.t) / (24 * time.Hour))
}

// Equal reports whether d and o are the same day.
func (d Date) Equal(o Date) bool { return d.t.Equal(o.t) }

// Compare is -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int { return d.t.Compare(o.t) }

// LastDayOfMonth is the month's last day, 28–31.
func (d Date) LastDayOfMonth() int { return Of(d.Year(), d.Month()+1, 0).Day() }

// Start is the instant the day begins in loc. Across a daylight-saving
// change that starts at midnight, time.Date moves it to the first instant
// that exists, which is the day's true start.
func (d Date) Start(loc *time.Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}
