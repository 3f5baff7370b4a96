package org

import (
	"testing"

	"github.com/carebill/carebill/internal/calendar"
)

// The period_closed message's dates read as the org's documents write
// them, never as ISO dates.
func TestReadableRange(t *testing.T) {
	for _, c := range []struct{ from, to, want string }{
		{"2026-10-01", "2026-10-31", "1–31 Oct 2026"},
		{"2026-09-25", "2026-10-24", "25 Sep – 24 Oct 2026"},
		{"2026-12-15", "2027-01-14", "15 Dec 2026 – 14 Jan 2027"},
	} {
		if got := readableRange(calendar.MustParse(c.from), calendar.MustParse(c.to)); got != c.want {
			t.Errorf("readableRange(%s, %s) = %q, want %q", c.from, c.to, got, c.want)
		}
	}
	if got := readableDate(calendar.MustParse("2026-10-25")); got != "25 Oct 2026" {
		t.Errorf("readableDate = %q", got)
	}
}
