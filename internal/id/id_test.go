package id

import (
	"testing"
	"time"
)

func TestNewSortsByTimeAndValidates(t *testing.T) {
	t.Parallel()
	a := New(Invoice, time.UnixMilli(1_700_000_000_000))
	b := New(Invoice, time.UnixMilli(1_700_000_000_001))
	if !(a < b) {
		t.Fatalf("ids do not sort by time: %s !< %s", a, b)
	}
	if !Valid(Invoice, a) || Valid(Client, a) || Valid(Invoice, a+"x") || Valid(Invoice, "inv_") {
		t.Fatalf("Valid misjudges %s", a)
	}
	seen := map[string]bool{}
	for range 1000 {
		s := New(Client, time.Now())
		if seen[s] {
			t.Fatalf("duplicate id %s", s)
		}
		seen[s] = true
	}
}

func TestFloorBoundsIDsByCreationTime(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	floor := Floor("pay", at)
	if !Valid("pay", floor) {
		t.Fatalf("Floor gave %q, not an id", floor)
	}
	for range 100 {
		if now := New("pay", at); now < floor {
			t.Fatalf("id made at the floor's instant %q sorts before it %q", now, floor)
		}
		if before := New("pay", at.Add(-time.Millisecond)); before >= floor {
			t.Fatalf("id made a millisecond earlier %q does not sort before %q", before, floor)
		}
	}
}
