package run

import (
	"testing"

	"github.com/carebill/carebill/internal/client"
)

// BenchmarkBuildParticipant is the CPU of judging one participant at run
// start (four tasks in the period: alerts, lines, totals), the part of
// starting a run over the NDIS work index that is not AWS: ×10,000 for a
// 10,000-participant run start.
func BenchmarkBuildParticipant(b *testing.B) {
	in := input(client.PlanManaged, task("t1", "2026-11-03", 60, "100.14"), task("t2", "2026-11-08", 45, "100.14"),
		task("t3", "2026-11-13", 50, "100.14"), task("t4", "2026-11-18", 55, "100.14"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(in); err != nil {
			b.Fatal(err)
		}
	}
}
