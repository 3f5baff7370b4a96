package billing_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/statement"
)

// Each close leaves the client's ledger folded as at the cycle's end, and
// the next close starts from it; what it states must be exactly what a
// read of the whole ledger states, through a reopened cycle, a backdated
// payment into it, an invoice dated after the close that wrote the
// snapshot, and a month with no movement.
func TestCloseFromSnapshotEqualsWholeLedger(t *testing.T) {
	w := newWorld(t, time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC), nil)
	w.at("2026-08-25 10:00")
	ana := w.client("Ana Silva")
	w.invoice(ana, "100.00")
	w.at("2026-09-01 00:05")
	if _, err := w.cycles.CloseDue(ctx); err != nil { // August: the first snapshot
		t.Fatal(err)
	}
	w.at("2026-09-10 10:00")
	w.invoice(ana, "200.00")
	if err := w.pay(ana, "30.00", "2026-09-10"); err != nil {
		t.Fatal(err)
	}
	w.at("2026-10-01 00:05")
	if _, err := w.cycles.CloseDue(ctx); err != nil { // September, from August's snapshot
		t.Fatal(err)
	}
	// September's statement is deleted, a payment backdated into it, and
	// it is regenerated; October gets an invoice and the client pays part.
	listed, _, err := w.statements.List(ctx, w.admin, ana, "", 10, "")
	if err != nil || len(listed) != 2 {
		t.Fatalf("%d statements after September, %v", len(listed), err)
	}
	sep := listed[0]
	if err := w.statements.Delete(ctx, w.admin, sep.ID); err != nil {
		t.Fatal(err)
	}
	w.at("2026-10-05 10:00")
	if err := w.pay(ana, "20.00", "2026-09-28"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.statements.Regenerate(ctx, w.admin, sep.CycleID); err != nil {
		t.Fatal(err)
	}
	w.at("2026-10-20 10:00")
	w.invoice(ana, "50.00")
	if err := w.pay(ana, "75.00", "2026-10-20"); err != nil {
		t.Fatal(err)
	}
	// Finalized in October, dated in November: October's snapshot holds it back.
	v, err := w.svc.CreateInvoice(ctx, w.admin, billing.DraftInput{ClientID: ana, Name: "Services", IssueDate: day("2026-11-03"), Lines: []billing.LineInput{
		{Line: invoice.Line{Type: invoice.Fixed, Description: "Support", Price: amt("40.00")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.FinalizeInvoice(ctx, w.admin, v.Invoice.ID); err != nil {
		t.Fatal(err)
	}
	for _, close := range []string{"2026-11-01 00:05", "2026-12-01 00:05", "2027-01-01 00:05"} { // October, November, then December with no movement
		w.at(close)
		if _, err := w.cycles.CloseDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	sts, _, err := w.statements.List(ctx, w.admin, ana, "", 10, "")
	if err != nil || len(sts) != 5 {
		t.Fatalf("%d statements, %v", len(sts), err)
	}
	dec, nov, oct, sepAgain := sts[0], sts[1], sts[2], sts[3]
	eq(t, "September's closing after the backdated payment", sepAgain.Closing, "250.00")
	eq(t, "October's opening", oct.Opening, "250.00")
	eq(t, "October's closing", oct.Closing, "225.00")
	eq(t, "November's opening", nov.Opening, "225.00")
	eq(t, "November's closing", nov.Closing, "265.00")
	eq(t, "December's closing", dec.Closing, "265.00")
	if len(nov.Lines) != 1 || nov.Lines[0].Date != day("2026-11-03") || len(dec.Lines) != 0 || len(dec.Open) != 3 {
		t.Fatalf("November's lines %+v, December's %+v and open %+v", nov.Lines, dec.Lines, dec.Open)
	}

	// The same statements from the whole ledger, with the snapshot gone.
	c, err := w.store.GetClient(ctx, w.org.ID, ana)
	if err != nil {
		t.Fatal(err)
	}
	// January so far, on demand: from December's snapshot.
	w.at("2027-01-10 10:00")
	jan, err := w.statements.OnDemand(ctx, w.admin, ana, statement.Activity, day("2027-01-01"), day("2027-01-10"))
	if err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(w.aws)
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &[]string{w.env("TABLE_NAME")}[0], Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "ORG#" + w.org.ID}, "SK": &types.AttributeValueMemberS{Value: "LEDGERSNAP#" + c.ID},
	}}); err != nil {
		t.Fatal(err)
	}
	opts := cmp.Options{
		cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
		cmp.Comparer(func(a, b calendar.Date) bool { return a == b }),
		cmp.Comparer(func(a, b money.Currency) bool { return a.Code() == b.Code() }),
		cmp.Comparer(func(a, b time.Time) bool { return true }), // CreatedAt: when each was built
	}
	whole, err := w.statements.OnDemand(ctx, w.admin, ana, statement.Activity, day("2027-01-01"), day("2027-01-10"))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(whole, jan, opts); d != "" {
		t.Errorf("January from the snapshot differs from the whole ledger (-whole +snapshot):\n%s", d)
	}
	for _, st := range []*statement.Statement{oct, nov, dec} {
		whole, err := w.statements.OnDemand(ctx, w.admin, ana, statement.Activity, st.From, st.To)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(whole.Open, st.Open, opts); d != "" || !whole.Closing.Equal(st.Closing) || !whole.Opening.Equal(st.Opening) {
			t.Errorf("the close's statement to %s differs from the whole ledger:\n%s", st.To, d)
		}
	}
}
