package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/chromedp/chromedp"

	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/teststack"
	runworkerwire "github.com/carebill/carebill/internal/wire/runworker"
)

// runSite is the invoicing function with the run worker draining the
// runs queue in the background, as the SQS event source would.
func runSite(t *testing.T) (string, *atomic.Bool) {
	t.Helper()
	url, w := runSiteWorker(t)
	return url, &w.paused
}

// workerControl holds the background run worker: while paused it takes
// no message, except as many as allow lets through.
type workerControl struct {
	paused atomic.Bool
	allow  atomic.Int32
}

// runSiteWorker is runSite with the worker's controls.
func runSiteWorker(t *testing.T) (string, *workerControl) {
	t.Helper()
	url, w, _ := runSiteOn(t)
	return url, w
}

// runSiteOn is runSiteWorker with the stack it runs on.
func runSiteOn(t *testing.T) (string, *workerControl, *teststack.Stack) {
	t.Helper()
	st := teststack.New(t, moto)
	srv := st.Site(t)
	h := siteHandler(t, st)
	srv.Config.Handler = h
	srv.Start()
	env := st.Env(t, "RunWorkerFunction")
	worker, err := runworkerwire.New(context.Background(), env, st.AWSFor("RunWorkerFunction"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	api, url := sqs.NewFromConfig(st.AWS), env("RUNS_QUEUE_URL")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	ctl := &workerControl{}
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			limit := int32(10)
			if ctl.paused.Load() {
				if limit = min(ctl.allow.Load(), 10); limit <= 0 {
					time.Sleep(100 * time.Millisecond)
					continue
				}
			}
			res, err := api.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: limit,
				MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}, VisibilityTimeout: 60})
			if err != nil || len(res.Messages) == 0 {
				time.Sleep(200 * time.Millisecond)
				continue
			}
			if ctl.paused.Load() {
				ctl.allow.Add(-int32(len(res.Messages)))
			}
			resp, _ := worker.Handle(ctx, queue.Event("arn:aws:sqs:ap-southeast-2:123456789012:runs", res.Messages))
			failed := map[string]bool{}
			for _, f := range resp.BatchItemFailures {
				failed[f.ItemIdentifier] = true
			}
			for _, m := range res.Messages {
				if !failed[*m.MessageId] {
					_, _ = api.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
				}
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return srv.URL, ctl, st
}

// apiClient seeds data through the JSON API with a bearer token.
type apiClient struct {
	t     *testing.T
	base  string
	token string
}

func (c *apiClient) do(method, path string, body any, want int) map[string]any {
	c.t.Helper()
	js, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, c.base+path, bytes.NewReader(js))
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		c.t.Fatalf("%s %s = %d %s", method, path, res.StatusCode, raw)
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

// TestInvoiceRunPages drives the runs pages in Chromium: alerts listed
// with Fix links and left out, the dry-run preview, the run page until
// complete, a parked participant re-queued, the NDIA file and the
// reconciliation uploads with the fix list.
func TestInvoiceRunPages(t *testing.T) {
	t.Parallel()
	base, paused := runSite(t)
	email := fmt.Sprintf("runs%d@example.com", accounts.Add(1))
	c := &apiClient{t: t, base: base}
	c.do("POST", "/auth/signup", map[string]any{"orgName": "Runway Care", "email": email, "password": "Correct-Horse-9"}, 201)
	c.token = c.do("POST", "/auth/login", map[string]any{"email": email, "password": "Correct-Horse-9"}, 200)["token"].(string)
	c.do("PATCH", "/v1/org", map[string]any{"legalName": "Runway Care Pty Ltd", "taxId": "51824753556"}, 200)
	c.do("PUT", "/v1/ndis/provider", map[string]any{"registrationNumber": "4050012345"}, 200)
	first := time.Now().UTC().AddDate(0, -1, 0)
	first = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
	on := func(d int) string { return first.AddDate(0, 0, d-1).Format("2006-01-02") }
	participant := func(name string, funding map[string]any, rate string) string {
		id := c.do("POST", "/v1/clients", map[string]any{"name": name, "contacts": []map[string]any{{"name": name, "email": "p@example.com"}}, "funding": funding}, 201)["id"].(string)
		c.do("PUT", "/v1/clients/"+id+"/ndis-plan", map[string]any{"start": on(1), "end": first.AddDate(1, 0, 0).Format("2006-01-02"),
			"remoteness": "national", "budgets": map[string]string{"07": "5000.00"}}, 200)
		tk := map[string]any{"clientId": id, "supportItem": "07_002_0106_8_3", "date": on(5), "durationMinutes": 60}
		if rate != "" {
			tk["rate"] = rate
		}
		c.do("POST", "/v1/tasks", tk, 201)
		return id
	}
	participant("Ada Ngata", map[string]any{"type": "self_managed", "ndisNumber": "431234567"}, "100.14")
	ndia := participant("Cal Osei", map[string]any{"type": "ndia_managed", "ndisNumber": "431234569"}, "100.14")
	blocked := participant("Dee Park", map[string]any{"type": "plan_managed", "ndisNumber": "431234570",
		"planManager": map[string]any{"name": "PM", "email": "pm@example.com"}}, "")

	b := newBrowser(t, base)
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
	if got := b.text("[data-blocked-list]"); !strings.Contains(got, "Dee Park") || !strings.Contains(got, "set an hourly rate") {
		t.Fatalf("alerts listed %q", got)
	}
	if href := eval[string](b, `document.querySelector('[data-blocked-list] a').getAttribute('href')`); href != "/app/tasks?client="+blocked {
		t.Errorf("fix link %q", href)
	}
	b.click("[data-exclude]")
	b.waitFor("the preview", `!document.querySelector('[data-start]').hidden`)
	if got := b.text("[data-preview-rows]"); !strings.Contains(got, "Ada Ngata") || !strings.Contains(got, "NDIA bulk file") || !strings.Contains(got, "$100.14") {
		t.Fatalf("preview rows %q", got)
	}
	b.click("[data-start]")
	b.waitFor("the run page", `location.pathname.startsWith('/app/runs/run_')`)
	b.waitFor("the run to complete", `document.querySelector('[data-run-summary]').dataset.status === 'complete'`)
	if got := b.text("[data-counts]"); !strings.HasPrefix(got, "2 invoiced, 0 parked") {
		t.Errorf("counts %q", got)
	}
	b.waitFor("the NDIA file link", `!!document.querySelector('[data-file="1"]')`)
	href := eval[string](b, `document.querySelector('[data-file="1"]').getAttribute('href')`)
	file := c.get(href)
	recs, err := csv.NewReader(strings.NewReader(file)).ReadAll()
	if err != nil || len(recs) != 2 || recs[1][1] != "431234569" {
		t.Fatalf("bulk file %q %v", file, err)
	}
	ref := recs[1][5]

	// The NDIA rejects the line: it shows on the fix list.
	dir := t.TempDir()
	results := filepath.Join(dir, "results.csv")
	if err := os.WriteFile(results, []byte("ClaimReference,Status,ErrorMessage,PaidTotalAmount\n"+ref+",ERROR,C22 No plan for the dates,0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Do("choose the results file", chromedp.SetUploadFiles(`[data-upload="ndia-results"] [name=file]`, []string{results}))
	b.click(`[data-upload="ndia-results"] [type=submit]`)
	b.waitFor("the fix list", `!document.querySelector('[data-fix-table]').hidden`)
	if got := b.text("[data-fix-rows]"); !strings.Contains(got, ref) || !strings.Contains(got, "C22") || !strings.Contains(got, "plan covering the dates") {
		t.Errorf("fix list %q", got)
	}
	// Reloading the page shows the fix list again (kept with the run),
	// with the participant, and the NDIA's code once.
	b.open(b.path())
	b.waitFor("the fix list after a reload", `!document.querySelector('[data-fix-table]').hidden`)
	if got := b.text("[data-fix-rows]"); !strings.Contains(got, ref) || strings.Count(got, "C22") != 1 || !strings.Contains(got, "No plan for the dates") ||
		!strings.Contains(b.text("[data-fix-participant]"), "Cal Osei") {
		t.Errorf("fix list after a reload %q", got)
	}
	if got := b.text("[data-fix-link]"); got != "Participant's plan" || eval[string](b, `document.querySelector('[data-fix-link]').getAttribute('href')`) != "/app/clients/"+ndia {
		t.Errorf("C22 fix link %q", got)
	}

	// Blank corrections are said to claim the line again as it was.
	if got := b.text(`[data-reclaim="` + ref + `"] [data-reclaim-unchanged]`); !strings.Contains(got, "claimed again exactly as it was") ||
		eval[bool](b, `document.querySelector('[data-reclaim] [data-reclaim-unchanged]').hidden`) {
		t.Errorf("blank re-claim note %q", got)
	}

	// The coordinator fixes the cause and queues the line for re-claim:
	// a bad support item is refused under its field, a good one queues it.
	b.set(`[data-reclaim="`+ref+`"] [name=supportItem]`, "coordination")
	b.click(`[data-reclaim="` + ref + `"] [type=submit]`)
	b.waitFor("the support item's error", `!!document.querySelector('[data-reclaim] .field-error')`)
	b.set(`[data-reclaim="`+ref+`"] [name=supportItem]`, "07_001_0106_8_3")
	b.click(`[data-reclaim="` + ref + `"] [type=submit]`)
	b.waitFor("the line queued for re-claim", `!!document.querySelector('[data-reclaim-state="queued"]')`)
	if got := b.text(`[data-fix="` + ref + `"]`); !strings.Contains(got, ref+"-R1") {
		t.Errorf("queued fix line %q", got)
	}
	if got := b.text(`[data-fix="` + ref + `"] [data-reclaim-as]`); !strings.Contains(got, "07_001_0106_8_3") || !strings.Contains(got, "$100.14") {
		t.Errorf("queued fix line's corrected values %q", got)
	}
	firstRun := b.path()

	// A period with nothing new to invoice still previews the queued
	// re-claim and offers to start the run (not started here: the next
	// run below claims it).
	b.open("/app/runs")
	b.set("[name=periodStart]", on(10))
	b.set("[name=periodEnd]", on(12))
	b.click("[data-preview]")
	b.waitFor("the re-claim preview", `!document.querySelector('[data-preview-reclaims]').hidden`)
	if got := b.text("[data-preview-reclaims]"); !strings.Contains(got, ref+"-R1") || !strings.Contains(got, "Cal Osei") || !strings.Contains(got, "$100.14") {
		t.Errorf("re-claims previewed %q", got)
	}
	if got := b.text("[data-preview-status]"); strings.Contains(got, "Nothing to invoice") || eval[bool](b, `document.querySelector('[data-start]').hidden`) {
		t.Errorf("preview of re-claims only: %q, start hidden", got)
	}

	// A parked participant is re-queued from the run page.
	// (more work in a period than one invoice claims parks a participant).
	// (its budget cut below its work after the run started parks it).
	many := participant("Eve Many", map[string]any{"type": "self_managed", "ndisNumber": "431234571"}, "100.14")
	plan := func(budget string) {
		c.do("PUT", "/v1/clients/"+many+"/ndis-plan", map[string]any{"start": on(1), "end": first.AddDate(1, 0, 0).Format("2006-01-02"),
			"remoteness": "national", "budgets": map[string]string{"07": budget}}, 200)
	}
	paused.Store(true)
	c.do("POST", "/v1/invoice-runs", map[string]any{"periodStart": on(1), "periodEnd": on(28), "excludeClientIds": []string{blocked}}, 202)
	plan("10.00")
	paused.Store(false)
	b.open("/app/runs")
	b.waitFor("two batches", `document.querySelectorAll('[data-runs] tr').length === 2`)
	b.click(`[data-runs] tr:first-child a`)
	b.waitFor("the second run to complete", `['complete_with_parked', 'complete'].includes(document.querySelector('[data-run-summary]').dataset.status)`)
	if b.text("[data-run-summary]") != "Complete, with parked participants" {
		t.Fatalf("second run: %q, %q", b.text("[data-run-summary]"), b.text("[data-clients]"))
	}
	b.waitFor("the left-out participant offered", `!!document.querySelector('[data-excluded-client=`+js(blocked)+`] [data-add]')`)
	if got := b.text(`[data-client="` + many + `"]`); !strings.Contains(got, "budget_exceeded") {
		t.Errorf("parked row %q", got)
	}
	if got := b.text("[data-counts]"); !strings.Contains(got, "claims again 1 rejected line of earlier runs: "+ref+"-R1") {
		t.Errorf("the next run's counts %q", got)
	}
	plan("5000.00")
	b.click(`[data-requeue="` + many + `"]`)
	b.waitFor("the run to complete after the fix", `document.querySelector('[data-run-summary]').dataset.status === 'complete'`)
	if got := b.text(`[data-client="` + many + `"]`); !strings.Contains(got, "Invoiced") || !strings.Contains(got, "INV-00003") {
		t.Errorf("re-queued row %q", got)
	}

	// Back on the first run, the line says which run re-claimed it.
	b.open(firstRun)
	b.waitFor("the re-claimed line", `!!document.querySelector('[data-reclaim-state="reclaimed"] a')`)
	if got := b.text(`[data-fix="` + ref + `"]`); !strings.Contains(got, "Re-claimed as "+ref+"-R1 in a later run") {
		t.Errorf("re-claimed fix line %q", got)
	}
	secondRun := eval[string](b, `document.querySelector('[data-reclaim-state="reclaimed"] a').getAttribute('href')`)

	// A remittance for the re-claim uploaded on the first run pays
	// nothing here; the message names the line and the run it is in.
	remit := filepath.Join(dir, "remittance.csv")
	if err := os.WriteFile(remit, []byte("ProvClaimRef,AmountClaimed,AmountPaid,BulkClmId\n"+ref+"-R1,100.14,100.14,F9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Do("choose the remittance file", chromedp.SetUploadFiles(`[data-upload="ndia-remittance"] [name=file]`, []string{remit}))
	b.click(`[data-upload="ndia-remittance"] [type=submit]`)
	b.waitFor("the unmatched line", `!!document.querySelector('[data-unmatched-ref]')`)
	if got := b.text("[data-recon-result]"); !strings.Contains(got, "0 lines paid") || !strings.Contains(got, "1 not in this run") || !strings.Contains(got, ref+"-R1 is in another run") {
		t.Errorf("remittance message %q", got)
	}
	if got := eval[string](b, `document.querySelector('[data-unmatched-ref] a').getAttribute('href')`); got != secondRun || got == firstRun {
		t.Errorf("unmatched line links to %q, want the re-claiming run %q", got, secondRun)
	}

	// A price rejection (C17) points at the re-claim's unit price field.
	b.open(secondRun)
	priced := filepath.Join(dir, "results-c17.csv")
	if err := os.WriteFile(priced, []byte("ClaimReference,Status,ErrorCode,ErrorMessage,PaidTotalAmount\n"+ref+"-R1,ERROR,C17,Unit price not valid,0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Do("choose the C17 results file", chromedp.SetUploadFiles(`[data-upload="ndia-results"] [name=file]`, []string{priced}))
	b.click(`[data-upload="ndia-results"] [type=submit]`)
	b.waitFor("the C17 fix link", `!!document.querySelector('[data-fix-link]')`)
	if got := b.text(`[data-fix="` + ref + `-R1"] [data-fix-link]`); got != "Re-claim's unit price" {
		t.Fatalf("C17 fix link %q", got)
	}
	b.click(`[data-fix="` + ref + `-R1"] [data-fix-link]`)
	b.waitFor("the unit price field focused", `document.activeElement && document.activeElement.name === 'unitPrice'`)
}

func (c *apiClient) get(path string) string {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		c.t.Fatalf("GET %s = %d %s", path, res.StatusCode, raw)
	}
	return string(raw)
}
