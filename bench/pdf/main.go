// Command pdf compares carebill's native PDF rendering (internal/pdf) with
// headless Chromium printing an equivalent HTML page, on the same invoices
// of 1, 10 and 200 lines, and prints a markdown table of median times.
//
//	go run ./bench/pdf [-n 30] [-chromium /usr/bin/chromium] [-out dir]
//
// Both sides are timed from a Document to PDF bytes in memory. Native runs
// call pdf.Render; they are measured first, before Chromium starts, so the
// browser's background work does not slow them. Chromium is then started
// once and kept warm; each timed print builds the HTML from the Document
// (html/template), loads it into the one reused tab and calls
// Page.printToPDF.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/carebill/carebill/internal/pdf"
	"github.com/carebill/carebill/internal/pdf/pdftest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/pdf:", err)
		os.Exit(1)
	}
}

// result is one invoice size measured both ways.
type result struct {
	lines            int
	native, chromium time.Duration
	nativePDF, cPDF  []byte
}

func run() error {
	n := flag.Int("n", 30, "timed iterations per invoice and renderer")
	chromium := flag.String("chromium", "/usr/bin/chromium", "Chromium executable")
	out := flag.String("out", "", "if set, write the last PDF of each size and renderer into this folder")
	flag.Parse()
	if *n < 1 {
		return errors.New("-n must be at least 1")
	}

	results := []*result{{lines: 1}, {lines: 10}, {lines: 200}}
	for _, r := range results {
		d := pdftest.Invoice(r.lines)
		var err error
		r.native, r.nativePDF, err = measure(*n, func() ([]byte, error) {
			var buf bytes.Buffer
			err := pdf.Render(&buf, d)
			return buf.Bytes(), err
		})
		if err != nil {
			return fmt.Errorf("native %d lines: %w", r.lines, err)
		}
	}

	b, err := startBrowser(*chromium)
	if err != nil {
		return err
	}
	defer b.close()
	for _, r := range results {
		d := pdftest.Invoice(r.lines)
		r.chromium, r.cPDF, err = measure(*n, func() ([]byte, error) {
			html, footer, err := renderHTML(d)
			if err != nil {
				return nil, err
			}
			return b.print(html, footer)
		})
		if err != nil {
			return fmt.Errorf("chromium %d lines: %w", r.lines, err)
		}
	}

	fmt.Printf("Median of %d runs each, after warm-up; Chromium warm, one tab reused.\n\n", *n)
	fmt.Println("| lines | pages | native median ms | chromium median ms | ratio | native KB | chromium KB |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range results {
		fmt.Printf("| %d | %d | %.2f | %.1f | %.0f× | %.0f | %.0f |\n",
			r.lines, pageCount(r.nativePDF), ms(r.native), ms(r.chromium),
			float64(r.chromium)/float64(r.native), kb(r.nativePDF), kb(r.cPDF))
		if *out != "" {
			if err := writePair(*out, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// measure runs f three times to warm up, then n timed times, and returns
// the median duration and the last output.
func measure(n int, f func() ([]byte, error)) (time.Duration, []byte, error) {
	for range 3 {
		if _, err := f(); err != nil {
			return 0, nil, err
		}
	}
	times := make([]time.Duration, n)
	var last []byte
	for i := range times {
		start := time.Now()
		b, err := f()
		times[i] = time.Since(start)
		if err != nil {
			return 0, nil, err
		}
		if !bytes.HasPrefix(b, []byte("%PDF-")) {
			return 0, nil, errors.New("output is not a PDF")
		}
		last = b
	}
	slices.Sort(times)
	return times[n/2], last, nil
}

// pageCount counts the page objects internal/pdf writes (uncompressed).
func pageCount(b []byte) int { return bytes.Count(b, []byte("/Type /Page ")) }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func kb(b []byte) float64 { return float64(len(b)) / 1024 }

func writePair(dir string, r *result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("native-%d.pdf", r.lines)), r.nativePDF, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, fmt.Sprintf("chromium-%d.pdf", r.lines)), r.cPDF, 0o644)
}
