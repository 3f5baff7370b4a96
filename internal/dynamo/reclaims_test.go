package dynamo_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/run"
)

// Two runs started at once both find a queued re-claim; exactly one
// takes it into its file, and the record is no longer queued. A line
// not rejected on its run cannot be queued, and a stale version loses.
func TestReclaimIsTakenByOneRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.org(t)
	now := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)
	for _, id := range []string{"run_first", "run_a", "run_b"} {
		d := map[string]string{"run_first": "2026-11-01", "run_a": "2026-12-01", "run_b": "2026-12-02"}[id]
		if err := f.store.CreateRun(ctx, &run.Run{ID: id, OrgID: o.ID, PeriodStart: calendar.MustParse(d), PeriodEnd: calendar.MustParse(d), CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	rc := &run.Reclaim{Root: "INV-00001-01", Attempt: 1, FromRun: "run_first", FromRef: "INV-00001-01", ClientID: "cli_1", InvoiceID: "inv_1",
		Number: "INV-00001", Billed: decimal.RequireFromString("100.14"), State: run.ReclaimQueued, UpdatedAt: now,
		Claim: run.Claim{Ref: "INV-00001-01-R1", NDISNumber: "431234569", SupportItem: "07_002_0106_8_3", From: calendar.MustParse("2026-11-05"),
			To: calendar.MustParse("2026-11-05"), Minutes: 60, UnitPrice: decimal.RequireFromString("100.14"), Amount: decimal.RequireFromString("100.14"), GSTCode: run.GSTFree}}
	if err := f.store.QueueReclaim(ctx, o.ID, rc); !errors.Is(err, run.ErrNotRejected) {
		t.Fatalf("queue a line not on the fix list: %v", err)
	}
	if _, err := f.store.PutRunLine(ctx, o.ID, run.Line{RunID: "run_first", Ref: "INV-00001-01", State: run.LineRejected}, now); err != nil {
		t.Fatal(err)
	}
	if err := f.store.QueueReclaim(ctx, o.ID, rc); err != nil {
		t.Fatal(err)
	}
	stale := *rc
	stale.Version = 0
	if err := f.store.QueueReclaim(ctx, o.ID, &stale); !errors.Is(err, run.ErrReclaimTaken) {
		t.Fatalf("queue from a stale read: %v", err)
	}
	queued, err := f.store.QueuedReclaims(ctx, o.ID, 10)
	if err != nil || len(queued) != 1 || queued[0].Claim.Ref != "INV-00001-01-R1" || !queued[0].Claim.Amount.Equal(rc.Claim.Amount) {
		t.Fatalf("queued %+v %v", queued, err)
	}

	var wg sync.WaitGroup
	took := make([]bool, 2)
	errs := make([]error, 2)
	for i, id := range []string{"run_a", "run_b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			took[i], errs[i] = f.store.TakeReclaim(ctx, o.ID, id, false, queued[0], now)
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil || took[0] == took[1] {
		t.Fatalf("took %v, errors %v", took, errs)
	}
	winner := map[bool]string{true: "run_a", false: "run_b"}[took[0]]
	for _, id := range []string{"run_a", "run_b"} {
		rs, err := f.store.RunReclaims(ctx, o.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		r, err := f.store.GetRun(ctx, o.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 1, false: 0}[id == winner]; len(rs) != want || r.Counts.Reclaims != want {
			t.Errorf("%s carries %d re-claims (count %d), want %d", id, len(rs), r.Counts.Reclaims, want)
		}
	}
	if q, _ := f.store.QueuedReclaims(ctx, o.ID, 10); len(q) != 0 {
		t.Errorf("still queued: %+v", q)
	}
	got, err := f.store.GetReclaim(ctx, o.ID, "INV-00001-01")
	if err != nil || got.State != run.ReclaimClaimed || got.RunID != winner {
		t.Fatalf("record %+v %v", got, err)
	}
	// The NDIA's answer for another run's reference moves nothing.
	if err := f.store.SetReclaimState(ctx, o.ID, "INV-00001-01", "run_first", "INV-00001-01-R1", run.ReclaimPaid, now); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.store.GetReclaim(ctx, o.ID, "INV-00001-01"); got.State != run.ReclaimClaimed {
		t.Errorf("moved by another run's answer: %s", got.State)
	}
}
