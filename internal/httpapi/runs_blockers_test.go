package httpapi_test

import (
	"strings"
	"testing"
	"time"
)

// TestRunBlockersAnswerWithoutAnError: the period's blockers come back as
// data (200), the same alerts and fix links run_blocked carries, leaving
// out the clients named; nothing is recorded, and a bad period is a 400.
func TestRunBlockersAnswerWithoutAnError(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := a.signup("Blocker Care")
	first := time.Now().UTC().AddDate(0, -1, 0)
	first = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
	from, to := first.Format("2006-01-02"), first.AddDate(0, 1, -1).Format("2006-01-02")
	id := admin.must(201, "POST", "/v1/clients", map[string]any{"name": "Ben Ruiz", "contacts": []map[string]any{{"name": "Ben", "email": "ben@example.com"}},
		"funding": map[string]any{"type": "self_managed", "ndisNumber": "431234568"}}).str("id")
	admin.must(200, "PUT", "/v1/clients/"+id+"/ndis-plan", map[string]any{"start": first.AddDate(0, -6, 0).Format("2006-01-02"),
		"end": first.AddDate(0, 6, 0).Format("2006-01-02"), "remoteness": "national", "budgets": map[string]string{"07": "5000.00"}})
	admin.must(201, "POST", "/v1/tasks", map[string]any{"clientId": id, "supportItem": "07_002_0106_8_3", "date": first.AddDate(0, 0, 9).Format("2006-01-02"), "durationMinutes": 60})

	r := admin.must(200, "GET", "/v1/invoice-runs/blockers?periodStart="+from+"&periodEnd="+to, nil)
	l := r.list()
	if len(l) != 1 || l[0]["clientId"] != id || !strings.Contains(r.raw, `"code":"missing_rate"`) || !strings.Contains(r.raw, `"fix":"/app/tasks?client=`+id+`"`) {
		t.Fatalf("blockers = %s", r.raw)
	}
	blocked := admin.must(422, "POST", "/v1/invoice-runs", map[string]any{"periodStart": from, "periodEnd": to, "dryRun": true})
	if !strings.Contains(blocked.raw, `"code":"missing_rate"`) || !strings.Contains(blocked.raw, `"fix":"/app/tasks?client=`+id+`"`) {
		t.Fatalf("run_blocked %s differs from the blockers %s", blocked.raw, r.raw)
	}
	if l := admin.must(200, "GET", "/v1/invoice-runs/blockers?periodStart="+from+"&periodEnd="+to+"&excludeClientIds="+id, nil).list(); len(l) != 0 {
		t.Fatalf("blockers leaving Ben out = %v", l)
	}
	if l := admin.must(200, "GET", "/v1/invoice-runs", nil).list(); len(l) != 0 {
		t.Fatalf("asking the blockers recorded %d runs", len(l))
	}
	admin.must(400, "GET", "/v1/invoice-runs/blockers?periodStart="+to+"&periodEnd="+from, nil)
	admin.must(400, "GET", "/v1/invoice-runs/blockers?periodStart="+from, nil)
	admin.must(400, "GET", "/v1/invoice-runs/blockers?periodStart="+from+"&periodEnd="+to+"&dryRun=true", nil)
}
