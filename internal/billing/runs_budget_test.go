package billing_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/session"
)

// TestBudgetCountsSessionsOnce is issue 13's budget on moto with tasks
// and sessions: attended sessions not yet on an invoice are committed,
// sessions an invoice bills (the org's own session invoicing, or a run)
// are spent, and none is counted twice; scheduled and no-show sessions
// count nowhere; a credit note on the run invoice changes its balance,
// not the work billed; and a session in another support category opens
// that category's line.
func TestBudgetCountsSessionsOnce(t *testing.T) {
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
	// Tasks on the 3rd (60 min) and 5th (50 min) at 100.14: 100.14 + 83.45.
	ada := w.participant("Ada Ngata", client.NDIAManaged, "431234567", 3, 5)
	book := func(start string, minutes int, sv session.Service, a session.Attendance) *session.Session {
		t.Helper()
		at, err := time.ParseInLocation("2006-01-02 15:04", start, w.syd)
		if err != nil {
			t.Fatal(err)
		}
		s, err := sessions.BookSession(ctx, w.admin, session.Spec{ClientID: ada, Start: at, Minutes: minutes, Service: sv})
		if err != nil {
			t.Fatal(err)
		}
		if a != session.Scheduled {
			if _, err := sessions.MarkAttendance(ctx, w.admin, s.ID, a, "", "https://billing.example.com"); err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	auto := func(on bool) {
		t.Helper()
		if _, err := w.svc.UpdateOrg(ctx, w.admin, func(s *org.Settings) error { s.AutoInvoice.Enabled = on; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	hourly := session.Service{Description: "Coordination session", Rate: amt("100.14"), SupportItem: "07_002_0106_8_3"}
	priced := session.Service{Description: "Plan review", Price: amt("150.00"), SupportItem: "07_002_0106_8_3"}
	capacity := session.Service{Description: "Capacity building", Price: amt("60.00"), SupportItem: "15_056_0128_1_3"}

	auto(true)
	own := book("2026-11-06 10:00", 60, hourly, session.Attended) // its own invoice: 100.14 spent
	auto(false)
	book("2026-11-10 09:30", 45, hourly, session.Attended)   // 75.11, billed by the run
	book("2026-11-12 09:30", 45, hourly, session.Scheduled)  // nowhere
	book("2026-11-13 09:30", 45, hourly, session.NoShow)     // nowhere
	book("2026-12-02 09:30", 60, priced, session.Attended)   // after the run's period: committed
	book("2026-11-20 11:00", 30, capacity, session.Attended) // category 15: 60.00
	if s, _ := w.store.GetSession(ctx, w.org.ID, own.ID); s.InvoiceID == "" {
		t.Fatal("the auto-invoiced session has no invoice")
	}

	budget := func() []billing.BudgetLine {
		t.Helper()
		_, lines, err := w.runs.Budget(ctx, w.admin, ada)
		if err != nil {
			t.Fatal(err)
		}
		return lines
	}
	line := func(cat, budget, spent, committed, remaining string) billing.BudgetLine {
		return billing.BudgetLine{Category: cat, Budget: amt(budget), Spent: amt(spent), Committed: amt(committed), Remaining: amt(remaining)}
	}
	eq := cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })
	// Before the run: 100.14 spent; 183.59 of tasks + 75.11 + 150.00 committed.
	want := []billing.BudgetLine{line("07", "9000", "100.14", "408.70", "8491.16"), line("15", "0", "0", "60.00", "-60.00")}
	if got := budget(); !cmp.Equal(got, want, eq) {
		t.Fatalf("budget before the run:\n%s", cmp.Diff(want, got, eq))
	}

	rn := w.start(false)
	w.drain()
	v := w.view(rn.ID)
	if len(v.Clients) != 1 || v.Clients[0].InvoiceID == "" {
		t.Fatalf("run clients %+v", v.Clients)
	}
	// The run billed both tasks, the 10th's and the 20th's sessions.
	want = []billing.BudgetLine{line("07", "9000", "358.84", "150.00", "8491.16"), line("15", "0", "60.00", "0", "-60.00")}
	if got := budget(); !cmp.Equal(got, want, eq) {
		t.Fatalf("budget after the run:\n%s", cmp.Diff(want, got, eq))
	}
	if _, err := w.svc.IssueCreditNote(ctx, w.admin, v.Clients[0].InvoiceID, amt("10.00"), "goodwill", credit.ToClientCredit); err != nil {
		t.Fatal(err)
	}
	if got := budget(); !cmp.Equal(got, want, eq) {
		t.Fatalf("budget after a credit note:\n%s", cmp.Diff(want, got, eq))
	}
}

// TestBudgetOfAddsUp is a property of BudgetOf over any mix of tasks and
// sessions: per category Budget = Spent + Committed + Remaining; what is
// spent and committed together is every countable item inside the plan
// exactly once; spent is exactly the invoiced ones.
func TestBudgetOfAddsUp(t *testing.T) {
	t.Parallel()
	cur := money.MustCurrency("AUD")
	plan := ndis.Plan{Start: day("2026-07-01"), End: day("2027-06-30")}
	cats := []string{"01", "07", "15"}
	rapid.Check(t, func(rt *rapid.T) {
		p := plan
		p.Budgets = map[string]decimal.Decimal{}
		for _, c := range cats {
			if rapid.Bool().Draw(rt, "has budget "+c) {
				p.Budgets[c] = decimal.New(rapid.Int64Range(0, 2_000_000).Draw(rt, "budget "+c), -2)
			}
		}
		wantSpent, wantCommitted := map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
		count := func(cat string, amount decimal.Decimal, invoiced bool) {
			if invoiced {
				wantSpent[cat] = wantSpent[cat].Add(amount)
			} else {
				wantCommitted[cat] = wantCommitted[cat].Add(amount)
			}
		}
		item := func(label string) (string, string) {
			cat := rapid.SampledFrom(append(cats, "")).Draw(rt, label)
			if cat == "" {
				return "", ""
			}
			return cat, cat + "_002_0106_8_3"
		}
		var tasks []ndis.Task
		for i := range rapid.IntRange(0, 8).Draw(rt, "tasks") {
			cat, si := item("task item")
			d := day("2026-06-20").AddDays(rapid.IntRange(0, 400).Draw(rt, "task day"))
			tk := ndis.Task{SupportItem: si, Date: d, Minutes: rapid.IntRange(1, 600).Draw(rt, "minutes"), Rate: decimal.New(rapid.Int64Range(0, 30000).Draw(rt, "rate"), -2)}
			if rapid.Bool().Draw(rt, "task invoiced") {
				tk.InvoiceID = "inv_" + string(rune('a'+i))
			}
			if cat != "" && !d.Before(p.Start) && !d.After(p.End) {
				count(cat, tk.Amount(cur), tk.InvoiceID != "")
			}
			tasks = append(tasks, tk)
		}
		var ses []*session.Session
		for range rapid.IntRange(0, 8).Draw(rt, "sessions") {
			cat, si := item("session item")
			start := day("2026-06-20").AddDays(rapid.IntRange(0, 400).Draw(rt, "session day")).Start(time.UTC).Add(time.Duration(rapid.IntRange(0, 23).Draw(rt, "hour")) * time.Hour)
			sv := session.Service{Description: "Session", SupportItem: si}
			if rapid.Bool().Draw(rt, "priced") {
				sv.Price = decimal.New(rapid.Int64Range(1, 50000).Draw(rt, "price"), -2)
			} else {
				sv.Rate = decimal.New(rapid.Int64Range(1, 30000).Draw(rt, "session rate"), -2)
			}
			s := &session.Session{Spec: session.Spec{Start: start, Minutes: rapid.IntRange(1, 600).Draw(rt, "session minutes"), Service: sv},
				Attendance: rapid.SampledFrom([]session.Attendance{session.Scheduled, session.Attended, session.Cancelled, session.NoShow}).Draw(rt, "attendance")}
			if s.Attendance == session.Cancelled {
				s.CancellationReason = rapid.SampledFrom([]string{"", "NSDH", "NSDO"}).Draw(rt, "reason")
			}
			// Attended, or cancelled at short notice (an NDIS reason on a
			// support item): claimable at 100% of the agreed price.
			counts := s.Attendance == session.Attended || s.Attendance == session.Cancelled && s.CancellationReason != "" && si != ""
			if counts && rapid.Bool().Draw(rt, "session invoiced") {
				s.InvoiceID, s.InvoiceMode = "inv_s", rapid.SampledFrom([]string{"finalize", "draft", "run"}).Draw(rt, "mode")
			}
			d := calendar.Today(start, time.UTC)
			if cat != "" && counts && !d.Before(p.Start) && !d.After(p.End) {
				count(cat, s.Line(cur, time.UTC).Amount(cur), s.InvoiceID != "")
			}
			ses = append(ses, s)
		}
		lines := billing.BudgetOf(p, cur, time.UTC, tasks, ses)
		seen := map[string]bool{}
		for i, l := range lines {
			if i > 0 && lines[i-1].Category >= l.Category {
				rt.Fatalf("lines not sorted by category: %v", lines)
			}
			seen[l.Category] = true
			if !l.Spent.Add(l.Committed).Add(l.Remaining).Equal(l.Budget) {
				rt.Fatalf("category %s: spent %s + committed %s + remaining %s ≠ budget %s", l.Category, l.Spent, l.Committed, l.Remaining, l.Budget)
			}
			if !l.Budget.Equal(p.Budgets[l.Category]) || !l.Spent.Equal(wantSpent[l.Category]) || !l.Committed.Equal(wantCommitted[l.Category]) {
				rt.Fatalf("category %s: %+v, want budget %s spent %s committed %s", l.Category, l, p.Budgets[l.Category], wantSpent[l.Category], wantCommitted[l.Category])
			}
		}
		for c := range p.Budgets {
			if !seen[c] {
				rt.Fatalf("budgeted category %s has no line", c)
			}
		}
		for c := range wantSpent {
			if !seen[c] {
				rt.Fatalf("category %s with spent work has no line", c)
			}
		}
		for c := range wantCommitted {
			if !seen[c] {
				rt.Fatalf("category %s with committed work has no line", c)
			}
		}
	})
}
