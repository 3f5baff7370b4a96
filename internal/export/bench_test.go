package export

import (
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/carebill/carebill/internal/invoice"
)

// BenchmarkXeroExportMemory writes n invoices of 10 lines through the
// Writer, one at a time as the store pages them, and reports the live heap
// after the run: it stays flat as n grows because nothing is kept once a
// row is written (the figure in BENCHMARKS.md).
func BenchmarkXeroExportMemory(b *testing.B) {
	line := invoice.Line{Type: invoice.Variable, Description: "Coordination of Supports", SupportItem: "07_002_0106_8_3",
		Quantity: d("1.5"), Unit: invoice.Hours, Rate: d("100.14"), TaxRate: d("10")}
	lines := make([]invoice.Line, 10)
	for i := range lines {
		lines[i] = line
	}
	e := issued(b, 1, zoe(), invoice.PerLine, lines...)
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("invoices=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			f := Xero(acc)
			pl := f.Planner()
			for range n {
				pl.Add(10)
			}
			var peak uint64
			for range b.N {
				w := NewWriter(io.Discard, f, pl.Plan(), "x")
				for i := range n {
					if err := w.Write(e); err != nil {
						b.Fatal(err)
					}
					if i%1000 == 999 {
						var ms runtime.MemStats
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapAlloc)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(n), "invoices")
		})
	}
}
