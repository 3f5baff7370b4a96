package pdf_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/carebill/carebill/internal/pdf"
	"github.com/carebill/carebill/internal/pdf/pdftest"
)

// BenchmarkRender measures one invoice of 1, 10 and 200 line items, fonts
// already parsed (as in a warm Lambda). Compare with `go run ./bench/pdf`,
// which renders the same invoices through headless Chromium.
func BenchmarkRender(b *testing.B) {
	for _, n := range []int{1, 10, 200} {
		d := pdftest.Invoice(n)
		if err := pdf.Render(io.Discard, d); err != nil { // parse fonts outside the timing
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var size countingWriter
			for b.Loop() {
				size = 0
				if err := pdf.Render(&size, d); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(size), "bytes/pdf")
		})
	}
}

type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
