package billing_test

import (
	"testing"

	"github.com/carebill/carebill/internal/client"
)

// The shortfall credit note names only the lines the NDIA paid less on.
func TestShortfallNoteNamesOnlyTheCappedLines(t *testing.T) {
	t.Parallel()
	w := newRunWorld(t, nil)
	w.participant("Nia Cole", client.NDIAManaged, "431234567", 3, 4, 5)
	rn := w.start(false)
	w.drain()
	refs := w.fileRefs(rn.ID)
	if len(refs) != 3 {
		t.Fatalf("file refs %v", refs)
	}
	if _, err := w.runs.ReconcileResults(ctx, w.admin, rn.ID, "ClaimReference,Status,ErrorCode,ErrorMessage,PaidTotalAmount\n"+
		refs[0]+",SUCCESSFUL,,,100.14\n"+refs[1]+",SUCCESSFUL,,,83.45\n"+refs[2]+",SUCCESSFUL,,,95.00\n"); err != nil {
		t.Fatal(err)
	}
	rec, err := w.runs.ReconcileRemittance(ctx, w.admin, rn.ID, "ProvClaimRef,AmountClaimed,AmountPaid,BulkClmId\n"+
		refs[0]+",100.14,100.14,B1\n"+refs[1]+",83.45,83.45,B1\n"+refs[2]+",100.14,95.00,B1\n")
	if err != nil || len(rec.Shortfall) != 1 {
		t.Fatalf("remittance: %+v %v", rec, err)
	}
	note, err := w.store.CreditNote(ctx, w.org.ID, rec.Shortfall[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := "NDIA capped price on " + refs[2]; note.Reason != want || !note.Amount.Equal(amt("5.14")) {
		t.Errorf("note reason %q amount %s, want %q 5.14", note.Reason, note.Amount, want)
	}
}
