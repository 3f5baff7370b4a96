package statement

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
)

// The boundaries the issue names: 30 and 31, 60 and 61, 90 and 91 days.
func TestBucketBoundaries(t *testing.T) {
	asAt := calendar.MustParse("2026-11-30")
	tests := []struct {
		daysLate int
		want     Bucket
	}{
		{-5, Current}, {0, Current}, {1, Days1to30}, {30, Days1to30}, {31, Days31to60},
		{60, Days31to60}, {61, Days61to90}, {90, Days61to90}, {91, Over90}, {400, Over90},
	}
	for _, tt := range tests {
		due := asAt.AddDays(-tt.daysLate)
		if got := BucketOf(due, asAt); got != tt.want {
			t.Errorf("%d days late (due %s) = %s, want %s", tt.daysLate, due, got, tt.want)
		}
	}
}

func TestAgingTotal(t *testing.T) {
	var a Aging
	a.Add(Current, decimal.RequireFromString("10.00"))
	a.Add(Over90, decimal.RequireFromString("5.50"))
	a.Add(Over90, decimal.RequireFromString("1.25"))
	if !a.Total().Equal(decimal.RequireFromString("16.75")) || !a[Over90].Equal(decimal.RequireFromString("6.75")) {
		t.Fatalf("aging %v total %s", a, a.Total())
	}
	if Over90.String() != "over90" || Days1to30.Label() != "1–30 days" {
		t.Fatal("bucket names")
	}
}
