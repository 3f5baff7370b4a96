package httpapi_test

import (
	"testing"
	"time"
)

// TestRunByRoutingCountsOnlySentInvoices: the trial's self-managed
// participant with no email or phone is invoiced but not sent, so the
// run's byRouting must not count them for the participant route; the
// counts add up (invoiced = routed + unsent), and once the contact is
// added, a re-queue sends it and it counts as routed.
func TestRunByRoutingCountsOnlySentInvoices(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	drainRuns := a.runWorker(t)
	admin := a.signup("Routing Care")
	first := time.Now().UTC().AddDate(0, -1, 0)
	first = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1)
	participant := func(name, email, ndisNumber string) string {
		id := admin.must(201, "POST", "/v1/clients", map[string]any{"name": name,
			"contacts": []map[string]any{{"name": name, "email": email}},
			"funding":  map[string]any{"type": "self_managed", "ndisNumber": ndisNumber}}).str("id")
		admin.must(200, "PUT", "/v1/clients/"+id+"/ndis-plan", map[string]any{"start": first.AddDate(0, -6, 0).Format("2006-01-02"),
			"end": first.AddDate(0, 6, 0).Format("2006-01-02"), "remoteness": "national", "budgets": map[string]string{"07": "5000.00"}})
		admin.must(201, "POST", "/v1/tasks", map[string]any{"clientId": id, "supportItem": "07_002_0106_8_3",
			"date": first.AddDate(0, 0, 4).Format("2006-01-02"), "durationMinutes": 60, "rate": "100.14"})
		return id
	}
	participant("Sam Lee", "sam@example.com", "431234571")
	eve := participant("Eve Moss", "", "431234572")

	runID := admin.must(202, "POST", "/v1/invoice-runs", map[string]any{"periodStart": first.Format("2006-01-02"), "periodEnd": last.Format("2006-01-02")}).str("id")
	drainRuns()
	counts := func() (string, map[string]any, map[string]any) {
		v := admin.must(200, "GET", "/v1/invoice-runs/"+runID, nil)
		c := v.body["run"].(map[string]any)["counts"].(map[string]any)
		return v.str("run", "status"), c, c["byRouting"].(map[string]any)
	}
	status, c, by := counts()
	if status != "complete_with_unsent" || c["invoiced"] != float64(2) || c["unsent"] != float64(1) || by["participant"] != float64(1) {
		t.Fatalf("run %s: counts %v", status, c)
	}

	admin.must(200, "PATCH", "/v1/clients/"+eve, map[string]any{"contacts": []map[string]any{{"name": "Eve Moss", "email": "eve@example.com"}}})
	admin.must(200, "POST", "/v1/invoice-runs/"+runID+"/requeue", map[string]any{"clientIds": []string{eve}})
	drainRuns()
	status, c, by = counts()
	if status != "complete" || c["unsent"] != float64(0) || by["participant"] != float64(2) {
		t.Fatalf("after the re-queue, run %s: counts %v", status, c)
	}
}
