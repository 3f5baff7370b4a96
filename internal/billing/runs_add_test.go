package billing_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/run"
)

// A participant left out of a run, or whose work arrived after it, is
// billed by adding them to the same run: one invoice each, the run's
// counts right, and a client the run already invoiced is refused.
func TestALeftOutParticipantIsAddedToTheRunAndInvoicedOnce(t *testing.T) {
	t.Parallel()
	w := newRunWorld(t, nil)
	ada := w.participant("Ada Ngata", client.SelfManaged, "431234567", 3)
	ben := w.participant("Ben Ruiz", client.PlanManaged, "431234568", 4, 5)
	rn := w.start(false, ben)
	w.drain()
	if v := w.view(rn.ID); v.Status != run.Complete || v.Counts.Total != 1 || v.Counts.Invoiced != 1 {
		t.Fatalf("run leaving Ben out: %s %+v", v.Status, v.Counts)
	}
	_, err := w.runs.Start(ctx, w.admin, billing.StartRequest{PeriodStart: day("2026-11-01"), PeriodEnd: day("2026-11-30"), Exclude: []string{ada}})
	var taken *run.PeriodTakenError
	if !errors.As(err, &taken) || taken.RunID != rn.ID {
		t.Fatalf("a second run for the period: %v", err)
	}

	if err := w.runs.Requeue(ctx, w.admin, rn.ID, []string{ben}); err != nil {
		t.Fatalf("add Ben: %v", err)
	}
	// Added, Ben is off the excluded list: while the run works on him a
	// second add is a client not parked, once done one already on the run.
	if err := w.runs.Requeue(ctx, w.admin, rn.ID, []string{ben}); !errors.Is(err, run.ErrNotParked) {
		t.Fatalf("adding Ben twice: %v (want run.ErrNotParked)", err)
	}
	w.drain()
	v := w.view(rn.ID)
	if v.Status != run.Complete || v.Counts.Total != 2 || v.Counts.Invoiced != 2 || v.Counts.Empty != 0 || len(v.Excluded) != 0 {
		t.Fatalf("after adding Ben: %s %+v, excluded %v", v.Status, v.Counts, v.Excluded)
	}
	if err := w.runs.Requeue(ctx, w.admin, rn.ID, []string{ben}); !errors.Is(err, run.ErrAlreadyOnRun) {
		t.Fatalf("adding the invoiced Ben: %v (want run.ErrAlreadyOnRun)", err)
	}
	if err := w.runs.Requeue(ctx, w.admin, rn.ID, []string{ada}); !errors.Is(err, run.ErrAlreadyOnRun) {
		t.Fatalf("adding the invoiced Ada: %v (want run.ErrAlreadyOnRun)", err)
	}

	// Work that arrived after the run, for a participant it did not
	// invoice, joins the same run once the run is settled.
	cy := w.participant("Cy Lam", client.NDIAManaged, "431234569", 6)
	if err := w.runs.Requeue(ctx, w.admin, rn.ID, []string{cy}); err != nil {
		t.Fatalf("add Cy: %v", err)
	}
	w.drain()
	v = w.view(rn.ID)
	if v.Status != run.Complete || v.Counts.Total != 3 || v.Counts.Invoiced != 3 {
		t.Fatalf("after adding Cy: %s %+v", v.Status, v.Counts)
	}
	if got := w.numbers(); !slices.Equal(got, gapless(3)) {
		t.Fatalf("numbers %v: one invoice each", got)
	}
	for _, id := range []string{ada, ben, cy} {
		if err := w.runs.Requeue(ctx, w.admin, rn.ID, []string{id}); !errors.Is(err, run.ErrAlreadyOnRun) {
			t.Errorf("re-adding %s: %v", id, err)
		}
	}
	if got := w.numbers(); !slices.Equal(got, gapless(3)) {
		t.Fatalf("numbers after refused adds %v", got)
	}
}
