package billing_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/session"
)

// TestRunsBillAttendedSessionsOnce is issue 13's sessions in runs on
// moto: a participant's attended sessions not billed by the org's own
// session invoicing go on the run invoice beside their tasks, once (the
// dry run previews the same lines); a session its own invoicing billed,
// one merely scheduled, one outside the period are left alone; a second
// run bills none again; a session billed by a run refuses to be
// un-attended (voiding would take back the whole invoice); and the NDIA
// file claims an hourly session in hours and a priced one as quantity 1.
func TestRunsBillAttendedSessionsOnce(t *testing.T) {
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
	ada := w.participant("Ada Ngata", client.SelfManaged, "431234567", 3)
	cal := w.participant("Cal Osei", client.NDIAManaged, "431234569") // sessions only
	syd, _ := time.LoadLocation("Australia/Sydney")
	book := func(clientID, start string, minutes int, sv session.Service) *session.Session {
		t.Helper()
		at, err := time.ParseInLocation("2006-01-02 15:04", start, syd)
		if err != nil {
			t.Fatal(err)
		}
		s, err := sessions.BookSession(ctx, w.admin, session.Spec{ClientID: clientID, Start: at, Minutes: minutes, Service: sv})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	attend := func(s *session.Session) {
		t.Helper()
		if _, err := sessions.MarkAttendance(ctx, w.admin, s.ID, session.Attended, "", "https://billing.example.com"); err != nil {
			t.Fatal(err)
		}
	}
	auto := func(on bool) {
		t.Helper()
		if _, err := w.svc.UpdateOrg(ctx, w.admin, func(s *org.Settings) error { s.AutoInvoice.Enabled = on; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	hourly := session.Service{Description: "Coordination session", Rate: amt("100.14"), SupportItem: "07_002_0106_8_3"}
	priced := session.Service{Description: "Plan review", Price: amt("150.00"), SupportItem: "07_002_0106_8_3"}

	// Billed by its own (auto) invoicing: never by a run.
	auto(true)
	own := book(ada, "2026-11-06 10:00", 60, hourly)
	attend(own)
	own, err = w.store.GetSession(ctx, w.org.ID, own.ID)
	if err != nil || own.InvoiceID == "" {
		t.Fatalf("auto-invoiced session %+v %v", own, err)
	}
	auto(false)
	adaSes := book(ada, "2026-11-10 09:30", 45, hourly)
	attend(adaSes)
	book(ada, "2026-11-12 09:30", 45, hourly) // scheduled: not billable
	late := book(ada, "2026-12-01 09:30", 45, hourly)
	attend(late) // after the period
	calHour := book(cal, "2026-11-04 14:00", 50, hourly)
	attend(calHour)
	calFixed := book(cal, "2026-11-18 14:00", 60, priced)
	attend(calFixed)

	dry := w.start(true)
	w.drain()
	preview := map[string]run.Preview{}
	for _, c := range w.view(dry.ID).Clients {
		preview[c.ClientID] = c.Preview
	}
	if len(preview[ada].Lines) != 2 || len(preview[cal].Lines) != 2 {
		t.Fatalf("dry run previews: Ada %d lines, Cal %d", len(preview[ada].Lines), len(preview[cal].Lines))
	}
	for _, id := range []string{adaSes.ID, calHour.ID} {
		if s, _ := w.store.GetSession(ctx, w.org.ID, id); s.InvoiceID != "" {
			t.Errorf("a dry run billed session %s", id)
		}
	}

	real := w.start(false)
	w.drain()
	rv := w.view(real.ID)
	invs := map[string]*invoice.Invoice{}
	for _, c := range rv.Clients {
		inv, err := w.store.GetInvoice(ctx, w.org.ID, c.InvoiceID)
		if err != nil {
			t.Fatal(err)
		}
		invs[c.ClientID] = inv
		p := preview[c.ClientID]
		if tot := inv.Totals(); !tot.Total.Equal(p.Total) || len(inv.Spec.Lines) != len(p.Lines) {
			t.Errorf("%s: invoice %s with %d lines, preview %s with %d", c.ClientName, tot.Total, len(inv.Spec.Lines), p.Total, len(p.Lines))
		}
		for i, l := range inv.Spec.Lines {
			if i < len(p.Lines) && (l.Description != p.Lines[i].Description || !l.Amount(inv.Spec.Currency).Equal(p.Lines[i].Amount) || l.PeriodStart != p.Lines[i].Date) {
				t.Errorf("%s line %d: %+v, preview %+v", c.ClientName, i, l, p.Lines[i])
			}
		}
	}
	// Ada: her task on the 3rd (60 min) and the session on the 10th (45
	// min), in date order: 100.14 + 75.11.
	if inv := invs[ada]; inv == nil || !inv.Totals().Total.Equal(amt("175.25")) || !strings.HasPrefix(inv.Spec.Lines[1].Description, "Coordination session, Tue 10 Nov 2026 09:30 (45 min)") {
		t.Fatalf("Ada's run invoice %+v", inv)
	}
	// Cal: 50 min at 100.14 (83.45) and a 150.00 session.
	if inv := invs[cal]; inv == nil || !inv.Totals().Total.Equal(amt("233.45")) {
		t.Fatalf("Cal's run invoice %+v", inv)
	}
	for id, want := range map[string]string{adaSes.ID: invs[ada].ID, calHour.ID: invs[cal].ID, calFixed.ID: invs[cal].ID, own.ID: own.InvoiceID, late.ID: ""} {
		s, err := w.store.GetSession(ctx, w.org.ID, id)
		if err != nil || s.InvoiceID != want {
			t.Errorf("session %s billed on %q, want %q (%v)", id, s.InvoiceID, want, err)
		}
	}
	refs := w.fileRefs(real.ID)
	files, err := w.runs.BulkFiles(ctx, w.admin, real.ID)
	if err != nil || len(refs) != 2 {
		t.Fatalf("bulk file refs %v %v", refs, err)
	}
	data := string(files[0].Data)
	if !strings.Contains(data, ",2026/11/04,2026/11/04,07_002_0106_8_3,"+refs[0]+",,0:50,100.14,P2,") ||
		!strings.Contains(data, ",2026/11/18,2026/11/18,07_002_0106_8_3,"+refs[1]+",1,,150.00,P2,") {
		t.Errorf("bulk file:\n%s", data)
	}

	// Un-attending a session a run billed is refused; nothing changes.
	if _, err := sessions.MarkAttendance(ctx, w.admin, calHour.ID, session.NoShow, "", ""); !errors.Is(err, session.ErrBilledByRun) {
		t.Errorf("un-attending a run-billed session: %v", err)
	}
	if inv, _ := w.store.GetInvoice(ctx, w.org.ID, invs[cal].ID); inv.Status() != invoice.Open {
		t.Errorf("the run invoice is %s", inv.Status())
	}

	// Another run over the period bills nothing again.
	again, err := w.runs.Start(ctx, w.admin, billing.StartRequest{PeriodStart: day("2026-11-02"), PeriodEnd: day("2026-11-30")})
	if err != nil || again.Counts.Total != 0 {
		t.Fatalf("second run %+v %v", again, err)
	}
	if got := w.numbers(); !slices.Equal(got, gapless(3)) {
		t.Errorf("numbers %v (the auto-invoiced session's and two run invoices)", got)
	}
}
