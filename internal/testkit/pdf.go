package testkit

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// PDFText checks pdf with qpdf and returns its text as pdftotext -layout
// reads it: what a person opening the document sees. Either tool missing
// fails t with its error (scripts/ensure-tools.sh installs both).
func PDFText(t testing.TB, pdf []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "document.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("qpdf", "--check", file).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
