package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/browsertest"
)

// TestBlockedRunPreviewLogsNoConsoleError: the trial saw the runs page
// log a failed request (a 422 from POST /v1/invoice-runs) whenever a
// preview was blocked by alerts. The page asks the period's blockers
// first (200 with the alerts), so a blocked preview, and the preview
// after leaving the participant out, log nothing: this tab fails the test
// on any console error, failed requests included.
func TestBlockedRunPreviewLogsNoConsoleError(t *testing.T) {
	t.Parallel()
	base, _ := runSite(t)
	email := fmt.Sprintf("runconsole%d@example.com", accounts.Add(1))
	c := &apiClient{t: t, base: base}
	c.do("POST", "/auth/signup", map[string]any{"orgName": "Quiet Runs", "email": email, "password": "Correct-Horse-9"}, 201)
	c.token = c.do("POST", "/auth/login", map[string]any{"email": email, "password": "Correct-Horse-9"}, 200)["token"].(string)
	first := time.Now().UTC().AddDate(0, -1, 0)
	first = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
	on := func(d int) string { return first.AddDate(0, 0, d-1).Format("2006-01-02") }
	participant := func(name, ndisNumber, rate string) string {
		id := c.do("POST", "/v1/clients", map[string]any{"name": name, "contacts": []map[string]any{{"name": name, "email": "p@example.com"}},
			"funding": map[string]any{"type": "self_managed", "ndisNumber": ndisNumber}}, 201)["id"].(string)
		c.do("PUT", "/v1/clients/"+id+"/ndis-plan", map[string]any{"start": on(1), "end": first.AddDate(1, 0, 0).Format("2006-01-02"),
			"remoteness": "national", "budgets": map[string]string{"07": "5000.00"}}, 200)
		tk := map[string]any{"clientId": id, "supportItem": "07_002_0106_8_3", "date": on(5), "durationMinutes": 60}
		if rate != "" {
			tk["rate"] = rate
		}
		c.do("POST", "/v1/tasks", tk, 201)
		return id
	}
	participant("Ada Ngata", "431234567", "100.14")
	participant("Ben Ruiz", "431234568", "")

	b := &browser{Browser: browsertest.New(t, browsertest.Options{Base: base, NetworkErrorsFail: true}), t: t}
	b.open("/app/login")
	b.fill("[name=email]", email)
	b.fill("[name=password]", "Correct-Horse-9")
	b.click("[data-login-form] [type=submit]")
	b.waitFor("the dashboard", `location.pathname === '/app/dashboard'`)

	b.open("/app/runs")
	b.waitText("[data-runs-empty]", "No invoice runs yet.")
	b.set("[name=periodStart]", on(1))
	b.set("[name=periodEnd]", first.AddDate(0, 1, -1).Format("2006-01-02"))
	b.click("[data-preview]")
	b.waitFor("the alerts", `!document.querySelector('[data-blocked]').hidden`)
	if got := b.text("[data-blocked-list]"); !strings.Contains(got, "Ben Ruiz") || !strings.Contains(got, "set an hourly rate") {
		t.Fatalf("alerts listed %q", got)
	}
	if !eval[bool](b, `document.querySelector('[data-start]').hidden`) {
		t.Fatal("Start invoice run is offered while the period is blocked")
	}
	b.click("[data-exclude]")
	b.waitFor("the preview", `!document.querySelector('[data-start]').hidden`)
	if got := b.text("[data-preview-rows]"); !strings.Contains(got, "Ada Ngata") || strings.Contains(got, "Ben Ruiz") {
		t.Fatalf("preview rows %q", got)
	}
}
