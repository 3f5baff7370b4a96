package dynamo_test

import (
	"errors"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/session"
)

// workWorld is one org's participants written through the store's own
// write paths, with what the test knows of them.
type workWorld struct {
	f        fixture
	orgID    string
	clients  []*client.Client
	tasks    map[string][]string // client → task ids
	sessions []*session.Session
}

var (
	aud   = money.MustCurrency("AUD")
	items = []string{"", "07_002_0106_8_3", "07_004_0132_8_3", "01_011_0107_1_1"}
	rates = []string{"0", "100.14", "150", "190.54"}
)

func drawDate(rt *rapid.T, label string) calendar.Date {
	base := calendar.MustParse("2025-07-01")
	return base.AddDays(rapid.IntRange(0, 700).Draw(rt, label))
}

// readItems is a participant's work read from the items themselves, as
// run start read it before the index.
func readItems(t *testing.T, s *dynamo.Store, orgID, clientID string) (run.Work, bool) {
	c, err := s.GetClient(ctx, orgID, clientID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Profile.Funding.Type == "" {
		return run.Work{}, false
	}
	w := run.Work{Client: c}
	if w.Plan, err = s.GetPlan(ctx, orgID, clientID); errors.Is(err, ndis.ErrPlanNotFound) {
		w.Plan = nil
	} else if err != nil {
		t.Fatal(err)
	}
	if err := s.ClientTasks(ctx, orgID, clientID, func(ts []ndis.Task) error { w.Tasks = append(w.Tasks, ts...); return nil }); err != nil {
		t.Fatal(err)
	}
	for cursor := ""; ; {
		page, next, err := s.ListSessions(ctx, orgID, clientID, time.Unix(0, 0), time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), 200, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, ses := range page {
			if run.BillableSession(ses) {
				w.Sessions = append(w.Sessions, ses)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return w, true
}

// outcome is what a run start learns of a participant: the draft's
// preview, or the alerts (with the task or session each is on).
func outcome(w run.Work, from, to, today calendar.Date) string {
	d, err := run.Build(run.Input{Currency: aud, Client: w.Client, Plan: w.Plan, Limits: ndis.DefaultPriceLimits(), Tasks: w.Tasks,
		Sessions: w.Sessions, Location: time.UTC, PeriodStart: from, PeriodEnd: to, Today: today})
	var ae *run.AlertsError
	switch {
	case errors.As(err, &ae):
		return fmt.Sprintf("alerts %+v", ae.Clients[0].Alerts)
	case err != nil:
		return "error " + err.Error()
	}
	return fmt.Sprintf("draft %+v", d.Preview)
}

// facts are the parts of a participant's work that alerts and invoices
// read (versions and balances aside).
func facts(w run.Work) string {
	pr := w.Client.Profile
	f := fmt.Sprintf("client %s %s %q currency %v\n", pr.Name, pr.Funding.Type, pr.Funding.NDISNumber, pr.Currency)
	if pm := pr.Funding.PlanManager; pm != nil {
		f += fmt.Sprintf("plan manager %+v\n", *pm)
	}
	if p := w.Plan; p != nil {
		f += fmt.Sprintf("plan %s..%s %s %v\n", p.Start, p.End, p.Remoteness, p.Budgets)
	}
	for _, t := range w.Tasks {
		f += fmt.Sprintf("task %s %s %s %d %s %s %s\n", t.ID, t.Date, t.SupportItem, t.Minutes, t.Rate, t.ClaimType, t.InvoiceID)
	}
	for _, s := range w.Sessions {
		f += fmt.Sprintf("session %s %s %d %+v %s\n", s.ID, s.Spec.Start.UTC().Format(time.RFC3339), s.Spec.Minutes, s.Spec.Service, s.Attendance)
	}
	return f
}

// TestNDISWorkIndexAgreesWithItems writes random clients, plans, tasks (created, edited, deleted),
// sessions and run claims through the store's write paths and checks
// that, for every participant, the NDIS work index holds the same facts
// as the items and so gives the same alerts and the same invoice for a
// random period judged on a random day.
//
// Each check costs some 100 moto requests, so it runs 15 checks unless
// the command line says (-rapid.checks=N runs more).
func TestNDISWorkIndexAgreesWithItems(t *testing.T) {
	if !commandLineSets("rapid.checks") {
		prev := flag.Lookup("rapid.checks").Value.String()
		_ = flag.Set("rapid.checks", "15")
		t.Cleanup(func() { _ = flag.Set("rapid.checks", prev) })
	}
	f := newFixture(t)
	rapid.Check(t, func(rt *rapid.T) {
		o := f.org(t)
		w := &workWorld{f: f, orgID: o.ID, tasks: map[string][]string{}}
		for i := range rapid.IntRange(1, 3).Draw(rt, "clients") {
			w.clients = append(w.clients, f.client(t, o.ID, fmt.Sprintf("Participant %d", i)))
		}
		for range rapid.IntRange(1, 14).Draw(rt, "writes") {
			w.write(t, rt)
		}
		got := map[string]run.Work{}
		ready, err := f.store.NDISWork(ctx, o.ID, func(wk run.Work) error {
			if _, dup := got[wk.Client.ID]; dup {
				t.Fatalf("client %s twice", wk.Client.ID)
			}
			got[wk.Client.ID] = wk
			return nil
		})
		if err != nil || !ready {
			t.Fatalf("NDISWork: ready %v, %v", ready, err)
		}
		from := drawDate(rt, "from")
		to := from.AddDays(rapid.IntRange(0, 365).Draw(rt, "days"))
		today := to.AddDays(rapid.IntRange(0, 800).Draw(rt, "todayAfter"))
		participants := 0
		for _, c := range w.clients {
			want, ok := readItems(t, f.store, o.ID, c.ID)
			idx, inIndex := got[c.ID]
			if ok != inIndex {
				t.Fatalf("client %s: participant %v, in the index %v", c.ID, ok, inIndex)
			}
			if !ok {
				continue
			}
			participants++
			if diff := cmp.Diff(facts(want), facts(idx)); diff != "" {
				t.Fatalf("client %s: index facts differ (-items +index):\n%s", c.ID, diff)
			}
			if a, b := outcome(want, from, to, today), outcome(idx, from, to, today); a != b {
				t.Fatalf("client %s, %s..%s judged %s:\nitems: %s\nindex: %s", c.ID, from, to, today, a, b)
			}
		}
		if len(got) != participants {
			t.Fatalf("index has %d participants, the items %d", len(got), participants)
		}
	})
}

// commandLineSets reports whether the command line set the flag.
func commandLineSets(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// write makes one random write through one of the store's write paths.
func (w *workWorld) write(t *testing.T, rt *rapid.T) {
	s := w.f.store
	c := rapid.SampledFrom(w.clients).Draw(rt, "client")
	kind := rapid.SampledFrom([]string{"funding", "plan", "task", "editTask", "deleteTask", "session", "attendance", "draft", "claim"}).Draw(rt, "write")
	switch kind {
	case "funding":
		ft := rapid.SampledFrom([]client.FundingType{"", client.SelfManaged, client.PlanManaged, client.NDIAManaged}).Draw(rt, "funding")
		num := rapid.SampledFrom([]string{"", "430000001"}).Draw(rt, "ndisNumber")
		if _, err := s.UpdateClient(ctx, w.orgID, c.ID, func(c *client.Client) ([]activity.Event, error) {
			c.Profile.Funding = client.Funding{Type: ft, NDISNumber: num}
			if ft == client.PlanManaged {
				c.Profile.Funding.PlanManager = &client.PlanManager{Name: "Plan Partners", Email: "invoices@planpartners.example.com"}
			}
			if ft == "" {
				c.Profile.Funding.NDISNumber = ""
			}
			return nil, nil
		}); err != nil {
			t.Fatal(err)
		}
	case "plan":
		start := drawDate(rt, "planStart")
		p := &ndis.Plan{ClientID: c.ID, Start: start, End: start.AddDays(rapid.IntRange(30, 400).Draw(rt, "planDays")),
			Remoteness: rapid.SampledFrom([]ndis.Remoteness{ndis.National, ndis.Remote}).Draw(rt, "remoteness"), Budgets: map[string]decimal.Decimal{}}
		if rapid.Bool().Draw(rt, "budget07") {
			p.Budgets["07"] = decimal.RequireFromString(rapid.SampledFrom([]string{"0", "150", "5000"}).Draw(rt, "amount07"))
		}
		if old, err := s.GetPlan(ctx, w.orgID, c.ID); err == nil {
			p.Version = old.Version
		}
		if err := s.PutPlan(ctx, w.orgID, p); err != nil {
			t.Fatal(err)
		}
	case "task":
		tk := &ndis.Task{ID: id.New("task", time.Now()), OrgID: w.orgID, ClientID: c.ID, Date: drawDate(rt, "taskDate"),
			SupportItem: rapid.SampledFrom(items).Draw(rt, "item"), Minutes: rapid.IntRange(1, 180).Draw(rt, "minutes"),
			Rate: decimal.RequireFromString(rapid.SampledFrom(rates).Draw(rt, "rate")), CreatedAt: now}
		if err := s.CreateTask(ctx, tk); err != nil {
			t.Fatal(err)
		}
		w.tasks[c.ID] = append(w.tasks[c.ID], tk.ID)
	case "editTask", "deleteTask":
		// A task edit or delete; one an invoice claimed is refused and
		// changes nothing.
		ids := w.tasks[c.ID]
		if len(ids) == 0 {
			return
		}
		tid := rapid.SampledFrom(ids).Draw(rt, "task")
		before, err := s.GetTask(ctx, w.orgID, tid)
		if errors.Is(err, ndis.ErrTaskNotFound) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if kind == "deleteTask" {
			err = s.DeleteTask(ctx, w.orgID, tid)
		} else {
			_, err = s.UpdateTask(ctx, w.orgID, tid, func(tk *ndis.Task) error {
				tk.Date = drawDate(rt, "editDate")
				tk.SupportItem = rapid.SampledFrom(items).Draw(rt, "editItem")
				tk.Minutes = rapid.IntRange(1, 180).Draw(rt, "editMinutes")
				tk.Rate = decimal.RequireFromString(rapid.SampledFrom(rates).Draw(rt, "editRate"))
				return nil
			})
		}
		if before.InvoiceID != "" {
			if !errors.Is(err, ndis.ErrTaskInvoiced) {
				t.Fatalf("%s of invoiced task %s = %v, want ErrTaskInvoiced", kind, tid, err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
	case "session":
		sv := session.Service{Description: "Support coordination", SupportItem: rapid.SampledFrom(items).Draw(rt, "item")}
		if rapid.Bool().Draw(rt, "perSession") {
			sv.Price = decimal.RequireFromString("120")
		} else {
			sv.Rate = decimal.RequireFromString(rapid.SampledFrom(rates[1:]).Draw(rt, "rate"))
		}
		start := drawDate(rt, "sessionDate").Start(time.UTC).Add(10 * time.Hour)
		ses, err := session.New(id.New("ses", time.Now()), w.orgID, session.Spec{ClientID: c.ID, Start: start, Minutes: rapid.IntRange(15, 120).Draw(rt, "minutes"), Service: sv}, aud, now)
		if err != nil {
			t.Fatal(err)
		}
		if rapid.Bool().Draw(rt, "attendedAtOnce") {
			ses.Attendance = session.Attended
		}
		if err := s.CreateSession(ctx, ses); err != nil {
			t.Fatal(err)
		}
		w.sessions = append(w.sessions, ses)
	case "attendance":
		if len(w.sessions) == 0 {
			return
		}
		ses := rapid.SampledFrom(w.sessions).Draw(rt, "session")
		a := rapid.SampledFrom([]session.Attendance{session.Scheduled, session.Attended, session.NoShow}).Draw(rt, "attendance")
		if _, err := s.UpdateSession(ctx, w.orgID, ses.ID, func(s *session.Session) (bool, error) {
			if s.InvoiceID != "" || s.Attendance == a {
				return false, nil
			}
			s.Attendance = a
			return true, nil
		}); err != nil {
			t.Fatal(err)
		}
	case "draft":
		// The org's own session invoicing takes an attended session onto
		// the month's draft, in one transaction with the draft.
		if len(w.sessions) == 0 {
			return
		}
		ses := rapid.SampledFrom(w.sessions).Draw(rt, "session")
		inv := w.f.draft(t, w.orgID, ses.Spec.ClientID, "Sessions")
		if _, _, err := s.UpdateSessionAndDraft(ctx, w.orgID, ses.ID, inv.ID, func(s *session.Session, inv *invoice.Invoice) (bool, error) {
			if !run.BillableSession(s) {
				return false, nil
			}
			s.InvoiceID, s.InvoiceMode = inv.ID, "draft"
			return true, nil
		}); err != nil {
			t.Fatal(err)
		}
	case "claim":
		// A run invoice claims some of the participant's uninvoiced tasks
		// and billable sessions.
		var taskIDs, sessionIDs []string
		if err := s.ClientTasks(ctx, w.orgID, c.ID, func(ts []ndis.Task) error {
			for _, t := range ts {
				if t.InvoiceID == "" && rapid.Bool().Draw(rt, "claimTask") {
					taskIDs = append(taskIDs, t.ID)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for _, ses := range w.sessions {
			cur, err := s.GetSession(ctx, w.orgID, ses.ID)
			if err != nil {
				t.Fatal(err)
			}
			if cur.Spec.ClientID == c.ID && run.BillableSession(cur) && rapid.Bool().Draw(rt, "claimSession") {
				sessionIDs = append(sessionIDs, ses.ID)
			}
		}
		if len(taskIDs)+len(sessionIDs) == 0 {
			return
		}
		inv, err := invoice.NewDraft(id.New(id.Invoice, time.Now()), w.orgID, spec(c.ID, "NDIS supports"), now)
		if err != nil {
			t.Fatal(err)
		}
		rc := &run.ClientResult{RunID: id.New("run", time.Now()), ClientID: c.ID, State: run.ClientBuilding, InvoiceID: inv.ID, UpdatedAt: now}
		if err := s.StartRunInvoice(ctx, w.orgID, rc, inv, taskIDs, sessionIDs); err != nil {
			t.Fatal(err)
		}
	}
}
