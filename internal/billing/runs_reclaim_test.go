package billing_test

import (
	"encoding/csv"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/validation"
)

// fileRefs are the claim references of a run's NDIA bulk files (none for
// a run with no lines).
func (w *runWorld) fileRefs(runID string) []string {
	w.t.Helper()
	files, err := w.runs.BulkFiles(ctx, w.admin, runID)
	if err != nil {
		w.t.Fatal(err)
	}
	var refs []string
	for _, f := range files {
		recs, err := csv.NewReader(strings.NewReader(string(f.Data))).ReadAll()
		if err != nil {
			w.t.Fatal(err)
		}
		for _, rec := range recs[1:] {
			refs = append(refs, rec[5])
		}
	}
	return refs
}

func (w *runWorld) startPeriod(from, to string, dry bool) *run.Run {
	w.t.Helper()
	rn, err := w.runs.Start(ctx, w.admin, billing.StartRequest{PeriodStart: day(from), PeriodEnd: day(to), DryRun: dry})
	if err != nil {
		w.t.Fatal(err)
	}
	w.drain()
	return rn
}

func fixState(t *testing.T, fix []run.Line, ref string) (run.Line, bool) {
	t.Helper()
	for _, l := range fix {
		if l.Ref == ref {
			return l, true
		}
	}
	return run.Line{}, false
}

// TestRejectedLinesAreReclaimedOnceUnderNewReferences is item 7's last
// clause on moto: lines the NDIA rejects are fixed and queued from the fix
// list, the next run's file claims them under new references (never the
// rejected ones), a run started again or another run claims nothing
// twice, a re-claim rejected again goes round once more, and the
// remittance for the new references pays the original invoice, with no
// second invoice and no gap in the numbers.
func TestRejectedLinesAreReclaimedOnceUnderNewReferences(t *testing.T) {
	t.Parallel()
	w := newRunWorld(t, nil)
	w.participant("Ada Ngata", client.SelfManaged, "431234567", 3)
	cal := w.participant("Cal Osei", client.NDIAManaged, "431234569", 5, 12, 19)

	first := w.start(false)
	w.drain()
	refs := w.fileRefs(first.ID)
	if len(refs) != 3 {
		t.Fatalf("first file refs %v", refs)
	}
	okRef, itemRef, planRef := refs[0], refs[1], refs[2]
	invID := ""
	for _, c := range w.view(first.ID).Clients {
		if c.ClientID == cal {
			invID = c.InvoiceID
		}
	}
	results := "ClaimReference,Status,ErrorCode,ErrorMessage,PaidTotalAmount\n" + okRef + ",SUCCESSFUL,,,100.14\n" +
		itemRef + ",ERROR,C15,Provider not registered for the item,0\n" + planRef + ",ERROR,C22,No plan for the dates,0\n"
	if _, err := w.runs.ReconcileResults(ctx, w.admin, first.ID, results); err != nil {
		t.Fatal(err)
	}

	// What the fix list refuses: an accepted line, a line of another
	// run, a support item that is not one, a price with cents past two.
	reclaim := func(runID, ref string, fix run.Correction) ([]run.Line, error) {
		return w.runs.Reclaim(ctx, w.admin, runID, billing.ReclaimRequest{Ref: ref, Correction: fix})
	}
	if _, err := reclaim(first.ID, okRef, run.Correction{}); !errors.Is(err, run.ErrNotRejected) {
		t.Errorf("re-claim of an accepted line: %v", err)
	}
	if _, err := reclaim(first.ID, "INV-99999-01", run.Correction{}); !errors.Is(err, run.ErrNotRejected) {
		t.Errorf("re-claim of an unknown line: %v", err)
	}
	var ve *validation.Error
	if _, err := reclaim(first.ID, itemRef, run.Correction{SupportItem: "coordination"}); !errors.As(err, &ve) || ve.Field != "supportItem" {
		t.Errorf("re-claim with a bad support item: %v", err)
	}
	if _, err := reclaim(first.ID, itemRef, run.Correction{UnitPrice: amt("100.145")}); !errors.As(err, &ve) || ve.Field != "unitPrice" {
		t.Errorf("re-claim with a bad price: %v", err)
	}
	if fix, _ := w.runs.FixList(ctx, w.admin, first.ID); len(fix) != 2 || fix[0].Reclaim != nil || fix[1].Reclaim != nil {
		t.Fatalf("refused re-claims queued something: %+v", fix)
	}

	// The coordinator fixes the causes: the participant's NDIS number on
	// their record, the support item on the re-claim (asked twice: the
	// second replaces the first while queued).
	if _, err := w.svc.UpdateClient(ctx, w.admin, cal, func(p *client.Profile) error { p.Funding.NDISNumber = "431234570"; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := reclaim(first.ID, itemRef, run.Correction{SupportItem: "07_001_0106_8_3"}); err != nil {
		t.Fatal(err)
	}
	fix, err := reclaim(first.ID, itemRef, run.Correction{SupportItem: "07_004_0132_8_3"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reclaim(first.ID, planRef, run.Correction{}); err != nil {
		t.Fatal(err)
	}
	if l, _ := fixState(t, fix, itemRef); l.Reclaim == nil || l.Reclaim.State != run.ReclaimQueued || l.Reclaim.Claim.Ref != itemRef+"-R1" ||
		l.Reclaim.Claim.SupportItem != "07_004_0132_8_3" || l.Reclaim.Attempt != 1 {
		t.Fatalf("queued line %+v", l.Reclaim)
	}

	// The next period's dry run previews the re-claims; the real run
	// takes them into its file under new references.
	w.at("2026-12-08 09:00")
	dry := w.startPeriod("2026-12-01", "2026-12-07", true)
	dv := w.view(dry.ID)
	second := w.startPeriod("2026-12-01", "2026-12-07", false)
	sv := w.view(second.ID)
	claimsOf := func(rcs []*run.Reclaim) []run.Claim {
		var out []run.Claim
		for _, rc := range rcs {
			out = append(out, rc.Claim)
		}
		return out
	}
	if dry.Counts.Reclaims != 2 || second.Counts.Reclaims != 2 || !slices.EqualFunc(claimsOf(dv.Reclaims), claimsOf(sv.Reclaims), func(a, b run.Claim) bool {
		return a.Ref == b.Ref && a.SupportItem == b.SupportItem && a.NDISNumber == b.NDISNumber && a.Amount.Equal(b.Amount)
	}) {
		t.Fatalf("dry run re-claims %+v, real %+v", dv.Reclaims, sv.Reclaims)
	}
	got := w.fileRefs(second.ID)
	if !slices.Equal(got, []string{itemRef + "-R1", planRef + "-R1"}) || len(sv.Files) != 1 {
		t.Fatalf("second file refs %v (files %v)", got, sv.Files)
	}
	files, err := w.runs.BulkFiles(ctx, w.admin, second.ID)
	if err != nil {
		t.Fatal(err)
	}
	if data := string(files[0].Data); !strings.Contains(data, "431234570,2026/11/12,2026/11/12,07_004_0132_8_3,"+itemRef+"-R1,,0:50,100.14,P2") {
		t.Errorf("re-claim row:\n%s", data)
	}
	if fix, _ := w.runs.FixList(ctx, w.admin, first.ID); len(fix) != 2 || fix[0].Reclaim.State != run.ReclaimClaimed || fix[0].Reclaim.RunID != second.ID {
		t.Fatalf("first run's fix list after the second run: %+v", fix[0].Reclaim)
	}
	if _, err := reclaim(first.ID, itemRef, run.Correction{}); !errors.Is(err, run.ErrReclaimTaken) {
		t.Errorf("re-claim of a line a run took: %v", err)
	}

	// Started again, or another run: nothing is claimed twice.
	if _, err := w.runs.Start(ctx, w.admin, billing.StartRequest{PeriodStart: day("2026-12-01"), PeriodEnd: day("2026-12-07")}); !errors.Is(err, run.ErrPeriodTaken) {
		t.Fatalf("second start: %v", err)
	}
	other := w.startPeriod("2026-12-08", "2026-12-08", false)
	if other.Counts.Reclaims != 0 || len(w.fileRefs(other.ID)) != 0 {
		t.Fatalf("another run re-claimed %d lines", other.Counts.Reclaims)
	}

	// The NDIA accepts one re-claim and rejects the other again: it goes
	// round once more, as attempt 2, from the second run's fix list.
	results = "ClaimReference,Status,ErrorCode,ErrorMessage,PaidTotalAmount\n" + itemRef + "-R1,SUCCESSFUL,,,83.45\n" +
		planRef + "-R1,ERROR,C22,No plan for the dates,0\n"
	for range 2 {
		if _, err := w.runs.ReconcileResults(ctx, w.admin, second.ID, results); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := reclaim(first.ID, planRef, run.Correction{}); !errors.Is(err, run.ErrReclaimTaken) {
		t.Errorf("re-claim from the first rejection after a later one: %v", err)
	}
	if _, err := reclaim(second.ID, planRef+"-R1", run.Correction{}); err != nil {
		t.Fatal(err)
	}
	w.at("2026-12-15 09:00")
	third := w.startPeriod("2026-12-09", "2026-12-14", false)
	if got := w.fileRefs(third.ID); !slices.Equal(got, []string{planRef + "-R2"}) {
		t.Fatalf("third file refs %v", got)
	}

	// The remittances pay the original invoice, once each.
	remit := func(runID string, rows ...string) billing.Reconciliation {
		rec, err := w.runs.ReconcileRemittance(ctx, w.admin, runID, "ProvClaimRef,AmountClaimed,AmountPaid,BulkClmId\n"+strings.Join(rows, "\n")+"\n")
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	remit(first.ID, okRef+",100.14,100.14,F1")
	for i := range 2 {
		if rec := remit(second.ID, itemRef+"-R1,83.45,83.45,F2"); len(rec.Payments) != 1-i || len(rec.Unmatched) != 0 {
			t.Fatalf("second run's remittance %d: %+v", i+1, rec)
		}
	}
	remit(third.ID, planRef+"-R2,100.14,100.14,F3")
	inv, err := w.store.GetInvoice(ctx, w.org.ID, invID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Status() != invoice.Paid || !inv.Balance().IsZero() {
		t.Errorf("invoice after the re-claims' remittances: %s, balance %s", inv.Status(), inv.Balance())
	}
	if got := w.numbers(); !slices.Equal(got, gapless(2)) {
		t.Errorf("numbers %v: a re-claim made an invoice", got)
	}
	fix, err = w.runs.FixList(ctx, w.admin, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range fix {
		if l.Reclaim == nil || l.Reclaim.State != run.ReclaimPaid {
			t.Errorf("first run's fix line %s: %+v", l.Ref, l.Reclaim)
		}
	}

	// No reference was ever emitted twice across the runs' files.
	seen := map[string]bool{}
	for _, id := range []string{first.ID, second.ID, other.ID, third.ID} {
		for _, ref := range w.fileRefs(id) {
			if seen[ref] {
				t.Errorf("claim reference %s emitted twice", ref)
			}
			seen[ref] = true
		}
	}
}
