package httpapi_test

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"
)

// TestShortNoticeCancellationIsInvoicedAndClaimed is the trial's NSDH
// cancellation through the API: a support coordination session cancelled
// at short notice is invoiced at once like an attended one (auto-
// invoicing on) and spent in the budget; one cancelled with enough notice
// refuses the reason (422) and, without it, bills nothing; with
// auto-invoicing off an NDIA-managed participant's short notice
// cancellation is committed in the budget, then the run invoices it and
// its NDIA bulk file line is claim type CANC with the reason and the
// booked hours.
func TestShortNoticeCancellationIsInvoicedAndClaimed(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	drainRuns := a.runWorker(t)
	admin := a.signup("Short Notice Care")
	admin.must(200, "PATCH", "/v1/org", map[string]any{"legalName": "Short Notice Care Pty Ltd", "taxId": "51824753556"})
	admin.must(200, "PUT", "/v1/ndis/provider", map[string]any{"registrationNumber": "4050012345"})
	first := time.Now().UTC().AddDate(0, -1, 0)
	first = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1)
	participant := func(name, funding, ndisNumber string) string {
		id := admin.must(201, "POST", "/v1/clients", map[string]any{"name": name,
			"contacts": []map[string]any{{"name": name, "email": strings.ToLower(strings.Fields(name)[0]) + "@example.com"}},
			"funding":  map[string]any{"type": funding, "ndisNumber": ndisNumber}}).str("id")
		admin.must(200, "PUT", "/v1/clients/"+id+"/ndis-plan", map[string]any{"start": first.AddDate(0, -6, 0).Format("2006-01-02"),
			"end": first.AddDate(0, 6, 0).Format("2006-01-02"), "remoteness": "national", "budgets": map[string]string{"07": "5000.00"}})
		return id
	}
	book := func(cid string, start time.Time) string {
		return admin.must(201, "POST", "/v1/sessions", map[string]any{"clientId": cid, "start": start.Format(time.RFC3339), "durationMinutes": 60,
			"service": map[string]any{"description": "Support coordination", "rate": "100.14", "supportItem": "07_002_0106_8_3"}}).str("id")
	}
	budget := func(cid string) string {
		return admin.must(200, "GET", "/v1/clients/"+cid+"/budget", nil).raw
	}
	delivered := time.Date(first.Year(), first.Month(), 10, 10, 0, 0, 0, time.UTC)

	// Auto-invoicing on (the default): cancelled at short notice (after
	// the start: told on the day), invoiced at once at the booked price.
	sam := participant("Sam Lee", "self_managed", "431234571")
	r := admin.must(200, "POST", "/v1/sessions/"+book(sam, delivered)+"/attendance", map[string]any{"status": "cancelled", "cancellationReason": "NSDH"})
	if r.str("session", "attendance") != "cancelled" || r.str("session", "cancellationReason") != "NSDH" || r.str("invoice", "status") != "open" ||
		r.str("invoice", "total") != "100.14" || !strings.Contains(r.raw, "claim type CANC short notice cancellation (NSDH)") {
		t.Fatalf("short notice cancellation = %s", r.raw)
	}
	if b := budget(sam); !strings.Contains(b, `"spent":"100.14"`) || !strings.Contains(b, `"committed":"0.00"`) {
		t.Fatalf("budget after the cancellation's invoice = %s", b)
	}

	// Two weeks' notice is not short notice: the reason is refused and
	// nothing changes; cancelled without it, nothing is billed.
	ahead := book(sam, time.Now().UTC().AddDate(0, 0, 14))
	if e := admin.must(422, "POST", "/v1/sessions/"+ahead+"/attendance", map[string]any{"status": "cancelled", "cancellationReason": "NSDH"}); e.str("error", "code") != "not_short_notice" ||
		!strings.Contains(e.str("error", "message"), "2 clear business days") {
		t.Fatalf("a reason with enough notice = %s", e.raw)
	}
	if s := admin.must(200, "GET", "/v1/sessions/"+ahead, nil); s.str("attendance") != "scheduled" {
		t.Fatalf("a refused cancellation changed the session: %s", s.raw)
	}
	if r := admin.must(200, "POST", "/v1/sessions/"+ahead+"/attendance", map[string]any{"status": "cancelled"}); r.body["invoice"] != nil {
		t.Fatalf("a cancellation with notice billed: %s", r.raw)
	}
	if l := admin.must(200, "GET", "/v1/invoices?clientId="+sam, nil).list(); len(l) != 1 {
		t.Fatalf("%d invoices for Sam, want the cancellation's only", len(l))
	}

	// Auto-invoicing off: an NDIA-managed participant's short notice
	// cancellation is committed, then the run claims it.
	admin.must(200, "PATCH", "/v1/org", map[string]any{"autoInvoice": map[string]any{"enabled": false}})
	nia := participant("Nia Cole", "ndia_managed", "431234572")
	if r := admin.must(200, "POST", "/v1/sessions/"+book(nia, delivered.Add(26*time.Hour))+"/attendance", map[string]any{"status": "cancelled", "cancellationReason": "NSDT"}); r.body["invoice"] != nil {
		t.Fatalf("auto-invoicing off made an invoice: %s", r.raw)
	}
	if b := budget(nia); !strings.Contains(b, `"committed":"100.14"`) || !strings.Contains(b, `"spent":"0.00"`) {
		t.Fatalf("budget before the run = %s", b)
	}
	runID := admin.must(202, "POST", "/v1/invoice-runs", map[string]any{"periodStart": first.Format("2006-01-02"), "periodEnd": last.Format("2006-01-02")}).str("id")
	drainRuns()
	if v := admin.must(200, "GET", "/v1/invoice-runs/"+runID, nil); v.str("run", "status") != "complete" || !strings.Contains(v.raw, `"ndia_bulk_file":1`) {
		t.Fatalf("run = %s", v.raw)
	}
	f := admin.must(200, "GET", "/v1/invoice-runs/"+runID+"/ndia-bulk-upload.csv", nil)
	recs, err := csv.NewReader(strings.NewReader(f.raw)).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("bulk file %q (%v)", f.raw, err)
	}
	row := recs[1]
	if row[1] != "431234572" || row[4] != "07_002_0106_8_3" || row[6] != "" || row[7] != "1:00" || row[8] != "100.14" || row[13] != "CANC" || row[14] != "NSDT" {
		t.Fatalf("claim line %q", row)
	}
	if b := budget(nia); !strings.Contains(b, `"spent":"100.14"`) || !strings.Contains(b, `"committed":"0.00"`) {
		t.Fatalf("budget after the run = %s", b)
	}
}
