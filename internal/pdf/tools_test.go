package pdf_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/pdf"
	"github.com/carebill/carebill/internal/testenv"
)

// rendered is a document rendered to a file, with helpers that read it back
// through poppler and qpdf, the way a person's viewer would see it.
type rendered struct {
	t     *testing.T
	path  string
	bytes []byte
}

// render renders d, writes it to a temporary file and checks it with
// `qpdf --check` and poppler's rasteriser, which reports broken fonts.
func render(t *testing.T, d pdf.Document) *rendered {
	t.Helper()
	testenv.Require(t, "pdftotext", "pdftoppm", "pdffonts", "qpdf")
	var buf bytes.Buffer
	if err := pdf.Render(&buf, d); err != nil {
		t.Fatalf("Render: %v", err)
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &rendered{t: t, path: path, bytes: buf.Bytes()}
	if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	cmd := exec.Command("pdftoppm", "-r", "20", "-f", "1", "-l", "1", "-png", path, filepath.Join(t.TempDir(), "p"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("pdftoppm: %v\n%s", err, stderr.String())
	}
	return r
}

// text is `pdftotext -layout` of the whole document.
func (r *rendered) text() string { return r.pdftotext() }

// pageText is `pdftotext -layout` of page n (from 1).
func (r *rendered) pageText(n int) string {
	return r.pdftotext("-f", strconv.Itoa(n), "-l", strconv.Itoa(n))
}

func (r *rendered) pdftotext(args ...string) string {
	r.t.Helper()
	args = append(append([]string{"-layout", "-enc", "UTF-8"}, args...), r.path, "-")
	out, err := exec.Command("pdftotext", args...).Output()
	if err != nil {
		r.t.Fatalf("pdftotext %v: %v", args, err)
	}
	return string(out)
}

// pages is the page count according to qpdf.
func (r *rendered) pages() int {
	r.t.Helper()
	out, err := exec.Command("qpdf", "--show-npages", r.path).Output()
	if err != nil {
		r.t.Fatalf("qpdf --show-npages: %v", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		r.t.Fatalf("qpdf --show-npages: %q", out)
	}
	return n
}

// fonts is the output of pdffonts.
func (r *rendered) fonts() string {
	r.t.Helper()
	out, err := exec.Command("pdffonts", r.path).Output()
	if err != nil {
		r.t.Fatalf("pdffonts: %v", err)
	}
	return string(out)
}

// contains fails the test for each want missing from text.
func contains(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}
