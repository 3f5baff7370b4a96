package billing_test

import (
	"testing"
	"time"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/session"
)

// TestTrial5AutoInvoicedNDISSessionIsGSTFree is new-user trial 5 item 5:
// with the org charging 10% GST and sessions invoiced and finalized when
// marked attended, an attended session for a support item is billed
// GST-free (as the invoice run bills it, ndis.LineTaxRate), is no "Tax
// invoice", and its total is exactly what the participant's budget counts
// as spent. A session with no support item keeps the org's GST.
func TestTrial5AutoInvoicedNDISSessionIsGSTFree(t *testing.T) {
	t.Parallel()
	w := newRunWorld(t, nil)
	dq, err := queue.NewDeliveries(w.sqs, w.dlvURL)
	if err != nil {
		t.Fatal(err)
	}
	sender, err := billing.NewSender(w.svc, w.store, dq)
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := billing.NewSessions(w.svc, w.store, sender)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.UpdateOrg(ctx, w.admin, func(s *org.Settings) error {
		s.AutoInvoice = org.AutoInvoice{Enabled: true, Mode: org.AutoFinalize}
		s.TaxRate = amt("10")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sam := w.participant("Sam Otto", client.SelfManaged, "431234568")
	attend := func(start string, sv session.Service) *billing.InvoiceView {
		t.Helper()
		at, err := time.ParseInLocation("2006-01-02 15:04", start, w.syd)
		if err != nil {
			t.Fatal(err)
		}
		s, err := sessions.BookSession(ctx, w.admin, session.Spec{ClientID: sam, Start: at, Minutes: 30, Service: sv})
		if err != nil {
			t.Fatal(err)
		}
		a, err := sessions.MarkAttendance(ctx, w.admin, s.ID, session.Attended, "", "https://billing.example.com")
		if err != nil {
			t.Fatal(err)
		}
		if a.Invoice == nil || a.Invoice.Status() != invoice.Open {
			t.Fatalf("attended session's invoice %+v", a.Invoice)
		}
		return a.Invoice
	}

	inv := attend("2026-11-10 10:00", session.Service{Description: "Coordination session", Rate: amt("100.14"), SupportItem: "07_002_0106_8_3"})
	tot := inv.Totals()
	if !tot.Subtotal.Equal(amt("50.07")) || !tot.Tax.IsZero() || !tot.Total.Equal(amt("50.07")) {
		t.Fatalf("NDIS session invoice subtotal %s tax %s total %s, want 50.07 GST-free", tot.Subtotal, tot.Tax, tot.Total)
	}
	if l := inv.Spec.Lines[0]; !l.TaxRate.IsZero() {
		t.Fatalf("NDIS session line tax rate %s, want 0", l.TaxRate)
	}
	if inv.Kind == "Tax invoice" {
		t.Fatalf("a GST-free NDIS invoice is titled %q", inv.Kind)
	}
	_, lines, err := w.runs.Budget(ctx, w.admin, sam)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 || !lines[0].Spent.Equal(tot.Total) {
		t.Fatalf("budget %+v: spent must equal the invoice total %s", lines, tot.Total)
	}

	private := attend("2026-11-11 10:00", session.Service{Description: "Private consult", Rate: amt("100.14")})
	if pt := private.Totals(); !pt.Tax.Equal(amt("5.01")) || !pt.Total.Equal(amt("55.08")) {
		t.Fatalf("session without a support item: tax %s total %s, want 5.01 and 55.08", pt.Tax, pt.Total)
	}
}
