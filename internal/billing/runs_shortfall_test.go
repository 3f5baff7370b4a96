package billing_test

import (
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/run"
)

// TestReclaimAtALowerPriceEndsPaidOnceWithItsShortfall is the trial's
// 500 on moto: a line rejected for its price (C17) is re-claimed at a
// lower unit price, the next run's file carries it, and the remittance
// paying the lower amount, uploaded twice, records one payment and one
// shortfall credit note for the difference against what the invoice
// billed, leaves the invoice paid and the re-claim paid.
func TestReclaimAtALowerPriceEndsPaidOnceWithItsShortfall(t *testing.T) {
	t.Parallel()
	w := newRunWorld(t, nil)
	cal := w.participant("Cal Osei", client.NDIAManaged, "431234569", 5)

	first := w.start(false)
	w.drain()
	refs := w.fileRefs(first.ID)
	if len(refs) != 1 {
		t.Fatalf("first file refs %v", refs)
	}
	ref := refs[0]
	invID := ""
	for _, c := range w.view(first.ID).Clients {
		if c.ClientID == cal {
			invID = c.InvoiceID
		}
	}
	if _, err := w.runs.ReconcileResults(ctx, w.admin, first.ID,
		"ClaimReference,Status,ErrorCode,ErrorMessage,PaidTotalAmount\n"+ref+",ERROR,C17,Unit price not valid,0\n"); err != nil {
		t.Fatal(err)
	}
	fix, err := w.runs.Reclaim(ctx, w.admin, first.ID, billing.ReclaimRequest{Ref: ref, Correction: run.Correction{UnitPrice: amt("98.53")}})
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := fixState(t, fix, ref); l.Reclaim == nil || !l.Reclaim.Claim.Amount.Equal(amt("98.53")) || !l.Reclaim.Billed.Equal(amt("100.14")) {
		t.Fatalf("queued re-claim %+v", l.Reclaim)
	}

	w.at("2026-12-08 09:00")
	second := w.startPeriod("2026-12-01", "2026-12-07", false)
	if got := w.fileRefs(second.ID); len(got) != 1 || got[0] != ref+"-R1" {
		t.Fatalf("second file refs %v", got)
	}
	if _, err := w.runs.ReconcileResults(ctx, w.admin, second.ID,
		"ClaimReference,Status,ErrorCode,ErrorMessage,PaidTotalAmount\n"+ref+"-R1,SUCCESSFUL,,,98.53\n"); err != nil {
		t.Fatal(err)
	}

	remittance := "ProvClaimRef,AmountClaimed,AmountPaid,BulkClmId\n" + ref + "-R1,98.53,98.53,F2\n"
	var payments, notes []string
	for i := range 2 {
		rec, err := w.runs.ReconcileRemittance(ctx, w.admin, second.ID, remittance)
		if err != nil {
			t.Fatalf("remittance upload %d: %v", i+1, err)
		}
		if len(rec.Unmatched) != 0 || rec.Matched != 1 {
			t.Fatalf("remittance upload %d: %+v", i+1, rec)
		}
		if i == 1 && (rec.AlreadyPaid != 1 || rec.Paid != 0) {
			t.Errorf("re-upload: %d already paid, %d paid (want 1 already applied, 0 newly paid)", rec.AlreadyPaid, rec.Paid)
		}
		payments, notes = append(payments, rec.Payments...), append(notes, rec.Shortfall...)
	}
	// The same lines uploaded on the run that rejected them match nothing
	// there, and say which run carried them.
	if rec, err := w.runs.ReconcileRemittance(ctx, w.admin, first.ID, remittance); err != nil || len(rec.Unmatched) != 1 || rec.UnmatchedRuns[ref+"-R1"] != second.ID {
		t.Fatalf("remittance on the first run: %+v, %v", rec, err)
	}
	if len(payments) != 1 || len(notes) != 1 {
		t.Fatalf("two uploads recorded payments %v, shortfall credit notes %v", payments, notes)
	}
	note, err := w.store.CreditNote(ctx, w.org.ID, notes[0])
	if err != nil {
		t.Fatal(err)
	}
	if !note.Amount.Equal(amt("1.61")) || note.InvoiceID != invID || !strings.Contains(note.Reason, ref+"-R1") {
		t.Errorf("shortfall credit note %+v", note)
	}
	lines, err := w.store.RunLines(ctx, w.org.ID, second.ID)
	if err != nil || len(lines) != 1 || lines[0].State != run.LinePaid || !lines[0].Capped || !lines[0].Paid.Equal(amt("98.53")) {
		t.Errorf("second run's line after the remittance: %+v, %v", lines, err)
	}
	inv, err := w.store.GetInvoice(ctx, w.org.ID, invID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Status() != invoice.Paid || !inv.Balance().IsZero() {
		t.Errorf("invoice after the remittance: %s, balance %s", inv.Status(), inv.Balance())
	}
	fix, err = w.runs.FixList(ctx, w.admin, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := fixState(t, fix, ref); l.Reclaim == nil || l.Reclaim.State != run.ReclaimPaid {
		t.Errorf("re-claim after the remittance: %+v", l.Reclaim)
	}
}
