package httpapi_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	cycleclosewire "github.com/carebill/carebill/internal/wire/cycleclose"
)

func sydneyDate(t *testing.T) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	n := time.Now().In(loc)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// TestRecurringCharges: a monthly charge that started two months ago is
// billed by the cycle-close function's recurring-charges job, one
// finalized invoice per month, and a rerun (of the job or "bill now")
// bills nothing more; pausing skips; a weekly charge in an org that bills
// to the period's draft adds its lines there once; bad input changes
// nothing; another client's charge is not found.
func TestRecurringCharges(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Recurring Rooms")
	today := sydneyDate(t)
	day := func(tm time.Time) string { return tm.Format("2006-01-02") }
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Tenant"}).str("id")
	other := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Other"}).str("id")
	base := "/v1/clients/" + cid + "/recurring-charges"

	// Bad input: clear 400s, nothing stored.
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"description": "Room", "amount": "250", "frequency": "monthly", "dayOfMonth": 31, "start": "2026-01-01"}, "dayOfMonth"},
		{map[string]any{"description": "Room", "amount": "250.001", "frequency": "monthly", "dayOfMonth": 1, "start": "2026-01-01"}, "amount"},
		{map[string]any{"description": "Room", "amount": "250", "frequency": "daily", "start": "2026-01-01"}, "frequency"},
		{map[string]any{"description": "Room", "amount": "250", "frequency": "weekly", "weekday": "funday", "start": "2026-01-01"}, "weekday"},
		{map[string]any{"description": "Room", "amount": "250", "frequency": "monthly", "dayOfMonth": 1, "start": "2026-02-01", "end": "2026-01-01"}, "end"},
	} {
		if r := s.must(400, "POST", base, bad.body); r.str("error", "field") != bad.field {
			t.Errorf("%v: %s", bad.body, r.raw)
		}
	}
	if r := s.must(200, "GET", base, nil); len(r.list()) != 0 {
		t.Fatalf("refused charges were stored: %s", r.raw)
	}

	start := time.Date(today.Year(), today.Month()-2, 1, 0, 0, 0, 0, time.UTC)
	c := s.must(201, "POST", base, map[string]any{"description": "Room hire", "amount": "250.00", "frequency": "monthly", "dayOfMonth": 1, "start": day(start), "count": 12})
	rid := c.str("id")
	if c.str("status") != "active" || c.str("next") != day(start) || c.body["billed"] != float64(0) {
		t.Fatalf("new charge: %s", c.raw)
	}
	s.must(404, "GET", "/v1/clients/"+other+"/recurring-charges/"+rid, nil)
	s.must(404, "POST", "/v1/clients/"+other+"/recurring-charges/"+rid+"/pause", nil)

	// The schedule's job bills the three months due, each its own invoice.
	h, err := cycleclosewire.New(context.Background(), a.st.Env(t, "CycleCloseFunction"), a.st.AWSFor("CycleCloseFunction"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	job := json.RawMessage(`{"job":"recurring-charges"}`)
	for range 2 {
		if err := h(context.Background(), job); err != nil {
			t.Fatal(err)
		}
	}
	invs := clientInvoices(s, cid)
	if len(invs) != 3 {
		t.Fatalf("%d invoices after two runs, want 3", len(invs))
	}
	for _, inv := range invs {
		if inv["status"] != "open" || inv["total"] != "275.00" {
			t.Fatalf("recurring invoice: %v", inv)
		}
	}
	if cl := s.must(200, "GET", "/v1/clients/"+cid, nil); cl.str("balance", "owing") != "825.00" {
		t.Fatalf("owing: %s", cl.raw)
	}
	got := s.must(200, "POST", base+"/"+rid+"/bill", nil)
	if got.body["billedNow"] != float64(0) || got.body["billed"] != float64(3) ||
		got.str("next") != day(time.Date(today.Year(), today.Month()+1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("bill again: %s", got.raw)
	}
	full := s.must(200, "GET", "/v1/invoices/"+got.str("lastInvoiceId"), nil)
	line := full.body["lineItems"].([]any)[0].(map[string]any)
	if line["description"] != "Room hire" || line["periodStart"] != day(time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("the month's line: %s", full.raw)
	}

	// Pause and resume; a changed schedule is refused once billed.
	if p := s.must(200, "POST", base+"/"+rid+"/pause", nil); p.str("status") != "paused" {
		t.Fatalf("paused: %s", p.raw)
	}
	if r := s.must(409, "PUT", base+"/"+rid, map[string]any{"description": "Room hire", "amount": "250.00", "frequency": "monthly", "dayOfMonth": 2, "start": day(start)}); r.str("error", "code") != "schedule_fixed" {
		t.Fatalf("moving the day: %s", r.raw)
	}
	if r := s.must(200, "POST", base+"/"+rid+"/resume", nil); r.str("status") != "active" {
		t.Fatalf("resumed: %s", r.raw)
	}

	// Draft mode: a weekly charge's occurrences land on each month's draft once.
	s.must(200, "PATCH", "/v1/org", map[string]any{"autoInvoice": map[string]any{"mode": "draft"}})
	wstart := today.AddDate(0, 0, -20)
	w := s.must(201, "POST", "/v1/clients/"+other+"/recurring-charges", map[string]any{"description": "Group class", "amount": "40",
		"frequency": "weekly", "weekday": strings.ToLower(wstart.Weekday().String()), "start": day(wstart)})
	if w.str("weekday") != strings.ToLower(wstart.Weekday().String()) || w.str("next") != day(wstart) {
		t.Fatalf("weekly charge: %s", w.raw)
	}
	wb := s.must(200, "POST", "/v1/clients/"+other+"/recurring-charges/"+w.str("id")+"/bill", nil)
	if wb.body["billedNow"] != float64(3) {
		t.Fatalf("weekly bill: %s", wb.raw)
	}
	if err := h(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, inv := range clientInvoices(s, other) {
		if inv["status"] != "draft" {
			t.Fatalf("draft mode made %v", inv)
		}
		full := s.must(200, "GET", "/v1/invoices/"+inv["id"].(string), nil)
		lines += len(full.body["lineItems"].([]any))
	}
	if lines != 3 {
		t.Fatalf("%d lines on the drafts, want 3", lines)
	}

	s.must(204, "DELETE", base+"/"+rid, nil)
	s.must(404, "GET", base+"/"+rid, nil)
}
