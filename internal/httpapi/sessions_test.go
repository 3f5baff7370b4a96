package httpapi_test

import (
	"fmt"
	"sync"
	"testing"
)

func bookSession(s *session, cid, start string, service map[string]any) string {
	s.a.t.Helper()
	return s.must(201, "POST", "/v1/sessions", map[string]any{
		"clientId": cid, "start": start, "durationMinutes": 45, "service": service, "location": "Room 2",
	}).str("id")
}

func clientInvoices(s *session, cid string) []map[string]any {
	s.a.t.Helper()
	return s.must(200, "GET", "/v1/invoices?clientId="+cid, nil).list()
}

// testAttendanceInvoicesOnce is the therapist's journey: marking a session
// attended creates and finalizes its invoice and updates the balance
// owing; marking it again, or two clicks at once, never makes a second;
// reverting voids it; attending again issues a new number.
func testAttendanceInvoicesOnce(t *testing.T, a *api) {
	s := a.signup("Zen Therapy")
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Ana", "contacts": []map[string]any{{"name": "Ana", "email": "ana@example.com"}}}).str("id")
	hourly := map[string]any{"description": "Psychology session", "rate": "193.99", "taxRate": "0"}
	sid := bookSession(s, cid, "2026-11-03T09:00:00+11:00", hourly)
	got := s.must(200, "GET", "/v1/sessions/"+sid, nil)
	if got.str("attendance") != "scheduled" || got.str("service", "rate") != "193.99" || got.str("start") != "2026-11-03T09:00:00+11:00" {
		t.Fatalf("booked: %s", got.raw)
	}

	r := s.must(200, "POST", "/v1/sessions/"+sid+"/attendance", map[string]any{"status": "attended"})
	iid := r.str("invoice", "id")
	// 45 min = 0.75 h × 193.99 = 145.4925 → 145.49, GST free.
	if r.str("session", "attendance") != "attended" || r.str("session", "invoiceId") != iid || r.str("invoice", "status") != "open" ||
		r.str("invoice", "number") != "INV-00001" || r.str("invoice", "total") != "145.49" {
		t.Fatalf("attended: %s", r.raw)
	}
	if c := s.must(200, "GET", "/v1/clients/"+cid, nil); c.str("balance", "owing") != "145.49" {
		t.Fatalf("owing after attendance: %s", c.raw)
	}
	again := s.must(200, "POST", "/v1/sessions/"+sid+"/attendance", map[string]any{"status": "attended"})
	if again.str("invoice", "id") != iid || len(clientInvoices(s, cid)) != 1 {
		t.Fatalf("second click made another invoice: %s", again.raw)
	}

	// Two clicks at once on another session: one invoice between them.
	sid2 := bookSession(s, cid, "2026-11-10T09:00:00+11:00", map[string]any{"description": "Session", "price": "200.00", "taxRate": "0"})
	var wg sync.WaitGroup
	ids := make([]string, 2)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i] = s.must(200, "POST", "/v1/sessions/"+sid2+"/attendance", map[string]any{"status": "attended"}).str("invoice", "id")
		}()
	}
	wg.Wait()
	if ids[0] == "" || ids[0] != ids[1] || len(clientInvoices(s, cid)) != 2 {
		t.Fatalf("concurrent clicks: invoices %v, client has %d", ids, len(clientInvoices(s, cid)))
	}
	if c := s.must(200, "GET", "/v1/clients/"+cid, nil); c.str("balance", "owing") != "345.49" {
		t.Fatalf("owing after two sessions: %s", c.raw)
	}

	// Reverting voids what attendance made; attending again bills anew.
	rv := s.must(200, "POST", "/v1/sessions/"+sid2+"/attendance", map[string]any{"status": "cancelled", "cancellationReason": "NSDH"})
	if rv.str("session", "attendance") != "cancelled" || rv.str("session", "cancellationReason") != "NSDH" || rv.str("session", "invoiceId") != "" ||
		rv.str("invoice", "status") != "void" {
		t.Fatalf("reverted: %s", rv.raw)
	}
	if c := s.must(200, "GET", "/v1/clients/"+cid, nil); c.str("balance", "owing") != "145.49" {
		t.Fatalf("owing after revert: %s", c.raw)
	}
	re := s.must(200, "POST", "/v1/sessions/"+sid2+"/attendance", map[string]any{"status": "attended"})
	if re.str("invoice", "id") == ids[0] || re.str("invoice", "number") != "INV-00003" {
		t.Fatalf("re-attended: %s", re.raw)
	}

	// A paid session invoice stays, and so does the attendance.
	s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "145.49", "date": "2026-11-04", "method": "cash", "allocations": []map[string]any{{"invoiceId": iid, "amount": "145.49"}}})
	if k := s.must(422, "POST", "/v1/sessions/"+sid+"/attendance", map[string]any{"status": "no_show"}); k.str("error", "code") != "invoice_kept" {
		t.Fatalf("revert a paid session: %s", k.raw)
	}
	if g := s.must(200, "GET", "/v1/sessions/"+sid, nil); g.str("attendance") != "attended" || g.str("invoiceId") != iid {
		t.Fatalf("a refused revert changed the session: %s", g.raw)
	}

	// The day list, in the org's time zone (Sydney).
	day := s.must(200, "GET", "/v1/sessions?from=2026-11-03&to=2026-11-03", nil).list()
	if len(day) != 1 || day[0]["id"] != sid {
		t.Fatalf("day list: %v", day)
	}
	if all := s.must(200, "GET", "/v1/sessions?from=2026-11-01&to=2026-11-30&clientId="+cid, nil).list(); len(all) != 2 {
		t.Fatalf("month list: %v", all)
	}
}

func testAutoInvoiceSettings(t *testing.T, a *api) {
	s := a.signup("Manual Practice")
	if o := s.must(200, "GET", "/v1/org", nil); fmt.Sprint(o.body["autoInvoice"]) != "map[enabled:true mode:finalize send:false]" {
		t.Fatalf("auto-invoice defaults: %s", o.raw)
	}
	s.must(400, "PATCH", "/v1/org", map[string]any{"autoInvoice": map[string]any{"mode": "weekly"}})
	s.must(400, "PATCH", "/v1/org", map[string]any{"autoInvoice": map[string]any{"mode": "draft", "send": true}})
	s.must(200, "PATCH", "/v1/org", map[string]any{"autoInvoice": map[string]any{"enabled": false}})
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Ben"}).str("id")
	sid := bookSession(s, cid, "2026-11-03T09:00:00+11:00", map[string]any{"description": "Session", "price": "150"})
	r := s.must(200, "POST", "/v1/sessions/"+sid+"/attendance", map[string]any{"status": "attended"})
	if r.body["invoice"] != nil || r.str("session", "invoiceId") != "" || len(clientInvoices(s, cid)) != 0 {
		t.Fatalf("auto-invoicing off still invoiced: %s", r.raw)
	}
}

func testSessionBadInputChangesNothing(t *testing.T, a *api) {
	s := a.signup("Careful Practice")
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Cy"}).str("id")
	other := a.signup("Other Practice")
	ocid := other.must(201, "POST", "/v1/clients", map[string]any{"name": "Dee"}).str("id")
	good := func() map[string]any {
		return map[string]any{"clientId": cid, "start": "2026-11-03T09:00:00+11:00", "durationMinutes": 50, "service": map[string]any{"description": "Session", "price": "150"}}
	}
	for name, c := range map[string]struct {
		change func(map[string]any)
		status int
	}{
		"no start":         {func(b map[string]any) { delete(b, "start") }, 400},
		"start no offset":  {func(b map[string]any) { b["start"] = "2026-11-03T09:00:00" }, 400},
		"zero minutes":     {func(b map[string]any) { b["durationMinutes"] = 0 }, 400},
		"a day and more":   {func(b map[string]any) { b["durationMinutes"] = 1441 }, 400},
		"price and rate":   {func(b map[string]any) { b["service"] = map[string]any{"description": "S", "price": "1", "rate": "2"} }, 400},
		"neither":          {func(b map[string]any) { b["service"] = map[string]any{"description": "S"} }, 400},
		"float price":      {func(b map[string]any) { b["service"] = map[string]any{"description": "S", "price": 150.5} }, 400},
		"price 3 decimals": {func(b map[string]any) { b["service"] = map[string]any{"description": "S", "price": "1.005"} }, 400},
		"no description":   {func(b map[string]any) { b["service"] = map[string]any{"price": "1"} }, 400},
		"unknown field":    {func(b map[string]any) { b["colour"] = "red" }, 400},
		"other org client": {func(b map[string]any) { b["clientId"] = ocid }, 404},
	} {
		b := good()
		c.change(b)
		if r := s.do("POST", "/v1/sessions", b); r.status != c.status {
			t.Errorf("%s: %d %s, want %d", name, r.status, r.raw, c.status)
		}
	}
	if l := s.must(200, "GET", "/v1/sessions?from=2026-11-01&to=2026-11-30", nil).list(); len(l) != 0 {
		t.Fatalf("bad bodies stored sessions: %v", l)
	}
	sid := s.must(201, "POST", "/v1/sessions", good()).str("id")
	for _, b := range []map[string]any{
		{}, {"status": "maybe"}, {"status": "attended", "cancellationReason": "NSDH"}, {"status": "cancelled", "cancellationReason": "LATE"},
	} {
		if r := s.do("POST", "/v1/sessions/"+sid+"/attendance", b); r.status != 400 {
			t.Errorf("attendance %v: %d %s", b, r.status, r.raw)
		}
	}
	if r := other.do("POST", "/v1/sessions/"+sid+"/attendance", map[string]any{"status": "attended"}); r.status != 404 {
		t.Fatalf("another org's session: %d %s", r.status, r.raw)
	}
	other.must(404, "GET", "/v1/sessions/"+sid, nil)
	if g := s.must(200, "GET", "/v1/sessions/"+sid, nil); g.str("attendance") != "scheduled" || len(clientInvoices(s, cid)) != 0 {
		t.Fatalf("bad attendance changed the session: %s", g.raw)
	}
	s.must(400, "GET", "/v1/sessions?from=2026-11-01", nil)
}

// With auto-invoicing in draft mode, attended sessions become lines on the
// client's draft for the month, each exactly once; reverting takes the
// line off.
func testAttendanceAddsToPeriodDraft(t *testing.T, a *api) {
	s := a.signup("Draft Practice")
	s.must(200, "PATCH", "/v1/org", map[string]any{"autoInvoice": map[string]any{"mode": "draft"}})
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Eve"}).str("id")
	svc := map[string]any{"description": "OT session", "price": "180.00", "taxRate": "0"}
	nov1 := bookSession(s, cid, "2026-11-03T09:00:00+11:00", svc)
	nov2 := bookSession(s, cid, "2026-11-17T09:00:00+11:00", svc)
	dec1 := bookSession(s, cid, "2026-12-01T09:00:00+11:00", svc)

	first := s.must(200, "POST", "/v1/sessions/"+nov1+"/attendance", map[string]any{"status": "attended"})
	draft := first.str("invoice", "id")
	if first.str("invoice", "status") != "draft" || first.str("invoice", "name") != "Sessions – November 2026" || first.str("invoice", "total") != "180.00" {
		t.Fatalf("first session: %s", first.raw)
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.must(200, "POST", "/v1/sessions/"+nov2+"/attendance", map[string]any{"status": "attended"})
		}()
	}
	wg.Wait()
	s.must(200, "POST", "/v1/sessions/"+nov1+"/attendance", map[string]any{"status": "attended"})
	inv := s.must(200, "GET", "/v1/invoices/"+draft, nil)
	if inv.str("total") != "360.00" || len(inv.body["lineItems"].([]any)) != 2 {
		t.Fatalf("November draft after two sessions (one clicked twice at once, one again): %s", inv.raw)
	}
	dec := s.must(200, "POST", "/v1/sessions/"+dec1+"/attendance", map[string]any{"status": "attended"})
	if dec.str("invoice", "id") == draft || dec.str("invoice", "name") != "Sessions – December 2026" {
		t.Fatalf("December session: %s", dec.raw)
	}
	if c := s.must(200, "GET", "/v1/clients/"+cid, nil); c.str("balance", "owing") != "0.00" {
		t.Fatalf("drafts owe nothing: %s", c.raw)
	}
	rv := s.must(200, "POST", "/v1/sessions/"+nov1+"/attendance", map[string]any{"status": "no_show"})
	if rv.str("invoice", "total") != "180.00" || rv.str("session", "invoiceId") != "" || rv.str("session", "attendance") != "no_show" {
		t.Fatalf("reverted from draft: %s", rv.raw)
	}
	// Once the draft is finalized, its lines stay.
	s.must(200, "POST", "/v1/invoices/"+draft+"/finalize", nil)
	if k := s.must(422, "POST", "/v1/sessions/"+nov2+"/attendance", map[string]any{"status": "cancelled"}); k.str("error", "code") != "invoice_kept" {
		t.Fatalf("revert after finalize: %s", k.raw)
	}
}
