package httpapi_test

import (
	"context"
	"encoding/csv"
	"log/slog"
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/runworker"
	runworkerwire "github.com/carebill/carebill/internal/wire/runworker"
)

// runWorker drains the runs queue through functions/run-worker's handler,
// as the SQS event source would.
func (a *api) runWorker(t *testing.T) func() {
	t.Helper()
	env := a.st.Env(t, "RunWorkerFunction")
	h, err := runworkerwire.New(context.Background(), env, a.st.AWSFor("RunWorkerFunction"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	api := sqs.NewFromConfig(a.st.AWS)
	url := env("RUNS_QUEUE_URL")
	return func() {
		t.Helper()
		drain(t, api, url, h)
	}
}

func drain(t *testing.T, api *sqs.Client, url string, h *runworker.Handler) {
	t.Helper()
	for {
		res, err := api.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}, VisibilityTimeout: 60})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Messages) == 0 {
			return
		}
		resp, err := h.Handle(context.Background(), queue.Event("arn:aws:sqs:ap-southeast-2:123456789012:runs", res.Messages))
		if err != nil || len(resp.BatchItemFailures) > 0 {
			t.Fatalf("worker: %v %v", err, resp.BatchItemFailures)
		}
		for _, m := range res.Messages {
			if _, err := api.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestInvoiceRunJourney is a coordinator's period end through the API:
// alerts refuse the run and link to their fix, a dry run previews, the
// real run invoices and routes each participant, the NDIA file downloads,
// a results file puts a rejected line on the fix list and the remittance
// pays the rest, once.
func TestInvoiceRunJourney(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	drainRuns := a.runWorker(t)
	admin := a.signup("Run Care")
	admin.must(200, "PATCH", "/v1/org", map[string]any{"legalName": "Run Care Pty Ltd", "taxId": "51824753556"})
	admin.must(200, "PUT", "/v1/ndis/provider", map[string]any{"registrationNumber": "4050012345"})

	// Last month, so every task is in the past whenever the test runs.
	first := time.Now().UTC().AddDate(0, -1, 0)
	first = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1)
	on := func(d int) string { return first.AddDate(0, 0, d-1).Format("2006-01-02") }
	period := map[string]any{"periodStart": first.Format("2006-01-02"), "periodEnd": last.Format("2006-01-02")}

	participant := func(name string, funding map[string]any, tasks ...map[string]any) string {
		c := admin.must(201, "POST", "/v1/clients", map[string]any{"name": name,
			"contacts": []map[string]any{{"name": name, "email": strings.ToLower(strings.Fields(name)[0]) + "@example.com", "phone": "+61412345678"}},
			"funding":  funding})
		id := c.str("id")
		admin.must(200, "PUT", "/v1/clients/"+id+"/ndis-plan", map[string]any{"start": first.AddDate(0, -6, 0).Format("2006-01-02"),
			"end": first.AddDate(0, 6, 0).Format("2006-01-02"), "remoteness": "national", "budgets": map[string]string{"07": "5000.00"}})
		for _, tk := range tasks {
			tk["clientId"] = id
			admin.must(201, "POST", "/v1/tasks", tk)
		}
		return id
	}
	task := func(d int, minutes int) map[string]any {
		return map[string]any{"supportItem": "07_002_0106_8_3", "date": on(d), "durationMinutes": minutes, "rate": "100.14"}
	}
	self := participant("Ada Ngata", map[string]any{"type": "self_managed", "ndisNumber": "431234567"}, task(3, 60), task(10, 45))
	plan := participant("Ben Ruiz", map[string]any{"type": "plan_managed", "ndisNumber": "431234568",
		"planManager": map[string]any{"name": "Plan Partners", "email": "invoices@planpartners.example"}}, task(4, 90))
	tele := task(12, 50)
	tele["claimType"] = "telehealth"
	ndia := participant("Cal Osei", map[string]any{"type": "ndia_managed", "ndisNumber": "431234569"}, task(5, 60), tele)
	noRate := task(6, 30)
	delete(noRate, "rate")
	blocked := participant("Dee Park", map[string]any{"type": "self_managed", "ndisNumber": "431234570"}, noRate)

	// Alerts refuse the run, each with a link to its fix.
	r := admin.must(422, "POST", "/v1/invoice-runs", period)
	if r.str("error", "code") != "run_blocked" || !strings.Contains(r.raw, `"clientId":"`+blocked+`"`) || !strings.Contains(r.raw, `"code":"missing_rate"`) ||
		!strings.Contains(r.raw, `"fix":"/app/tasks?client=`+blocked+`"`) {
		t.Fatalf("blocked run = %s", r.raw)
	}
	withExclusion := map[string]any{"periodStart": period["periodStart"], "periodEnd": period["periodEnd"], "excludeClientIds": []string{blocked}}

	// The dry run previews, writing nothing.
	dry := map[string]any{"dryRun": true}
	for k, v := range withExclusion {
		dry[k] = v
	}
	r = admin.must(202, "POST", "/v1/invoice-runs", dry)
	dryID := r.str("id")
	if r.str("status") != "queued" || r.body["counts"].(map[string]any)["total"] != float64(3) {
		t.Fatalf("dry run = %s", r.raw)
	}
	drainRuns()
	dv := admin.must(200, "GET", "/v1/invoice-runs/"+dryID, nil)
	if dv.str("run", "status") != "complete" {
		t.Fatalf("dry run after the worker = %s", dv.raw)
	}
	if l := admin.must(200, "GET", "/v1/invoices", nil).list(); len(l) != 0 {
		t.Fatalf("a dry run wrote %d invoices", len(l))
	}
	admin.must(409, "GET", "/v1/invoice-runs/"+dryID+"/ndia-bulk-upload.csv", nil)

	// The real run.
	r = admin.must(202, "POST", "/v1/invoice-runs", withExclusion)
	runID := r.str("id")
	if r.header.Get("Location") != "/v1/invoice-runs/"+runID {
		t.Errorf("Location %q", r.header.Get("Location"))
	}
	admin.must(409, "POST", "/v1/invoice-runs", withExclusion)
	drainRuns()
	rv := admin.must(200, "GET", "/v1/invoice-runs/"+runID, nil)
	if rv.str("run", "status") != "complete" || !strings.Contains(rv.raw, `"ndia_bulk_file":1`) || !strings.Contains(rv.raw, `"plan_manager":1`) {
		t.Fatalf("run = %s", rv.raw)
	}
	invoices := map[string]string{}
	for _, c := range rv.body["clients"].([]any) {
		c := c.(map[string]any)
		if c["state"] != "invoiced" || c["routed"] != true || c["invoice"] == "" {
			t.Errorf("client %v", c)
		}
		invoices[c["clientId"].(string)] = c["invoiceId"].(string)
	}
	for id, want := range map[string]int{self: 2, plan: 1, ndia: 0} {
		ds := admin.must(200, "GET", "/v1/invoices/"+invoices[id]+"/deliveries", nil).list()
		if len(ds) != want {
			t.Errorf("%s: %d deliveries, want %d", id, len(ds), want)
		}
	}
	if list := admin.must(200, "GET", "/v1/invoice-runs", nil).list(); len(list) != 2 || list[0]["id"] != runID {
		t.Errorf("batches page = %v", list)
	}

	// An invoiced task says so and can no longer be changed or deleted;
	// the left-out participant's task is fixed where its link leads.
	invoiced := admin.must(200, "GET", "/v1/tasks?clientId="+self, nil).list()[0]
	tid := invoiced["id"].(string)
	if invoiced["invoiceId"] != invoices[self] || invoiced["readyToInvoice"] != false {
		t.Fatalf("invoiced task = %v, want invoiceId %s", invoiced, invoices[self])
	}
	if r := admin.must(409, "PATCH", "/v1/tasks/"+tid, map[string]any{"rate": "90.00"}); r.str("error", "code") != "task_invoiced" {
		t.Fatalf("PATCH of an invoiced task = %s", r.raw)
	}
	if r := admin.must(409, "DELETE", "/v1/tasks/"+tid, nil); r.str("error", "code") != "task_invoiced" {
		t.Fatalf("DELETE of an invoiced task = %s", r.raw)
	}
	if got := admin.must(200, "GET", "/v1/tasks/"+tid, nil); got.str("rate") != "100.14" {
		t.Fatalf("a refused PATCH changed the task: %s", got.raw)
	}
	stuck := admin.must(200, "GET", "/v1/tasks?clientId="+blocked, nil).list()[0]["id"].(string)
	admin.must(400, "PATCH", "/v1/tasks/"+stuck, map[string]any{"rate": "-1"})
	admin.must(400, "PATCH", "/v1/tasks/"+stuck, map[string]any{"clientId": self})
	if fixed := admin.must(200, "PATCH", "/v1/tasks/"+stuck, map[string]any{"rate": "100.14", "notes": "Rate agreed"}); alertCodes(fixed.body) != "" ||
		fixed.body["readyToInvoice"] != true || fixed.str("amount") != "50.07" || fixed.str("clientId") != blocked {
		t.Fatalf("fixed task = %s", fixed.raw)
	}
	admin.must(204, "DELETE", "/v1/tasks/"+stuck, nil)
	admin.must(404, "GET", "/v1/tasks/"+stuck, nil)
	admin.must(404, "DELETE", "/v1/tasks/"+stuck, nil)

	// The NDIA bulk upload file.
	f := admin.must(200, "GET", "/v1/invoice-runs/"+runID+"/ndia-bulk-upload.csv", nil)
	_, params, _ := mime.ParseMediaType(f.header.Get("Content-Disposition"))
	recs, err := csv.NewReader(strings.NewReader(f.raw)).ReadAll()
	if err != nil || len(recs) != 3 || len(params["filename"]) > 20 || recs[0][0] != "RegistrationNumber" || recs[2][13] != "THLT" || recs[2][7] != "0:50" {
		t.Fatalf("bulk file %q: %q (%v)", params["filename"], f.raw, err)
	}
	ref1, ref2 := recs[1][5], recs[2][5]

	// Results: one line rejected goes on the fix list.
	results := "Claim Reference,Payment Request Status,Error Message,Paid Total Amount,Capped Price\n" +
		ref1 + ",SUCCESSFUL,,100.14,N\n" + ref2 + ",ERROR,C15 Provider not registered for the item,0,\n"
	r = admin.must(200, "POST", "/v1/invoice-runs/"+runID+"/ndia-results", map[string]any{"fileName": "results.csv", "csv": results})
	fix := r.body["fixList"].([]any)
	if r.body["rejected"] != float64(1) || len(fix) != 1 || fix[0].(map[string]any)["claimReference"] != ref2 || fix[0].(map[string]any)["code"] != "C15" ||
		!strings.Contains(fix[0].(map[string]any)["fix"].(string), "registered") {
		t.Fatalf("results = %s", r.raw)
	}

	// The fix list is kept with the run: a reload (GET) shows it, with the
	// participant and the NDIA's code and message apart. The NDIA's own
	// header names (ErrorCode, ErrorMessage) are read, and uploading the
	// same file again changes nothing.
	results = "ClaimReference,PaymentRequestStatus,ErrorCode,ErrorMessage,PaidTotalAmount\n" +
		ref1 + ",SUCCESSFUL,,,100.14\n" + ref2 + ",ERROR,C09,Service booking does not include the item,0\n"
	for i := range 2 {
		admin.must(200, "POST", "/v1/invoice-runs/"+runID+"/ndia-results", map[string]any{"fileName": "results.csv", "csv": results})
		got := admin.must(200, "GET", "/v1/invoice-runs/"+runID, nil)
		fix, _ := got.body["fixList"].([]any)
		if len(fix) != 1 {
			t.Fatalf("upload %d: run's fix list = %s", i+1, got.raw)
		}
		l := fix[0].(map[string]any)
		if l["claimReference"] != ref2 || l["invoiceId"] != invoices[ndia] || l["clientId"] != ndia || l["clientName"] == "" || l["number"] == "" ||
			l["code"] != "C09" || l["message"] != "Service booking does not include the item" || !strings.Contains(l["fix"].(string), "service booking") {
			t.Fatalf("upload %d: fix line = %v", i+1, l)
		}
	}
	bad := admin.must(400, "POST", "/v1/invoice-runs/"+runID+"/ndia-results", map[string]any{"fileName": "results.csv",
		"csv": "Reference,Status,ErrorCode\n" + ref2 + ",SUCCESSFUL,\n"})
	if !strings.Contains(bad.raw, "ClaimReference") || !strings.Contains(bad.raw, "ProvClaimRef") {
		t.Errorf("results without a claim reference column = %s", bad.raw)
	}
	if fix := admin.must(200, "GET", "/v1/invoice-runs/"+runID, nil).body["fixList"].([]any); len(fix) != 1 || fix[0].(map[string]any)["code"] != "C09" {
		t.Errorf("a refused upload changed the fix list: %v", fix)
	}

	// The remittance pays the rest, once.
	remit := "PayReqDocDate,ProvClaimRef,AmountClaimed,AmountPaid,BulkClmId\n" + time.Now().Format("02012006") + "," + ref1 + ",100.14,100.14," + params["filename"] + "\n"
	for i := range 2 {
		r = admin.must(200, "POST", "/v1/invoice-runs/"+runID+"/ndia-remittance", map[string]any{"fileName": "remit.csv", "csv": remit})
		if want := []int{1, 0}[i]; len(r.body["payments"].([]any)) != want {
			t.Fatalf("remittance %d = %s", i+1, r.raw)
		}
	}
	inv := admin.must(200, "GET", "/v1/invoices/"+invoices[ndia], nil)
	if inv.str("amountPaid") != "100.14" || inv.str("balance") != "83.45" {
		t.Errorf("NDIA invoice after remittance: paid %s balance %s", inv.str("amountPaid"), inv.str("balance"))
	}

	// The rejected line is fixed and queued for re-claim from the fix
	// list; the next run's file claims it under a new reference (never
	// the rejected one) and its remittance pays the same invoice.
	admin.must(409, "POST", "/v1/invoice-runs/"+runID+"/reclaims", map[string]any{"claimReference": ref1})
	admin.must(400, "POST", "/v1/invoice-runs/"+runID+"/reclaims", map[string]any{"claimReference": ref2, "unitPrice": "lots"})
	r = admin.must(200, "POST", "/v1/invoice-runs/"+runID+"/reclaims", map[string]any{"claimReference": ref2, "supportItem": "07_001_0106_8_3"})
	reclaimOf := func(r reply) map[string]any {
		t.Helper()
		fix, _ := r.body["fixList"].([]any)
		if len(fix) != 1 {
			t.Fatalf("fix list = %s", r.raw)
		}
		rc, _ := fix[0].(map[string]any)["reclaim"].(map[string]any)
		if rc == nil || rc["claimReference"] != ref2+"-R1" || rc["invoiceId"] != invoices[ndia] {
			t.Fatalf("fix list = %s", r.raw)
		}
		return rc
	}
	if rc := reclaimOf(r); rc["state"] != "queued" || rc["supportItem"] != "07_001_0106_8_3" || r.body["fixList"].([]any)[0].(map[string]any)["canReclaim"] != true {
		t.Fatalf("queued re-claim = %v", rc)
	}
	today := time.Now().UTC()
	next := admin.must(202, "POST", "/v1/invoice-runs", map[string]any{"periodStart": today.AddDate(0, 0, 1-today.Day()).Format("2006-01-02"), "periodEnd": today.Format("2006-01-02")})
	nextID := next.str("id")
	drainRuns()
	nv := admin.must(200, "GET", "/v1/invoice-runs/"+nextID, nil)
	if nv.body["run"].(map[string]any)["counts"].(map[string]any)["reclaims"] != float64(1) || len(nv.body["run"].(map[string]any)["links"].(map[string]any)["files"].([]any)) != 1 {
		t.Fatalf("next run = %s", nv.raw)
	}
	f = admin.must(200, "GET", "/v1/invoice-runs/"+nextID+"/ndia-bulk-upload.csv", nil)
	recs, err = csv.NewReader(strings.NewReader(f.raw)).ReadAll()
	if err != nil || len(recs) != 2 || recs[1][5] != ref2+"-R1" || recs[1][4] != "07_001_0106_8_3" || strings.Contains(f.raw, ref2+",") {
		t.Fatalf("next run's bulk file %q (%v)", f.raw, err)
	}
	got := admin.must(200, "GET", "/v1/invoice-runs/"+runID, nil)
	if rc := reclaimOf(got); rc["state"] != "reclaimed" || rc["runId"] != nextID || got.body["fixList"].([]any)[0].(map[string]any)["canReclaim"] != false {
		t.Fatalf("re-claimed line = %s", got.raw)
	}
	admin.must(409, "POST", "/v1/invoice-runs/"+runID+"/reclaims", map[string]any{"claimReference": ref2})
	admin.must(200, "POST", "/v1/invoice-runs/"+nextID+"/ndia-remittance", map[string]any{"fileName": "remit2.csv",
		"csv": "ProvClaimRef,AmountClaimed,AmountPaid\n" + ref2 + "-R1,83.45,83.45\n"})
	if inv := admin.must(200, "GET", "/v1/invoices/"+invoices[ndia], nil); inv.str("balance") != "0.00" || inv.str("status") != "paid" {
		t.Errorf("NDIA invoice after the re-claim's remittance: %s", inv.raw)
	}
	if rc := reclaimOf(admin.must(200, "GET", "/v1/invoice-runs/"+runID, nil)); rc["state"] != "paid" {
		t.Errorf("paid re-claim = %v", rc)
	}

	// The budget follows what the run invoiced.
	b := admin.must(200, "GET", "/v1/clients/"+ndia+"/budget", nil)
	if !strings.Contains(b.raw, `"spent":"183.59"`) || !strings.Contains(b.raw, `"remaining":"4816.41"`) {
		t.Errorf("budget = %s", b.raw)
	}
	b = admin.must(200, "GET", "/v1/clients/"+blocked+"/budget", nil)
	if !strings.Contains(b.raw, `"spent":"0.00"`) {
		t.Errorf("uninvoiced budget = %s", b.raw)
	}
}
