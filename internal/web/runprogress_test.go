package web_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestRunProgressFollowsTheCounts drives the runs pages at 375 px while
// the worker takes the run's three participants one batch at a time: the
// run page shows it queued (bar empty, 0 of 3), then running (1 of 3, the
// queued step marked passed), then complete with a parked participant (3
// of 3, 1 parked, its own last step); the batches page shows the running
// run's bar from its counts and follows it to its end by itself.
func TestRunProgressFollowsTheCounts(t *testing.T) {
	t.Parallel()
	base, worker := runSiteWorker(t)
	email := fmt.Sprintf("progress%d@example.com", accounts.Add(1))
	c := &apiClient{t: t, base: base}
	c.do("POST", "/auth/signup", map[string]any{"orgName": "Progress Care", "email": email, "password": "Correct-Horse-9"}, 201)
	c.token = c.do("POST", "/auth/login", map[string]any{"email": email, "password": "Correct-Horse-9"}, 200)["token"].(string)
	c.do("PATCH", "/v1/org", map[string]any{"legalName": "Progress Care Pty Ltd", "taxId": "51824753556"}, 200)
	c.do("PUT", "/v1/ndis/provider", map[string]any{"registrationNumber": "4050012345"}, 200)
	first := time.Now().UTC().AddDate(0, -1, 0)
	first = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
	on := func(d int) string { return first.AddDate(0, 0, d-1).Format("2006-01-02") }
	plan := func(id, budget string) {
		c.do("PUT", "/v1/clients/"+id+"/ndis-plan", map[string]any{"start": on(1), "end": first.AddDate(1, 0, 0).Format("2006-01-02"),
			"remoteness": "national", "budgets": map[string]string{"07": budget}}, 200)
	}
	var ids []string
	for i, name := range []string{"Ada Ngata", "Bo Reyes", "Eve Many"} {
		id := c.do("POST", "/v1/clients", map[string]any{"name": name, "contacts": []map[string]any{{"name": name, "email": "p@example.com"}},
			"funding": map[string]any{"type": "self_managed", "ndisNumber": fmt.Sprintf("43123457%d", i)}}, 201)["id"].(string)
		plan(id, "5000.00")
		c.do("POST", "/v1/tasks", map[string]any{"clientId": id, "supportItem": "07_002_0106_8_3", "date": on(5), "durationMinutes": 60, "rate": "100.14"}, 201)
		ids = append(ids, id)
	}

	worker.paused.Store(true)
	runID := c.do("POST", "/v1/invoice-runs", map[string]any{"periodStart": on(1), "periodEnd": on(28)}, 202)["id"].(string)
	plan(ids[2], "10.00") // Eve's budget cut below her work: the worker parks her

	b := newBrowser(t, base)
	b.open("/app/login")
	b.fill("[name=email]", email)
	b.fill("[name=password]", "Correct-Horse-9")
	b.click("[data-login-form] [type=submit]")
	b.waitFor("the dashboard", `location.pathname === '/app/dashboard'`)
	b.Do("phone width", chromedp.EmulateViewport(375, 800))

	// progress is the run page's bar, text and steps.
	progress := func() string {
		return eval[string](b, `(() => {
			const bar = document.querySelector('[data-progress]');
			const steps = [...document.querySelectorAll('[data-run-steps] [data-step]')].map((li) => li.dataset.step + ':' + li.dataset.state).join(' ');
			return bar.value + '/' + bar.max + ' | ' + document.querySelector('[data-progress-text]').textContent + ' | ' + steps;
		})()`)
	}
	b.open("/app/runs/" + runID)
	b.waitFor("the queued run", `document.querySelector('[data-run-summary]').dataset.status === 'queued'`)
	if got, want := progress(), "0/3 | Queued: waiting for the workers. 0 of 3 participants done. | queued:current running:todo complete:todo"; got != want {
		t.Errorf("queued run:\n got %q\nwant %q", got, want)
	}
	b.screenshot("run-queued-375", 375, 800)

	worker.allow.Store(1)
	b.waitFor("the running run", `document.querySelector('[data-run-summary]').dataset.status === 'running'`)
	if got := progress(); got != "1/3 | 1 of 3 participants done. | queued:passed running:current complete:todo" &&
		got != "1/3 | 1 of 3 participants done (1 parked). | queued:passed running:current complete:todo" {
		t.Errorf("running run: %q", got)
	}

	b.open("/app/runs")
	b.waitFor("the running batch", fmt.Sprintf(`document.querySelector('[data-run=%s]')?.dataset.status === 'running'`, js(runID)))
	if got := eval[string](b, `(() => { const p = document.querySelector('[data-run-progress]'); return p ? p.value + '/' + p.max : 'none'; })()`); got != "1/3" {
		t.Errorf("the batch's bar reads %s", got)
	}
	b.shots("runs-running")
	worker.allow.Store(2)
	b.waitFor("the batch to finish by itself", fmt.Sprintf(`document.querySelector('[data-run=%s]')?.dataset.status === 'complete_with_parked'`, js(runID)))
	if n := eval[int](b, `document.querySelectorAll('[data-run-progress]').length`); n != 0 {
		t.Errorf("%d bars left on finished batches", n)
	}

	b.click(fmt.Sprintf(`[data-run=%s] a`, js(runID)))
	b.waitFor("the finished run", `document.querySelector('[data-run-summary]').dataset.status === 'complete_with_parked'`)
	if got, want := progress(), "3/3 | 3 of 3 participants done (1 parked). | queued:passed running:passed complete:current"; got != want {
		t.Errorf("finished run:\n got %q\nwant %q", got, want)
	}
	if got := b.text(`[data-run-steps] [data-step="complete"]`); got != "Complete, 1 parked" {
		t.Errorf("last step reads %q", got)
	}
	b.shots("run-complete-parked")
}
