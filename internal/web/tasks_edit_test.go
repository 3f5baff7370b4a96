package web_test

import (
	"fmt"
	"testing"
)

// TestTaskAlertFixedByEditing: a task logged without a rate carries the
// missing_rate alert; editing it on the tasks page (the page a run's Fix
// link opens) clears the alert, and Delete, once confirmed, removes it.
func TestTaskAlertFixedByEditing(t *testing.T) {
	t.Parallel()
	b := newBrowser(t, newSite(t))
	b.signup("Fixing Coordination")
	cid := b.call(201, "POST", "/v1/clients", literal(map[string]any{"name": "Ben Norate", "contacts": []map[string]any{{"name": "Ben", "email": "ben@example.com"}},
		"funding": map[string]any{"type": "self_managed", "ndisNumber": "430000004"}}))["id"].(string)
	today := sydneyToday(t)
	year := today[:4]
	b.call(200, "PUT", "/v1/clients/"+cid+"/ndis-plan", literal(map[string]any{"start": year + "-01-01", "end": year + "-12-31", "remoteness": "national",
		"budgets": map[string]string{"07": "5000.00"}}))
	b.call(200, "PUT", "/v1/ndis/price-limits", literal(map[string]any{"items": []map[string]any{
		{"supportItem": "07_002_0106_8_3", "from": "2024-07-01", "national": "100.14", "remote": "140.20", "veryRemote": "150.21"}}}))
	b.call(201, "POST", "/v1/tasks", literal(map[string]any{"clientId": cid, "supportItem": "07_002_0106_8_3", "date": today, "durationMinutes": 60}))

	b.open("/app/tasks?client=" + cid)
	b.waitFor("the missing-rate alert", `document.querySelector('[data-task] [data-code=missing_rate]')`)
	b.click("[data-task] [data-task-action=Edit]")
	b.waitFor("the task in the form", fmt.Sprintf(`document.querySelector('[data-task-form] [name=date]').value === %s`, js(today)))
	b.fill("[data-task-form] [name=rate]", "100.14")
	b.click("[data-task-form] [data-submit]")
	b.waitFor("the one task, its alert gone", `document.querySelectorAll('[data-task]').length === 1 && !document.querySelector('[data-task] [data-code]') && document.querySelector('[data-task] td[data-label="Ready?"]').textContent === 'Ready'`)
	if got := b.text("[data-task] td[data-label=Amount]"); got != "$100.14" {
		t.Fatalf("60 minutes at $100.14 shows %q", got)
	}

	b.click("[data-task] [data-task-action=Delete]")
	b.waitFor("the confirm dialog", `document.querySelector('[data-confirm-dialog]').open`)
	b.click("[data-confirm-ok]")
	b.waitFor("no tasks", `document.querySelectorAll('[data-task]').length === 0 && !document.querySelector('[data-tasks-empty]').hidden`)
}
