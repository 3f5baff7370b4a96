package export

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/org"
)

var (
	aud = money.MustCurrency("AUD")
	d   = decimal.RequireFromString
	acc = org.DefaultAccounting()
	now = time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)
)

// issued finalizes an invoice of lines for client c.
func issued(t testing.TB, n int64, c *client.Client, r invoice.TaxRounding, lines ...invoice.Line) Invoice {
	t.Helper()
	sp := invoice.Spec{
		ClientID: c.ID, Name: "November", Currency: aud, TermsDays: 14, TaxRounding: r,
		IssueDate: calendar.MustParse("2026-11-03"), PONumber: "PO-77", Memo: "Thanks", Lines: lines,
	}
	inv, err := invoice.NewDraft(fmt.Sprintf("inv_%d", n), "org_1", sp, now)
	if err != nil {
		t.Fatal(err)
	}
	inv.ClientName = c.Profile.Name
	if err := inv.Finalize("INV-", n, calendar.MustParse("2026-11-03"), now); err != nil {
		t.Fatal(err)
	}
	return Invoice{Invoice: inv, Client: c}
}

func zoe() *client.Client {
	return &client.Client{ID: "cli_1", Profile: client.Profile{Name: "Zoë Müller-Ng", BillingContactID: "con_2", Contacts: []client.Contact{
		{ID: "con_1", Name: "Zoë", Email: "zoe@example.com", Primary: true},
		{ID: "con_2", Name: "Plan Co", Email: "accounts@planco.example"},
	}}}
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("not a CSV: %v\n%s", err, b)
	}
	return rows
}

func writeAll(t *testing.T, f Format, invs []Invoice) []byte {
	t.Helper()
	pl := f.Planner()
	for _, e := range invs {
		pl.Add(len(e.Spec.Lines) + len(e.Spec.Fees))
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, f, pl.Plan(), "x")
	for _, e := range invs {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestXeroEveryColumn(t *testing.T) {
	t.Parallel()
	e := issued(t, 7, zoe(), invoice.PerRate,
		invoice.Line{Type: invoice.Variable, Description: "Coordination of Supports", SupportItem: "07_002_0106_8_3", Quantity: d("1.5"), Unit: invoice.Hours,
			Rate: d("100.14"), TaxRate: d("0"), PeriodStart: calendar.MustParse("2026-11-02"), PeriodEnd: calendar.MustParse("2026-11-02")},
		invoice.Line{Type: invoice.Variable, Description: "Travel", Quantity: d("3"), Unit: invoice.Km, Rate: d("0.3333"), TaxRate: d("10")},
		invoice.Line{Type: invoice.Fixed, Description: "=HYPERLINK(\"http://x\")", Price: d("200"), Discount: d("20"), TaxRate: d("10")},
	)
	e.Spec.Fees = []invoice.Fee{{Description: "Card fee", Amount: d("1.50")}}
	rows := readCSV(t, writeAll(t, Xero(acc), []Invoice{e}))
	if diff := cmp.Diff(XeroHeader, rows[0]); diff != "" {
		t.Fatalf("header (-want +got):\n%s", diff)
	}
	want := [][]string{
		{"Zoë Müller-Ng", "accounts@planco.example", "", "", "", "", "", "", "", "", "INV-00007", "PO-77", "03/11/2026", "17/11/2026",
			"203.21", "", "07_002_0106_8_3 Coordination of Supports (02/11/2026)", "1.5", "100.14", "", "200", "GST Free Income", "0.00", "", "", "", "", "AUD", ""},
		{"Zoë Müller-Ng", "accounts@planco.example", "", "", "", "", "", "", "", "", "INV-00007", "PO-77", "03/11/2026", "17/11/2026",
			"203.21", "", "Travel", "3", "0.3333", "", "200", "GST on Income", "0.10", "", "", "", "", "AUD", ""},
		{"Zoë Müller-Ng", "accounts@planco.example", "", "", "", "", "", "", "", "", "INV-00007", "PO-77", "03/11/2026", "17/11/2026",
			"203.21", "", "'=HYPERLINK(\"http://x\")", "1", "200.00", "10.00", "200", "GST on Income", "18.00", "", "", "", "", "AUD", ""},
		{"Zoë Müller-Ng", "accounts@planco.example", "", "", "", "", "", "", "", "", "INV-00007", "PO-77", "03/11/2026", "17/11/2026",
			"203.21", "", "Card fee", "1", "1.50", "", "200", "GST Free Income", "0.00", "", "", "", "", "AUD", ""},
	}
	// 1.5 × 100.14 = 150.21; 3 × 0.3333 = 1.00 (tax 0.10); 200 − 20 = 180 (tax 18); fee 1.50.
	// Total = 150.21 + 1.00 + 180.00 + 18.10 tax + 1.50 = 350.81.
	for i := range want {
		want[i][14] = "350.81"
	}
	if diff := cmp.Diff(want, rows[1:]); diff != "" {
		t.Fatalf("rows (-want +got):\n%s", diff)
	}
	if got := e.Totals().Total.StringFixed(2); got != "350.81" {
		t.Fatalf("invoice total %s", got)
	}
}

// xeroTotal adds an exported invoice up the way Xero does on import:
// each line quantity × unit amount less the discount percentage, rounded
// to the cent, plus the tax amounts given.
func xeroTotal(t *testing.T, rows [][]string) decimal.Decimal {
	t.Helper()
	h := map[string]int{}
	for i, c := range XeroHeader {
		h[c] = i
	}
	var sum decimal.Decimal
	for _, r := range rows {
		amt := d(r[h["*Quantity"]]).Mul(d(r[h["*UnitAmount"]]))
		if disc := r[h["Discount"]]; disc != "" {
			amt = amt.Mul(hundred.Sub(d(disc))).Div(hundred)
		}
		sum = sum.Add(amt.Round(2)).Add(d(r[h["TaxAmount"]]))
		if r[h["Total"]] != rows[0][h["Total"]] {
			t.Fatalf("Total differs between rows of one invoice: %v", r)
		}
	}
	return sum
}

// The published examples import into Xero at carebill's total under
// either rounding method, because every line carries its tax amount.
func TestXeroTotalsMatchToTheCent(t *testing.T) {
	t.Parallel()
	three := []invoice.Line{
		{Type: invoice.Fixed, Description: "a", Price: d("25.06"), TaxRate: d("15")},
		{Type: invoice.Fixed, Description: "b", Price: d("25.61"), TaxRate: d("15")},
		{Type: invoice.Fixed, Description: "c", Price: d("25.63"), TaxRate: d("15")},
	}
	var many []invoice.Line
	for i := range 31 {
		q := "1"
		if i >= 29 {
			q = "11"
		}
		many = append(many, invoice.Line{Type: invoice.Variable, Description: "x", Quantity: d(q), Unit: invoice.Each, Rate: d("1.59"), TaxRate: d("12")})
	}
	many = append(many, invoice.Line{Type: invoice.Variable, Description: "odd discount", Quantity: d("3"), Unit: invoice.Each, Rate: d("33.3333"), Discount: d("7.77"), TaxRate: d("12")})
	for _, c := range []struct {
		name  string
		lines []invoice.Line
		mode  invoice.TaxRounding
		total string
	}{
		{"xero example per line", three, invoice.PerLine, "87.74"},
		{"xero example per rate", three, invoice.PerRate, "87.75"},
		{"qbo example per line", many, invoice.PerLine, ""},
		{"qbo example per rate", many, invoice.PerRate, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := issued(t, 1, zoe(), c.mode, c.lines...)
			rows := readCSV(t, writeAll(t, Xero(acc), []Invoice{e}))[1:]
			want := e.Totals().Total
			if c.total != "" && want.StringFixed(2) != c.total {
				t.Fatalf("carebill total %s, want %s", want, c.total)
			}
			if got := xeroTotal(t, rows); !got.Equal(want) {
				t.Fatalf("Xero would import %s, carebill says %s", got, want)
			}
			if rows[0][14] != want.StringFixed(2) {
				t.Fatalf("Total column %s, want %s", rows[0][14], want.StringFixed(2))
			}
		})
	}
}

func TestQuickBooksEveryColumn(t *testing.T) {
	t.Parallel()
	e := issued(t, 12, zoe(), invoice.PerLine,
		invoice.Line{Type: invoice.Variable, Description: "Session", SupportItem: "15_056_0128_1_3", Quantity: d("1"), Unit: invoice.Hours,
			Rate: d("193.99"), TaxRate: d("0"), PeriodStart: calendar.MustParse("2026-11-04")},
		invoice.Line{Type: invoice.Variable, Description: "+cmd|' /C calc'!A0", Quantity: d("2"), Unit: invoice.Each, Rate: d("10"), Discount: d("3.33"), TaxRate: d("10")},
	)
	e.Spec.Memo = "-2+3\nsecond line"
	rows := readCSV(t, writeAll(t, QuickBooks(acc, false), []Invoice{e}))
	if diff := cmp.Diff(QuickBooksTaxHeader, rows[0]); diff != "" {
		t.Fatalf("header (-want +got):\n%s", diff)
	}
	want := [][]string{
		{"INV-00012", "Zoë Müller-Ng", "03/11/2026", "17/11/2026", "", "", "'-2+3 second line", "Services",
			"15_056_0128_1_3 Session (04/11/2026)", "1", "193.99", "193.99", "04/11/2026", "GST free", "0.00", "AUD"},
		{"INV-00012", "Zoë Müller-Ng", "03/11/2026", "17/11/2026", "", "", "'-2+3 second line", "Services",
			"'+cmd|' /C calc'!A0 (2 × 10 less discount 3.33)", "1", "16.67", "16.67", "03/11/2026", "GST", "1.67", "AUD"},
	}
	if diff := cmp.Diff(want, rows[1:]); diff != "" {
		t.Fatalf("rows (-want +got):\n%s", diff)
	}
	var sum decimal.Decimal
	for _, r := range rows[1:] {
		if !d(r[9]).Mul(d(r[10])).Round(2).Equal(d(r[11])) {
			t.Fatalf("QuickBooks would compute %s × %s ≠ %s", r[9], r[10], r[11])
		}
		sum = sum.Add(d(r[11])).Add(d(r[14]))
	}
	if !sum.Equal(e.Totals().Total) {
		t.Fatalf("QuickBooks would import %s, carebill says %s", sum, e.Totals().Total)
	}

	us := readCSV(t, writeAll(t, QuickBooks(acc, true), []Invoice{e}))
	if diff := cmp.Diff(QuickBooksHeader, us[0]); diff != "" || us[1][2] != "11/03/2026" || len(us[1]) != len(QuickBooksHeader) {
		t.Fatalf("US file: header diff %s, row %v", diff, us[1])
	}
}

func TestFormulaInjection(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx", "\x00x": "'\x00x",
		"Zoë": "Zoë", "": "", "a=b": "a=b", "1-2": "1-2",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
	// RFC 4180: commas, quotes and line breaks survive a round trip.
	c := zoe()
	c.Profile.Name = "Smith, \"Jo\"\nJr"
	e := issued(t, 1, c, invoice.PerRate, invoice.Line{Type: invoice.Fixed, Description: "x", Price: d("1"), TaxRate: d("10")})
	rows := readCSV(t, writeAll(t, Xero(acc), []Invoice{e}))
	if rows[1][0] != "Smith, \"Jo\"\nJr" {
		t.Fatalf("contact name %q", rows[1][0])
	}
}

// Xero takes at most 500 invoices a file, QuickBooks 100 invoices or 1,000
// rows: larger ranges come as a zip of files, no invoice split over two.
func TestSplitIntoZip(t *testing.T) {
	t.Parallel()
	one := invoice.Line{Type: invoice.Fixed, Description: "x", Price: d("10"), TaxRate: d("10")}
	var invs []Invoice
	for n := range 1001 {
		invs = append(invs, issued(t, int64(n+1), zoe(), invoice.PerRate, one))
	}
	x := Xero(acc)
	if got := writeAll(t, x, invs[:500]); !bytes.HasPrefix(got, []byte("*ContactName")) {
		t.Fatalf("500 invoices should be one CSV, got %q…", got[:20])
	}
	files := unzip(t, writeAll(t, x, invs))
	if len(files) != 3 || len(files["x-01.csv"]) != 501 || len(files["x-02.csv"]) != 501 || len(files["x-03.csv"]) != 2 {
		t.Fatalf("1001 invoices in Xero files: %d files %v", len(files), sizes(files))
	}
	// QuickBooks: 3 invoices of 400 lines pass 1,000 rows in the third.
	var big []invoice.Line
	for range 400 {
		big = append(big, one)
	}
	bigs := []Invoice{issued(t, 1, zoe(), invoice.PerRate, big...), issued(t, 2, zoe(), invoice.PerRate, big...), issued(t, 3, zoe(), invoice.PerRate, big...)}
	files = unzip(t, writeAll(t, QuickBooks(acc, false), bigs))
	if len(files) != 2 || len(files["x-01.csv"]) != 801 || len(files["x-02.csv"]) != 401 {
		t.Fatalf("QuickBooks row split: %v", sizes(files))
	}
	// A range that grows after it was planned is refused, not overfilled.
	var buf bytes.Buffer
	w := NewWriter(&buf, x, Plan{Invoices: 500, Files: 1}, "x")
	var err error
	for _, e := range invs[:501] {
		if err = w.Write(e); err != nil {
			break
		}
	}
	if err != ErrRangeChanged {
		t.Fatalf("501st invoice in a one-file plan: %v", err)
	}
	// No invoices: the header alone.
	if rows := readCSV(t, writeAll(t, x, nil)); len(rows) != 1 {
		t.Fatalf("empty export: %v", rows)
	}
}

func unzip(t *testing.T, b []byte) map[string][][]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	out := map[string][][]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		rows := readCSV(t, data)
		if !strings.HasPrefix(rows[0][0], "*") {
			t.Fatalf("%s has no header", f.Name)
		}
		out[f.Name] = rows
	}
	return out
}

func sizes(files map[string][][]string) map[string]int {
	m := map[string]int{}
	for k, v := range files {
		m[k] = len(v)
	}
	return m
}
