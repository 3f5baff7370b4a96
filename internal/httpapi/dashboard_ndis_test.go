package httpapi_test

import (
	"strings"
	"testing"
)

// TestDashboardCountsNDISTaskAlerts: the dashboard's alerts include the
// NDIS tasks an alert keeps from being invoiced, judged as the tasks page
// judges them, and drop them once the alert is resolved.
func TestDashboardCountsNDISTaskAlerts(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Alerting Coordination")
	var fixAt string // the alert's participant, whose tasks its link opens
	alert := func() string {
		t.Helper()
		fixAt = ""
		for _, al := range s.must(200, "GET", "/v1/dashboard", nil).body["alerts"].([]any) {
			if m := al.(map[string]any); m["code"] == "ndis_task_alerts" {
				fixAt, _ = m["clientId"].(string)
				return m["message"].(string)
			}
		}
		return ""
	}
	if got := alert(); got != "" {
		t.Fatalf("no tasks, yet an alert: %q", got)
	}
	sam := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Sam", "funding": map[string]any{"type": "self_managed", "ndisNumber": "430000001"}}).str("id")
	kim := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Kim", "funding": map[string]any{"type": "self_managed", "ndisNumber": "430000003"}}).str("id")
	s.must(201, "POST", "/v1/clients", map[string]any{"name": "Not a participant"})
	for _, cid := range []string{sam, kim} {
		s.must(201, "POST", "/v1/tasks", map[string]any{"clientId": cid, "supportItem": "07_002_0106_8_3", "date": "2026-11-03", "durationMinutes": 60, "rate": "100.14"})
	}
	s.must(201, "POST", "/v1/tasks", map[string]any{"clientId": sam, "supportItem": "07_002_0106_8_3", "date": "2026-11-04", "durationMinutes": 60, "rate": "100.14"})
	// No plan yet: every task has the no_plan alert.
	if got := alert(); !strings.HasPrefix(got, "3 NDIS tasks of 2 participants have alerts and") {
		t.Fatalf("alert = %q", got)
	}
	s.must(200, "PUT", "/v1/clients/"+sam+"/ndis-plan", map[string]any{"start": "2026-07-01", "end": "2027-06-30", "remoteness": "national", "budgets": map[string]string{"07": "500.00"}})
	if got := alert(); !strings.HasPrefix(got, "1 NDIS task of 1 participant has an alert and") || fixAt != kim {
		t.Fatalf("after Sam's plan: alert = %q, for %q (want Kim %s)", got, fixAt, kim)
	}
	s.must(200, "PUT", "/v1/clients/"+kim+"/ndis-plan", map[string]any{"start": "2026-07-01", "end": "2027-06-30", "remoteness": "national", "budgets": map[string]string{"07": "500.00"}})
	if got := alert(); got != "" {
		t.Fatalf("every alert resolved, yet: %q", got)
	}
}
