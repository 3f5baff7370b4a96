package ndis

import (
	"fmt"
	"time"

	"github.com/carebill/carebill/internal/calendar"
)

// Short notice cancellations, as the NDIS Pricing Arrangements and Price
// Limits (2024–25 on, "Cancellations") put them: when a participant
// cancels a booked support at short notice (or does not show up), the
// provider may claim the support item as it was booked, at 100% of the
// agreed price, with claim type CANC and a cancellation reason (NSDH,
// NSDF, NSDT, NSDO), if the item is one the support catalogue lets claim
// a short notice cancellation and the provider could not give the worker
// other billable work. Short notice is less than 7 clear days for
// disability support worker supports (daily life and community
// participation, categories 01 and 04) and less than 2 clear business
// days for the rest that may claim (support coordination, therapies and
// other capacity building). Supports that are things rather than booked
// time (transport, consumables, assistive technology, home modifications,
// plan management) claim no cancellation.
//
// The table is data as providers read the current arrangements; it is
// revised each July with the price limits.
var cancellationNotice = map[string]Notice{
	"01": {Days: 7}, "04": {Days: 7},
	"07": {Days: 2, Business: true}, "08": {Days: 2, Business: true}, "09": {Days: 2, Business: true},
	"10": {Days: 2, Business: true}, "11": {Days: 2, Business: true}, "12": {Days: 2, Business: true},
	"13": {Days: 2, Business: true}, "15": {Days: 2, Business: true},
}

// Notice is a short notice cancellation's notice period: notice of fewer
// than Days clear days (clear business days, Monday to Friday, when
// Business) before the support's day is short notice. Public holidays
// differ by state and are not counted out: a business day here is any
// weekday.
type Notice struct {
	Days     int
	Business bool
}

func (n Notice) String() string {
	if n.Business {
		return fmt.Sprintf("%d clear business days", n.Days)
	}
	return fmt.Sprintf("%d clear days", n.Days)
}

// CancellationNotice is the notice period of a short notice cancellation
// of item (a support catalogue number); false when the item cannot claim
// one.
func CancellationNotice(item string) (Notice, bool) {
	if !ValidSupportItem(item) {
		return Notice{}, false
	}
	n, ok := cancellationNotice[Category(item)]
	return n, ok
}

// ShortNotice reports whether a cancellation told at `at` of a support
// starting at `start` is short notice under n: at or after the start (a
// no-show, or on the way), or with fewer clear days (days wholly between
// the day notice was given and the support's day, both read in loc)
// than n asks.
func ShortNotice(n Notice, start, at time.Time, loc *time.Location) bool {
	if loc == nil {
		loc = time.UTC
	}
	if !at.Before(start) {
		return true
	}
	told, day := calendar.Today(at, loc), calendar.Today(start, loc)
	clear := 0
	for d := told.AddDays(1); d.Before(day) && clear < n.Days; d = d.AddDays(1) {
		if !n.Business || !weekend(d) {
			clear++
		}
	}
	return clear < n.Days
}

func weekend(d calendar.Date) bool {
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}
