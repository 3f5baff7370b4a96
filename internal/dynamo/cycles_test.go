package dynamo_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/cycle"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/org"
)

// The scheduler finds due orgs through its index, two runs never close a
// cycle at once, a stopped run resumes from its cursor, and closing moves
// the org along the index to its next cycle.
func TestCycleCloseRecords(t *testing.T) {
	f := newFixture(t)
	created := time.Date(2026, 9, 10, 0, 0, 0, 0, time.UTC)
	o, err := org.New(id.New(id.Org, created), org.Defaults("Cycle Care"), created)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.CreateOrg(ctx, o); err != nil {
		t.Fatal(err)
	}
	sep := cycle.Period{Start: calendar.MustParse("2026-09-01"), End: calendar.MustParse("2026-09-30")}
	per, due := o.NextToClose()
	if per != sep || due.UTC().Format(time.RFC3339) != "2026-09-30T14:00:00Z" {
		t.Fatalf("next to close %v at %s", per, due)
	}
	// Not due a second before; due at the instant.
	if ids, _ := f.store.DueOrgs(ctx, due.Add(-time.Second), 100); slices.Contains(ids, o.ID) {
		t.Fatal("org due before its cycle ended")
	}
	ids, err := f.store.DueOrgs(ctx, due, 100)
	if err != nil || !slices.Contains(ids, o.ID) {
		t.Fatalf("due orgs %v %v", ids, err)
	}

	t0 := due.Add(time.Minute)
	run, err := f.store.ClaimCycle(ctx, o.ID, sep, "run-a", t0, t0.Add(time.Minute))
	if err != nil || run.Status != cycle.Closing || run.Cursor != "" {
		t.Fatalf("first claim %+v %v", run, err)
	}
	if _, err := f.store.ClaimCycle(ctx, o.ID, sep, "run-b", t0, t0.Add(time.Minute)); !errors.Is(err, cycle.ErrBusy) {
		t.Fatalf("second concurrent claim: %v", err)
	}
	if err := f.store.SaveCycleProgress(ctx, o.ID, sep.ID(), "run-a", "cursor-1", 3, 2, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// run-a dies; after its lease run-b takes over from the cursor.
	t1 := t0.Add(2 * time.Minute)
	run, err = f.store.ClaimCycle(ctx, o.ID, sep, "run-b", t1, t1.Add(time.Minute))
	if err != nil || run.Cursor != "cursor-1" || run.Statements != 3 || run.Skipped != 2 {
		t.Fatalf("takeover %+v %v", run, err)
	}
	if err := f.store.SaveCycleProgress(ctx, o.ID, sep.ID(), "run-a", "cursor-x", 1, 0, t1); !errors.Is(err, cycle.ErrBusy) {
		t.Fatalf("the dead run wrote progress: %v", err)
	}
	if err := f.store.FinishCycle(ctx, o.ID, sep, "run-a", t1); !errors.Is(err, cycle.ErrBusy) {
		t.Fatalf("the dead run finished the cycle: %v", err)
	}
	if err := f.store.FinishCycle(ctx, o.ID, sep, "run-b", t1); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.GetOrg(ctx, o.ID)
	if err != nil || got.ClosedThrough != sep.End {
		t.Fatalf("closed through %s %v", got.ClosedThrough, err)
	}
	if _, err := f.store.ClaimCycle(ctx, o.ID, sep, "run-c", t1.Add(time.Hour), t1.Add(2*time.Hour)); !errors.Is(err, cycle.ErrAlreadyClosed) {
		t.Fatalf("claim of a closed cycle: %v", err)
	}
	if ids, _ := f.store.DueOrgs(ctx, t1, 100); slices.Contains(ids, o.ID) {
		t.Fatal("org still due after closing")
	}
	next, nextDue := got.NextToClose()
	if next.Start != calendar.MustParse("2026-10-01") || nextDue.UTC().Format(time.RFC3339) != "2026-10-31T13:00:00Z" {
		t.Fatalf("next %v due %s", next, nextDue)
	}
	runs, err := f.store.ListCycleRuns(ctx, o.ID, 10)
	if err != nil || len(runs) != 1 || runs[0].Status != cycle.Closed || runs[0].Statements != 3 {
		t.Fatalf("runs %+v %v", runs, err)
	}
	// A date in the closed cycle is refused, with the cycle named.
	var closed *org.PeriodClosedError
	if err := got.CheckOpen(calendar.MustParse("2026-09-15"), nil); !errors.As(err, &closed) || closed.Cycle != sep {
		t.Fatalf("backdating: %v", err)
	}
	if err := got.CheckOpen(calendar.MustParse("2026-10-01"), nil); err != nil {
		t.Fatalf("open date refused: %v", err)
	}
	if err := got.CheckOpen(calendar.MustParse("2026-09-15"), func(c string) bool { return c == sep.ID() }); err != nil {
		t.Fatalf("reopened cycle refused: %v", err)
	}
}
