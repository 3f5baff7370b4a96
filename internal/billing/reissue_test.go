package billing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
)

// Void and re-issue: the correction is a draft linked both ways; under the
// same number it takes a revision suffix and the series stays gapless.
func TestReissue(t *testing.T) {
	w := newWorld(t, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), func(s *org.Settings) { s.ReissueSameNumber = true })
	w.at("2026-11-03 10:00")
	ana := w.client("Ana Silva")
	first := w.invoice(ana, "100.00")
	w.invoice(ana, "40.00")

	d, err := w.svc.ReissueInvoice(ctx, w.admin, first.ID, "wrong rate", true)
	if err != nil {
		t.Fatal(err)
	}
	if d.Invoice.Status() != invoice.Draft || d.Invoice.ReplacesID != first.ID || d.Invoice.Totals().Total.String() != "100" {
		t.Fatalf("draft %+v", d.Invoice)
	}
	again, err := w.svc.ReissueInvoice(ctx, w.admin, first.ID, "wrong rate", true)
	if err != nil || again.Invoice.ID != d.Invoice.ID {
		t.Fatalf("asking again made another draft: %v %v", again.Invoice.ID, err)
	}
	old, _ := w.svc.Invoice(ctx, w.admin, first.ID)
	if old.Invoice.Status() != invoice.Void || old.Invoice.ReplacedByID() != d.Invoice.ID {
		t.Fatalf("original %s replaced by %q", old.Invoice.Status(), old.Invoice.ReplacedByID())
	}
	r1, err := w.svc.FinalizeInvoice(ctx, w.admin, d.Invoice.ID)
	if err != nil || r1.Invoice.Number != "INV-00001-R1" {
		t.Fatalf("finalized re-issue %q %v", r1.Invoice.Number, err)
	}
	if next := w.invoice(ana, "10.00"); next.Number != "INV-00003" {
		t.Fatalf("next number %s: the re-issue used up or skipped one", next.Number)
	}
	d2, err := w.svc.ReissueInvoice(ctx, w.admin, r1.Invoice.ID, "again", true)
	if err != nil {
		t.Fatal(err)
	}
	if r2, err := w.svc.FinalizeInvoice(ctx, w.admin, d2.Invoice.ID); err != nil || r2.Invoice.Number != "INV-00001-R2" {
		t.Fatalf("second revision %q %v", r2.Invoice.Number, err)
	}
	// A re-issue under a new number takes the next in the series.
	third := w.invoice(ana, "5.00")
	d3, err := w.svc.ReissueInvoice(ctx, w.admin, third.ID, "duplicate", false)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := w.svc.FinalizeInvoice(ctx, w.admin, d3.Invoice.ID); r.Invoice.Number != "INV-00005" {
		t.Fatalf("new-number re-issue %q", r.Invoice.Number)
	}
	// Refused like a void while payments remain.
	paid := w.invoice(ana, "30.00")
	if err := w.pay(ana, "500.00", "2026-11-03"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.ReissueInvoice(ctx, w.admin, paid.ID, "x", false); !errors.Is(err, invoice.ErrHasPayments) {
		t.Fatalf("re-issue of a paid invoice: %v", err)
	}
}

func TestReissueSameNumberNeedsTheSetting(t *testing.T) {
	w := newWorld(t, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), nil)
	w.at("2026-11-03 10:00")
	inv := w.invoice(w.client("Ana Silva"), "100.00")
	if _, err := w.svc.ReissueInvoice(ctx, w.admin, inv.ID, "x", true); !errors.Is(err, billing.ErrSameNumberOff) {
		t.Fatalf("same number without the setting: %v", err)
	}
	if got, _ := w.svc.Invoice(ctx, w.admin, inv.ID); got.Invoice.Status() != invoice.Open {
		t.Fatalf("a refused re-issue changed the invoice: %s", got.Invoice.Status())
	}
}
