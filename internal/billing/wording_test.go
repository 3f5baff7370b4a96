package billing

import (
	"testing"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/reminder"
)

// TestActivityWords: the feeds say dates and reminder steps in words, not
// the API's "2026-11-20" and "d+7".
func TestActivityWords(t *testing.T) {
	t.Parallel()
	if got := longDate(calendar.MustParse("2026-11-20")); got != "20 Nov 2026" {
		t.Errorf("longDate = %q", got)
	}
	for offset, want := range map[int]string{-3: "3 days before the due date", -1: "1 day before the due date", 0: "on the due date", 7: "7 days after the due date"} {
		if got := stepWords(reminder.Step{Offset: offset}); got != want {
			t.Errorf("step %d: %q, want %q", offset, got, want)
		}
	}
}
