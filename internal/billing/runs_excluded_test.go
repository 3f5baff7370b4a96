package billing_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/run"
)

// TestRequeueTakesALeftOutParticipantOffTheExcludedList: requeueing a
// participant the run left out (excludeClientIds) adds them and takes
// them off the run's excluded list in the same write, one at a time, so
// the run never both lists a client as left out and bills them.
func TestRequeueTakesALeftOutParticipantOffTheExcludedList(t *testing.T) {
	t.Parallel()
	w := newRunWorld(t, nil)
	w.participant("Ada Ngata", client.SelfManaged, "431234567", 3)
	ben := w.participant("Ben Ruiz", client.SelfManaged, "431234568", 4)
	cy := w.participant("Cy Tran", client.SelfManaged, "431234569", 5)
	rn := w.start(false, ben, cy)
	w.drain()
	if got := w.view(rn.ID).Excluded; !slices.Equal(got, []string{ben, cy}) {
		t.Fatalf("excluded at start %v", got)
	}

	if err := w.runs.Requeue(ctx, w.admin, rn.ID, []string{cy}); err != nil {
		t.Fatal(err)
	}
	w.drain()
	v := w.view(rn.ID)
	if !slices.Equal(v.Excluded, []string{ben}) || v.Counts.Total != 2 || v.Counts.Invoiced != 2 {
		t.Fatalf("after requeueing %s: excluded %v, counts %+v", cy, v.Excluded, v.Counts)
	}
	if err := w.runs.Requeue(ctx, w.admin, rn.ID, []string{ben}); err != nil {
		t.Fatal(err)
	}
	w.drain()
	v = w.view(rn.ID)
	if len(v.Excluded) != 0 || v.Counts.Total != 3 || v.Counts.Invoiced != 3 {
		t.Fatalf("after requeueing %s: excluded %v, counts %+v", ben, v.Excluded, v.Counts)
	}
	// Adding again is refused and changes nothing.
	if err := w.runs.Requeue(ctx, w.admin, rn.ID, []string{ben}); !errors.Is(err, run.ErrAlreadyOnRun) {
		t.Fatalf("second requeue of %s: %v", ben, err)
	}
	if v := w.view(rn.ID); len(v.Excluded) != 0 || v.Counts.Total != 3 {
		t.Fatalf("after the refused requeue: excluded %v, counts %+v", v.Excluded, v.Counts)
	}
}
