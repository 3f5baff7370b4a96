// Command pdf compares carebill's native PDF rendering (internal/pdf) with
// headless Chromium printing an equivalent HTML page, on the same invoices
// of one page to clients with Latin, Chinese, Korean and Arabic names, and
// of 10 and 200 lines, and prints a markdown table of median times.
//
//	go run ./bench/pdf [-n 30] [-chromium /usr/bin/chromium] [-out dir]
//
// Both sides are timed from a Document to PDF bytes in memory. Native runs
// call pdf.Render; they are measured first, before Chromium starts, so the
// browser's background work does not slow them. Chromium is then started
// once and kept warm; each timed print builds the HTML from the Document
// (html/template), loads it into the one reused tab and calls
// Page.printToPDF. Chromium finds the same CJK fonts the native renderer
// loads (CAREBILL_FONT_DIR, the repository's .fonts by default) through a
// fontconfig file naming that directory, so both print every name.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"syscall"
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

// result is one invoice measured both ways.
type result struct {
	name             string // the client's name, as the table shows it
	lines            int
	doc              pdf.Document
	native, chromium time.Duration
	cold             time.Duration // native, each render a glyph set not seen before
	cpu              time.Duration // native, CPU time per render (cached subsets), immune to a busy machine's waits
	nativePDF, cPDF  []byte
}

// invoices are the benchmark's cases: one-page invoices to a client with a
// Latin, a Chinese, a Korean and an Arabic name, then longer ones.
func invoices() []*result {
	var rs []*result
	for _, c := range []struct {
		name  string
		lines int
	}{
		{"Zoë Müller-Ng", 1}, {"陈小明", 1}, {"김민준", 1}, {"محمد الأحمد", 1},
		{"Nguyễn Thị Hằng", 10}, {"Zoë Müller-Ng", 200},
	} {
		d := pdftest.Invoice(c.lines)
		d.BillTo.Name = c.name
		rs = append(rs, &result{name: c.name, lines: c.lines, doc: d})
	}
	return rs
}

func run() error {
	n := flag.Int("n", 30, "timed iterations per invoice and renderer")
	chromium := flag.String("chromium", "/usr/bin/chromium", "Chromium executable")
	out := flag.String("out", "", "if set, write the last PDF of each size and renderer into this folder")
	flag.Parse()
	if *n < 1 {
		return errors.New("-n must be at least 1")
	}

	if err := pdftest.UseRepoFonts(); err != nil {
		return err
	}
	results := invoices()
	// The first render in a process parses the embedded fonts; the first
	// with a Chinese name also reads and parses the CJK fonts.
	var first [2]time.Duration
	for i, r := range results[:2] {
		start := time.Now()
		if err := pdf.Render(io.Discard, r.doc); err != nil {
			return err
		}
		first[i] = time.Since(start)
	}
	for _, r := range results {
		d := r.doc
		var err error
		cpu0 := cpuTime()
		r.native, r.nativePDF, err = measure(*n, func() ([]byte, error) {
			var buf bytes.Buffer
			err := pdf.Render(&buf, d)
			return buf.Bytes(), err
		})
		r.cpu = (cpuTime() - cpu0) / time.Duration(*n+3)
		if err != nil {
			return fmt.Errorf("native %s, %d lines: %w", r.name, r.lines, err)
		}
		// Each render adds a character no earlier render drew (from the
		// name's own script), so its font subsets are built and compressed
		// anew: the figure for a name the process has not printed before.
		i := 0
		r.cold, _, err = measure(*n, func() ([]byte, error) {
			i++
			cd := d
			cd.BillTo.Name = d.BillTo.Name + " " + string(novel(d.BillTo.Name, i))
			var buf bytes.Buffer
			err := pdf.Render(&buf, cd)
			return buf.Bytes(), err
		})
		if err != nil {
			return fmt.Errorf("native %s, %d lines, new glyphs: %w", r.name, r.lines, err)
		}
	}

	b, err := startBrowser(*chromium, os.Getenv(pdf.FontDirEnv))
	if err != nil {
		return err
	}
	defer b.close()
	for _, r := range results {
		d := r.doc
		r.chromium, r.cPDF, err = measure(*n, func() ([]byte, error) {
			html, footer, err := renderHTML(d)
			if err != nil {
				return nil, err
			}
			return b.print(html, footer)
		})
		if err != nil {
			return fmt.Errorf("chromium %s, %d lines: %w", r.name, r.lines, err)
		}
	}

	fmt.Printf("First render in the process: %.1f ms (embedded fonts parsed); first with a CJK name: %.1f ms (Noto Sans SC and KR read and parsed).\n", ms(first[0]), ms(first[1]))
	fmt.Printf("Median of %d runs each, after warm-up; Chromium warm, one tab reused.\n\n", *n)
	fmt.Println("| client | lines | pages | native median ms | native CPU ms | chromium median ms | ratio | native, new glyph set | ratio | native KB | chromium KB |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range results {
		fmt.Printf("| %s | %d | %d | %.2f | %.2f | %.1f | %.0f× | %.2f | %.0f× | %.0f | %.0f |\n",
			r.name, r.lines, pageCount(r.nativePDF), ms(r.native), ms(r.cpu), ms(r.chromium),
			float64(r.chromium)/float64(r.native), ms(r.cold), float64(r.chromium)/float64(r.cold),
			kb(r.nativePDF), kb(r.cPDF))
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

// novel is the i-th character of a block of the script name starts with,
// so successive renders draw glyphs not drawn before.
func novel(name string, i int) rune {
	for _, r := range name {
		switch {
		case r >= 0x4E00 && r <= 0x9FFF:
			return 0x4E00 + rune(i)%0x5000
		case r >= 0xAC00 && r <= 0xD7A3:
			return 0xAC00 + rune(i)%0x2BA4
		case r >= 0x0600 && r <= 0x06FF:
			return 0x0621 + rune(i)%26
		}
	}
	return 0x0100 + rune(i)%0x80 // Latin Extended-A
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pageCount counts the page objects internal/pdf writes (uncompressed).
func pageCount(b []byte) int { return bytes.Count(b, []byte("/Type /Page ")) }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func kb(b []byte) float64 { return float64(len(b)) / 1024 }

func writePair(dir string, r *result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("native-%d-%s.pdf", r.lines, r.name)), r.nativePDF, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, fmt.Sprintf("chromium-%d-%s.pdf", r.lines, r.name)), r.cPDF, 0o644)
}
