package calendar

import (
	"errors"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	t.Parallel()
	d, err := Parse("2026-11-30")
	if err != nil || d.String() != "2026-11-30" || d.AddDays(7).String() != "2026-12-07" {
		t.Fatalf("Parse: %v %v", d, err)
	}
	for _, bad := range []string{"", "2026-02-30", "2026-1-5", "30/11/2026", "1999-12-31", "2026-11-30T00:00:00Z", "2026-11-30 "} {
		if _, err := Parse(bad); !errors.Is(err, ErrInvalidDate) {
			t.Errorf("Parse(%q) err = %v", bad, err)
		}
	}
}

func TestTodayInZone(t *testing.T) {
	t.Parallel()
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 20, 0, 0, 0, time.UTC) // 07:00 on the 25th in Sydney
	if got := Today(now, syd).String(); got != "2026-11-25" {
		t.Fatalf("Today = %s", got)
	}
	if !MustParse("2026-11-24").Before(Today(now, syd)) {
		t.Fatal("Before")
	}
}
