package httpapi_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/export"
)

// download GETs an export and returns its status, content type, file name
// and body.
func (s *session) download(path string) (int, string, string, []byte) {
	s.a.t.Helper()
	req, _ := http.NewRequest("GET", s.a.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.a.t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		s.a.t.Fatalf("GET %s: body: %v", path, err)
	}
	return res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"), body
}

// threeLines is Xero's published rounding example: 25.06, 25.61 and 25.63 at 15%.
func threeLines(cid, issue string) map[string]any {
	var lines []map[string]any
	for _, p := range []string{"25.06", "25.61", "25.63"} {
		lines = append(lines, map[string]any{"type": "fixed", "description": "Item " + p, "amount": p, "taxRate": "15"})
	}
	return map[string]any{"clientId": cid, "name": "November", "issueDate": issue, "poNumber": "PO-1", "lineItems": lines}
}

func issue(s *session, body map[string]any) reply {
	s.a.t.Helper()
	inv := s.must(201, "POST", "/v1/invoices", body)
	return s.must(200, "POST", "/v1/invoices/"+inv.str("id")+"/finalize", nil)
}

func parseCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("not a CSV: %v\n%s", err, b)
	}
	return rows
}

// testExportsFollowTaxRoundingAndFormats is the issue's export journey: an
// org on per-line rounding issues the published example (11.44 tax where
// per-rate gives 11.45), switches back, issues it again; the month's Xero
// and QuickBooks exports hold exactly the issued invoices, in the formats'
// columns, adding up to carebill's totals to the cent.
func testExportsFollowTaxRoundingAndFormats(t *testing.T, a *api) {
	s := a.signup("Export Care")
	org := s.must(200, "GET", "/v1/org", nil)
	if org.str("accounting", "taxRounding") != "per_rate" || org.str("accounting", "accountCode") != "200" ||
		org.str("accounting", "xeroTaxTypeTaxed") != "GST on Income" || org.str("accounting", "xeroTaxTypeFree") != "GST Free Income" {
		t.Fatalf("accounting defaults: %s", org.raw)
	}
	for _, bad := range []map[string]any{
		{"taxRounding": "per_invoice"}, {"accountCode": "=cmd"}, {"accountCode": ""}, {"xeroTaxTypeTaxed": "@x"}, {"qboItem": 7},
	} {
		r := s.do("PATCH", "/v1/org", map[string]any{"accounting": bad})
		if r.status != 400 {
			t.Fatalf("PATCH accounting %v = %d %s, want 400", bad, r.status, r.raw)
		}
	}
	if got := s.must(200, "GET", "/v1/org", nil); got.str("accounting", "accountCode") != "200" {
		t.Fatalf("a refused patch changed settings: %s", got.raw)
	}
	s.must(200, "PATCH", "/v1/org", map[string]any{"accounting": map[string]any{"taxRounding": "per_line", "accountCode": "4000"}})

	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "=Zoë, \"Z\" Ng", "contacts": []map[string]any{{"name": "Zoë", "email": "zoe@example.com"}}}).str("id")
	perLine := issue(s, threeLines(cid, "2026-11-03"))
	if perLine.str("taxTotal") != "11.44" || perLine.str("total") != "87.74" {
		t.Fatalf("per-line invoice: %s", perLine.raw)
	}
	if txt := pdfText(t, s, "/v1/invoices/"+perLine.str("id")+"/pdf"); !strings.Contains(txt, "11.44") || !strings.Contains(txt, "87.74") {
		t.Fatalf("the PDF does not follow per-line rounding:\n%s", txt)
	}
	s.must(200, "PATCH", "/v1/org", map[string]any{"accounting": map[string]any{"taxRounding": "per_rate"}})
	perRate := issue(s, threeLines(cid, "2026-11-20"))
	if perRate.str("taxTotal") != "11.45" || perRate.str("total") != "87.75" {
		t.Fatalf("per-rate invoice: %s", perRate.raw)
	}
	if again := s.must(200, "GET", "/v1/invoices/"+perLine.str("id"), nil); again.str("total") != "87.74" {
		t.Fatalf("an issued invoice changed with the org setting: %s", again.raw)
	}
	// Not exported: a draft, a void invoice, one outside the range, another org's.
	s.must(201, "POST", "/v1/invoices", threeLines(cid, "2026-11-10"))
	void := issue(s, threeLines(cid, "2026-11-11"))
	s.must(200, "POST", "/v1/invoices/"+void.str("id")+"/void", map[string]any{"reason": "wrong client"})
	issue(s, threeLines(cid, "2026-12-01"))
	other := a.signup("Other Care")
	ocid := other.must(201, "POST", "/v1/clients", map[string]any{"name": "Other"}).str("id")
	issue(other, threeLines(ocid, "2026-11-05"))

	status, ct, disp, body := s.download("/v1/invoices/export.csv?format=xero&from=2026-11-01&to=2026-11-30")
	if status != 200 || ct != "text/csv; charset=utf-8" || disp != `attachment; filename=xero-invoices-2026-11-01-to-2026-11-30.csv` {
		t.Fatalf("xero export: %d %q %q %s", status, ct, disp, body)
	}
	rows := parseCSV(t, body)
	if strings.Join(rows[0], ",") != strings.Join(export.XeroHeader, ",") || len(rows) != 7 {
		t.Fatalf("xero export rows: %q", rows)
	}
	totals := map[string]decimal.Decimal{}
	for _, r := range rows[1:] {
		if r[0] != "'=Zoë, \"Z\" Ng" || r[1] != "zoe@example.com" || r[11] != "PO-1" || r[20] != "4000" || r[21] != "GST on Income" || r[27] != "AUD" {
			t.Fatalf("xero row: %q", r)
		}
		amt := decimal.RequireFromString(r[17]).Mul(decimal.RequireFromString(r[18])).Round(2)
		totals[r[10]] = totals[r[10]].Add(amt).Add(decimal.RequireFromString(r[22]))
	}
	if rows[1][10] != perLine.str("number") || rows[1][12] != "03/11/2026" || rows[1][13] != "17/11/2026" || rows[4][12] != "20/11/2026" {
		t.Fatalf("xero numbers and dates: %q", rows)
	}
	if totals[perLine.str("number")].StringFixed(2) != "87.74" || totals[perRate.str("number")].StringFixed(2) != "87.75" || len(totals) != 2 {
		t.Fatalf("xero would import totals %v, want 87.74 and 87.75", totals)
	}

	status, ct, _, body = s.download("/v1/invoices/export.csv?format=quickbooks&from=2026-11-01&to=2026-11-30")
	if status != 200 || ct != "text/csv; charset=utf-8" {
		t.Fatalf("quickbooks export: %d %s %s", status, ct, body)
	}
	rows = parseCSV(t, body)
	if strings.Join(rows[0], ",") != strings.Join(export.QuickBooksTaxHeader, ",") || len(rows) != 7 {
		t.Fatalf("quickbooks rows: %q", rows)
	}
	want := []string{perLine.str("number"), "'=Zoë, \"Z\" Ng", "03/11/2026", "17/11/2026", "", "", "", "Services", "Item 25.06", "1", "25.06", "25.06", "03/11/2026", "GST", "3.76", "AUD"}
	if strings.Join(rows[1], "|") != strings.Join(want, "|") {
		t.Fatalf("quickbooks first row:\n got %q\nwant %q", rows[1], want)
	}

	// The other org's export of the same month holds only its own invoice.
	_, _, _, body = other.download("/v1/invoices/export.csv?format=xero&from=2026-11-01&to=2026-11-30")
	if rows := parseCSV(t, body); len(rows) != 4 || rows[1][0] != "Other" {
		t.Fatalf("other org's export: %q", rows)
	}
}

// Three invoices of 400 lines pass QuickBooks' 1,000 rows per import, so
// the range comes as a zip of two files.
func testExportZipWhenOverTheLimit(t *testing.T, a *api) {
	s := a.signup("Big Lab")
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Clinic"}).str("id")
	var lines []map[string]any
	for i := range 400 {
		lines = append(lines, map[string]any{"type": "fixed", "description": fmt.Sprintf("Crown %d", i), "amount": "10"})
	}
	for _, day := range []string{"2026-10-01", "2026-10-02", "2026-10-03"} {
		issue(s, map[string]any{"clientId": cid, "name": "Cases", "issueDate": day, "lineItems": lines})
	}
	status, ct, disp, body := s.download("/v1/invoices/export.csv?format=quickbooks&from=2026-10-01&to=2026-10-31")
	if status != 200 || ct != "application/zip" || !strings.Contains(disp, "quickbooks-invoices-2026-10-01-to-2026-10-31.zip") {
		t.Fatalf("zip export: %d %q %q", status, ct, disp)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	var got []string
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		got = append(got, fmt.Sprintf("%s:%d", f.Name, len(parseCSV(t, b))))
	}
	if strings.Join(got, " ") != "quickbooks-invoices-2026-10-01-to-2026-10-31-01.csv:801 quickbooks-invoices-2026-10-01-to-2026-10-31-02.csv:401" {
		t.Fatalf("zip files: %v", got)
	}
	// The same range is one Xero file (no row limit there).
	if _, ct, _, _ := s.download("/v1/invoices/export.csv?format=xero&from=2026-10-01&to=2026-10-31"); ct != "text/csv; charset=utf-8" {
		t.Fatalf("xero of 3 invoices: %s", ct)
	}
}

func testExportBadInput(t *testing.T, a *api) {
	s := a.signup("Strict Care")
	for _, q := range []string{
		"format=csv&from=2026-11-01&to=2026-11-30",
		"from=2026-11-01&to=2026-11-30",
		"format=xero&to=2026-11-30",
		"format=xero&from=2026-11-01",
		"format=xero&from=2026-11-30&to=2026-11-01",
		"format=xero&from=01/11/2026&to=2026-11-30",
		"format=xero&from=2026-11-01&to=2026-11-30&extra=1",
		"format=xero&format=quickbooks&from=2026-11-01&to=2026-11-30",
		"format=xero&from=2024-01-01&to=2026-11-30",
	} {
		r := s.do("GET", "/v1/invoices/export.csv?"+q, nil)
		if r.status != 400 || r.str("error", "code") != "invalid_field" {
			t.Errorf("export?%s = %d %s, want 400 invalid_field", q, r.status, r.raw)
		}
	}
	if r := a.anon().do("GET", "/v1/invoices/export.csv?format=xero&from=2026-11-01&to=2026-11-30", nil); r.status != 401 {
		t.Fatalf("anonymous export = %d", r.status)
	}
}
