package export

import (
	"time"

	"github.com/carebill/carebill/internal/calendar"
)

// Range is the invoices an export holds: issued (open or paid, never
// drafts or void) with an issue date From..To inclusive, finalized no
// later than AsOf, so that counting a range and writing it see the same
// invoices.
type Range struct {
	From, To calendar.Date
	AsOf     time.Time
}

// MaxRangeDays bounds one export's range (a little over a year).
const MaxRangeDays = 370
