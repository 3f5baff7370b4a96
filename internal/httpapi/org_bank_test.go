package httpapi_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/pdf/pdftest"
	"github.com/carebill/carebill/internal/testenv"
)

// TestBankDetailsOnInvoices sets the org's bank account through PATCH
// /v1/org (bad values refused with nothing changed, good ones normalized)
// and reads it back off invoice PDFs, to clients named in several scripts.
func TestBankDetailsOnInvoices(t *testing.T) {
	testenv.Require(t, "pdftotext", "qpdf")
	if err := pdftest.UseRepoFonts(); err != nil {
		t.Fatal(err)
	}
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Bank Care")

	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"accountName": "Bank Care", "bsb": "06300", "accountNumber": "12345678"}, "bankAccount.bsb"},
		{map[string]any{"accountName": "Bank Care", "bsb": "063-000", "accountNumber": "1234"}, "bankAccount.accountNumber"},
		{map[string]any{"accountName": "Bank Care", "bsb": "063-000", "accountNumber": "1234567890"}, "bankAccount.accountNumber"},
		{map[string]any{"accountName": "Bank Care", "iban": "GB82 WEST 1234 5698 7654 33"}, "bankAccount.iban"},
		{map[string]any{"bsb": "063-000", "accountNumber": "12345678"}, "bankAccount.accountName"},
		{map[string]any{"accountName": "Bank Care"}, "bankAccount"},
	} {
		r := s.must(400, "PATCH", "/v1/org", map[string]any{"bankAccount": bad.body})
		if r.str("error", "field") != bad.field {
			t.Errorf("%v: %s, want field %s", bad.body, r.raw, bad.field)
		}
	}
	if o := s.must(200, "GET", "/v1/org", nil); strings.Contains(string(o.raw), "bankAccount") {
		t.Fatalf("a refused PATCH changed the org: %s", o.raw)
	}

	o := s.must(200, "PATCH", "/v1/org", map[string]any{"bankAccount": map[string]any{"accountName": "Bank Care Pty Ltd", "bsb": "063 000", "accountNumber": "1234 5678"}})
	if o.str("bankAccount", "bsb") != "063-000" || o.str("bankAccount", "accountNumber") != "12345678" || o.str("bankAccount", "accountName") != "Bank Care Pty Ltd" {
		t.Fatalf("bank account not normalized: %s", o.raw)
	}
	for i, name := range []string{"Nguyễn Thị Hằng", "陈小明", "김민준", "محمد الأحمد", "דוד כהן"} {
		_, iid := finalizedInvoice(s, name)
		txt := pdfText(t, s, "/v1/invoices/"+iid+"/pdf")
		number := "INV-0000" + string(rune('1'+i))
		for _, row := range [][2]string{{"Account name", "Bank Care Pty Ltd"}, {"BSB", "063-000"}, {"Account", "12345678"}, {"Reference", number}} {
			if !regexp.MustCompile(regexp.QuoteMeta(row[0]) + `\s+` + regexp.QuoteMeta(row[1])).MatchString(txt) {
				t.Errorf("%s's invoice lacks %s %s:\n%s", name, row[0], row[1], txt)
			}
		}
		if !strings.Contains(stripMarks(txt), name) {
			t.Errorf("invoice to %s does not print the name:\n%s", name, txt)
		}
	}

	o = s.must(200, "PATCH", "/v1/org", map[string]any{"bankAccount": map[string]any{"accountName": "Bank Care GmbH", "iban": "de89 3704 0044 0532 0130 00"}})
	if o.str("bankAccount", "iban") != "DE89370400440532013000" || o.str("bankAccount", "bsb") != "" {
		t.Fatalf("IBAN: %s", o.raw)
	}
	_, iid := finalizedInvoice(s, "Σοφία")
	if txt := pdfText(t, s, "/v1/invoices/"+iid+"/pdf"); !regexp.MustCompile(`IBAN\s+DE89370400440532013000`).MatchString(txt) || strings.Contains(txt, "BSB") {
		t.Errorf("IBAN invoice:\n%s", txt)
	}
	if o := s.must(200, "PATCH", "/v1/org", map[string]any{"bankAccount": nil}); strings.Contains(string(o.raw), "bankAccount") {
		t.Fatalf("null did not remove the bank account: %s", o.raw)
	}
	_, iid = finalizedInvoice(s, "Олена")
	if txt := pdfText(t, s, "/v1/invoices/"+iid+"/pdf"); strings.Contains(txt, "BANK TRANSFER") || !strings.Contains(txt, "Олена") {
		t.Errorf("invoice without bank details:\n%s", txt)
	}
}

// stripMarks drops the bidi embedding marks pdftotext wraps right-to-left
// text in.
func stripMarks(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069' || r == '\u200E' || r == '\u200F' {
			return -1
		}
		return r
	}, s)
}
