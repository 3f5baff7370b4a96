package httpapi_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/testenv"
)

// pdfText downloads a PDF through the API, checks it with qpdf and returns
// its text as pdftotext reads it.
func pdfText(t *testing.T, s *session, path string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", s.a.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
	}
	file := filepath.Join(t.TempDir(), "doc.pdf")
	f, _ := os.Create(file)
	if _, err := f.ReadFrom(res.Body); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if out, err := exec.Command("qpdf", "--check", file).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check %s: %v\n%s", path, err, out)
	}
	out, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestInvoiceReceiptAndCreditNotePDFs(t *testing.T) {
	testenv.Require(t, "pdftotext", "qpdf")
	t.Parallel()
	a := newAPI(t)
	s := a.signup("PDF Care")
	s.must(200, "PATCH", "/v1/org", map[string]any{"legalName": "PDF Care Pty Ltd", "taxId": "51 824 753 556", "address": "1 George St, Sydney NSW 2000"})
	cid, iid := finalizedInvoice(s, "Zoë Müller-Ng")
	s.must(200, "PATCH", "/v1/clients/"+cid, map[string]any{"funding": map[string]any{"type": "self_managed", "ndisNumber": "431234567"}})

	txt := pdfText(t, s, "/v1/invoices/"+iid+"/pdf")
	for _, want := range []string{"Tax invoice", "PDF Care Pty Ltd", "ABN 51 824 753 556", "INV-00001", "Client Invoice – November",
		"Zoë Müller-Ng", "431234567", "Support coordination", "Travel", "Consulting services", "$2,000.00", "$5.00",
		"$2,055.00", "GST 10%", "$205.50", "$2,260.50", "Balance due"} {
		if !strings.Contains(txt, want) {
			t.Errorf("invoice PDF lacks %q:\n%s", want, txt)
		}
	}
	pid := s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "2300.00", "date": "2026-11-26", "method": "bank_transfer", "reference": "EFT 8812"}).str("id")
	txt = pdfText(t, s, "/v1/payments/"+pid+"/receipt.pdf")
	for _, want := range []string{"Receipt", "RCT-00001", "Zoë Müller-Ng", "Bank transfer", "EFT 8812", "INV-00001", "$2,260.50", "$39.50", "$2,300.00"} {
		if !strings.Contains(txt, want) {
			t.Errorf("receipt lacks %q:\n%s", want, txt)
		}
	}
	if paid := pdfText(t, s, "/v1/invoices/"+iid+"/pdf"); !strings.Contains(paid, "PAID") {
		t.Errorf("paid invoice PDF has no PAID mark:\n%s", paid)
	}
	_, iid2 := finalizedInvoice(s, "Second Client")
	nid := s.must(201, "POST", "/v1/credit-notes", map[string]any{"invoiceId": iid2, "amount": "100.00", "reason": "Cancelled session"}).str("id")
	txt = pdfText(t, s, "/v1/credit-notes/"+nid+"/pdf")
	for _, want := range []string{"Credit note", "CN-00001", "INV-00002", "Cancelled session", "$100.00"} {
		if !strings.Contains(txt, want) {
			t.Errorf("credit note lacks %q:\n%s", want, txt)
		}
	}
	other := a.signup("Other PDF Care")
	other.must(404, "GET", "/v1/invoices/"+iid+"/pdf", nil)
	other.must(404, "GET", "/v1/payments/"+pid+"/receipt.pdf", nil)
}
