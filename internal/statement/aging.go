package statement

import (
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
)

// Bucket is an aging column: how far past its due date an amount is.
type Bucket int

// The aging columns every accounting tool prints, in days past due as at
// the statement date.
const (
	Current    Bucket = iota // not yet due, or due today
	Days1to30                // 1–30 days past due
	Days31to60               // 31–60
	Days61to90               // 61–90
	Over90                   // more than 90
)

// String is the bucket's JSON name.
func (b Bucket) String() string {
	return [...]string{"current", "1-30", "31-60", "61-90", "over90"}[b]
}

// Label is the bucket's printed heading.
func (b Bucket) Label() string {
	return [...]string{"Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days"}[b]
}

// BucketOf places an amount due on due into its column as at asAt. An
// invoice with no due date is due on issue, so callers pass its issue date.
func BucketOf(due, asAt calendar.Date) Bucket {
	switch late := due.DaysUntil(asAt); {
	case late <= 0:
		return Current
	case late <= 30:
		return Days1to30
	case late <= 60:
		return Days31to60
	case late <= 90:
		return Days61to90
	default:
		return Over90
	}
}

// Aging is what is outstanding, by column.
type Aging [5]decimal.Decimal

// Add puts amount in bucket b.
func (a *Aging) Add(b Bucket, amount decimal.Decimal) { a[b] = a[b].Add(amount) }

// Total is the sum of the columns: everything outstanding.
func (a Aging) Total() decimal.Decimal {
	t := decimal.Zero
	for _, v := range a {
		t = t.Add(v)
	}
	return t
}
