package httpapi_test

import (
	"sort"
	"strings"
	"testing"
)

func alertCodes(task map[string]any) string {
	var codes []string
	for _, a := range task["alerts"].([]any) {
		codes = append(codes, a.(map[string]any)["code"].(string))
	}
	sort.Strings(codes)
	return strings.Join(codes, ",")
}

// testCoordinatorTasksAndAlerts is the support coordinator's journey: log
// tasks in actual minutes and see what blocks invoicing — a price above
// the limit for the participant's remoteness (limits the org loads as
// dated data), no plan or outside it, budget exceeded, too old to claim.
func testCoordinatorTasksAndAlerts(t *testing.T, a *api) {
	s := a.signup("Clear Path Coordination")
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Sam", "funding": map[string]any{
		"type": "plan_managed", "ndisNumber": "430000001", "planManager": map[string]any{"name": "PlanCo", "email": "claims@planco.example"}}}).str("id")

	first := s.must(201, "POST", "/v1/tasks", map[string]any{"clientId": cid, "supportItem": "07_002_0106_8_3", "date": "2026-11-03",
		"start": "09:00", "end": "10:37", "rate": "100.14", "notes": "Plan review call"})
	if first.body["durationMinutes"] != float64(97) || first.str("amount") != "161.89" || alertCodes(first.body) != "no_plan" || first.body["readyToInvoice"] != false {
		t.Fatalf("task before a plan: %s", first.raw)
	}
	s.must(200, "PUT", "/v1/clients/"+cid+"/ndis-plan", map[string]any{"start": "2026-07-01", "end": "2027-06-30", "remoteness": "national", "budgets": map[string]string{"07": "500.00"}})
	if got := s.must(200, "GET", "/v1/tasks/"+first.str("id"), nil); alertCodes(got.body) != "" || got.body["readyToInvoice"] != true {
		t.Fatalf("task within the plan: %s", got.raw)
	}
	high := s.must(201, "POST", "/v1/tasks", map[string]any{"clientId": cid, "supportItem": "07_002_0106_8_3", "date": "2026-11-04",
		"durationMinutes": 60, "rate": "120.00", "claimType": "non_face_to_face"})
	if alertCodes(high.body) != "above_price_limit" || !strings.Contains(high.raw, "100.14") || high.str("claimType") != "non_face_to_face" {
		t.Fatalf("price above the limit: %s", high.raw)
	}
	// Remote participants have a higher limit.
	s.must(200, "PUT", "/v1/clients/"+cid+"/ndis-plan", map[string]any{"start": "2026-07-01", "end": "2027-06-30", "remoteness": "remote", "budgets": map[string]string{"07": "500.00"}})
	if got := s.must(200, "GET", "/v1/tasks/"+high.str("id"), nil); alertCodes(got.body) != "" {
		t.Fatalf("remote limit 140.19: %s", got.raw)
	}
	s.must(200, "PUT", "/v1/clients/"+cid+"/ndis-plan", map[string]any{"start": "2026-07-01", "end": "2027-06-30", "remoteness": "national", "budgets": map[string]string{"07": "500.00"}})
	// A new price guide, loaded as data, applies from its date.
	s.must(200, "PUT", "/v1/ndis/price-limits", map[string]any{"items": []map[string]any{
		{"supportItem": "07_002_0106_8_3", "from": "2025-07-01", "national": "100.14", "remote": "140.19", "veryRemote": "150.21"},
		{"supportItem": "07_002_0106_8_3", "from": "2026-11-04", "national": "125.00", "remote": "170.00", "veryRemote": "180.00"},
	}})
	if got := s.must(200, "GET", "/v1/tasks/"+high.str("id"), nil); alertCodes(got.body) != "" {
		t.Fatalf("after the new price guide: %s", got.raw)
	}
	if got := s.must(200, "GET", "/v1/tasks/"+first.str("id"), nil); alertCodes(got.body) != "" {
		t.Fatalf("the earlier task keeps the earlier limit: %s", got.raw)
	}
	// 161.89 + 120.00 + 300.00 passes the 500.00 budget on the third.
	over := s.must(201, "POST", "/v1/tasks", map[string]any{"clientId": cid, "supportItem": "07_002_0106_8_3", "date": "2026-11-05", "durationMinutes": 180, "rate": "100.00"})
	if alertCodes(over.body) != "budget_exceeded" {
		t.Fatalf("over budget: %s", over.raw)
	}
	old := s.must(201, "POST", "/v1/tasks", map[string]any{"clientId": cid, "supportItem": "07_002_0106_8_3", "date": "2024-01-05", "durationMinutes": 30, "rate": "90.00"})
	if alertCodes(old.body) != "claim_too_old,no_price_limit,outside_plan" {
		t.Fatalf("old task: %s", old.raw)
	}
	bare := s.must(201, "POST", "/v1/tasks", map[string]any{"clientId": cid, "date": "2026-11-06", "durationMinutes": 15, "claimType": "cancellation", "cancellationReason": "NSDT"})
	if alertCodes(bare.body) != "missing_rate,missing_support_item" {
		t.Fatalf("task without rate or item: %s", bare.raw)
	}
	list := s.must(200, "GET", "/v1/tasks?clientId="+cid, nil).list()
	if len(list) != 5 || list[0]["date"] != "2024-01-05" || list[4]["date"] != "2026-11-06" {
		t.Fatalf("task list: %v", list)
	}
	noNumber := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Kim", "funding": map[string]any{"type": "self_managed"}}).str("id")
	if r := s.must(201, "POST", "/v1/tasks", map[string]any{"clientId": noNumber, "supportItem": "07_001_0106_8_3", "date": "2026-11-03", "durationMinutes": 60, "rate": "80.00"}); alertCodes(r.body) != "missing_ndis_number,no_plan,no_price_limit" {
		t.Fatalf("no NDIS number: %s", r.raw)
	}
}

func testTaskBadInputChangesNothing(t *testing.T, a *api) {
	s := a.signup("Strict Coordination")
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Lee"}).str("id")
	other := a.signup("Other Coordination")
	ocid := other.must(201, "POST", "/v1/clients", map[string]any{"name": "Max"}).str("id")
	good := func() map[string]any {
		return map[string]any{"clientId": cid, "supportItem": "07_002_0106_8_3", "date": "2026-11-03", "durationMinutes": 60, "rate": "100.14"}
	}
	for name, c := range map[string]struct {
		change func(map[string]any)
		status int
	}{
		"bad item":           {func(b map[string]any) { b["supportItem"] = "7_2" }, 400},
		"bad claim type":     {func(b map[string]any) { b["claimType"] = "phone" }, 400},
		"start without end":  {func(b map[string]any) { delete(b, "durationMinutes"); b["start"] = "09:00" }, 400},
		"start and duration": {func(b map[string]any) { b["start"] = "09:00"; b["end"] = "10:00" }, 400},
		"end before start":   {func(b map[string]any) { delete(b, "durationMinutes"); b["start"] = "10:00"; b["end"] = "09:00" }, 400},
		"cancel no reason":   {func(b map[string]any) { b["claimType"] = "cancellation" }, 400},
		"reason not cancel":  {func(b map[string]any) { b["cancellationReason"] = "NSDH" }, 400},
		"float rate":         {func(b map[string]any) { b["rate"] = 100.14 }, 400},
		"rate 3 decimals":    {func(b map[string]any) { b["rate"] = "100.145" }, 400},
		"no minutes":         {func(b map[string]any) { delete(b, "durationMinutes") }, 400},
		"other org client":   {func(b map[string]any) { b["clientId"] = ocid }, 404},
	} {
		b := good()
		c.change(b)
		if r := s.do("POST", "/v1/tasks", b); r.status != c.status {
			t.Errorf("%s: %d %s, want %d", name, r.status, r.raw, c.status)
		}
	}
	if l := s.must(200, "GET", "/v1/tasks?clientId="+cid, nil).list(); len(l) != 0 {
		t.Fatalf("bad tasks stored: %v", l)
	}
	for _, p := range []map[string]any{
		{"start": "2026-07-01", "end": "2026-01-01", "remoteness": "national"},
		{"start": "2026-07-01", "end": "2027-06-30", "remoteness": "outback"},
		{"start": "2026-07-01", "end": "2027-06-30", "remoteness": "national", "budgets": map[string]string{"7": "1"}},
		{"start": "2026-07-01", "end": "2027-06-30", "remoteness": "national", "budgets": map[string]string{"07": "-1"}},
	} {
		if r := s.do("PUT", "/v1/clients/"+cid+"/ndis-plan", p); r.status != 400 {
			t.Errorf("plan %v: %d %s", p, r.status, r.raw)
		}
	}
	s.must(404, "GET", "/v1/clients/"+cid+"/ndis-plan", nil)
	other.must(404, "PUT", "/v1/clients/"+cid+"/ndis-plan", map[string]any{"start": "2026-07-01", "end": "2027-06-30", "remoteness": "national"})
	for _, items := range []any{
		[]map[string]any{{"supportItem": "x", "from": "2026-07-01", "national": "1", "remote": "1", "veryRemote": "1"}},
		[]map[string]any{{"supportItem": "07_002_0106_8_3", "from": "2026-07-01", "national": "0", "remote": "1", "veryRemote": "1"}},
		[]map[string]any{{"supportItem": "07_002_0106_8_3", "from": "2026-07-01", "national": "1", "remote": "1", "veryRemote": "1"},
			{"supportItem": "07_002_0106_8_3", "from": "2026-07-01", "national": "2", "remote": "2", "veryRemote": "2"}},
	} {
		if r := s.do("PUT", "/v1/ndis/price-limits", map[string]any{"items": items}); r.status != 400 {
			t.Errorf("price limits %v: %d %s", items, r.status, r.raw)
		}
	}
	if pl := s.must(200, "GET", "/v1/ndis/price-limits", nil); len(pl.body["items"].([]any)) != 3 {
		t.Fatalf("refused price lists changed the defaults: %s", pl.raw)
	}
}
