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
