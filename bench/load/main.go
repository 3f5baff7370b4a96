// Command load is a bounded load test of carebill on the local stack (the
// stack `make dev` runs: moto for AWS, stripe-mock for Stripe, every HTTP
// function's handler under the template's routes, the notifier fed from
// the deliveries queue), started in-process on free 127.0.0.1 ports and
// stopped afterwards.
//
//	go run ./bench/load [-users 50] [-orgs 25] [-duration 60s]
//	go run ./bench/load -cost 20
//
// -users virtual users (coordinators, spread over -orgs orgs) run
// journeys for -duration: create a client, a draft invoice with three
// lines, finalize it, send it by email, record a partial and then a full
// payment (every third with $5 over, kept as credit), list invoices, read
// the client's ledger, the invoice PDF, a pay link and the pay page the
// client opens, and the dashboard. It reports p50, p95, p99 and max latency
// per operation and overall (HdrHistogram), throughput, and errors by
// status. Then it checks the data: every acknowledged write reads back with
// its values, every client's ledger verifies, each org's invoice and
// receipt numbers are gapless and unique, and payments recorded equal
// allocated plus credit. Writes carry an Idempotency-Key and are retried
// with it when no answer comes, a 5xx comes, or the key is still in
// progress, so each ends known. Answers slower than API Gateway's 30 s are
// counted apart. A journey once started runs to its end. It exits 1 if
// any check fails.
//
// moto answers one request at a time, so the latencies and throughput are
// the local stack's (every AWS call queues behind every other), not AWS's.
//
// -cost n runs no load: it makes each costed operation n times, one at a
// time, and reports per operation the AWS requests by function and API,
// DynamoDB read and write units (estimated as on-demand bills them), SES
// bytes, SQS requests, log bytes and the process CPU each took: the
// inputs of BENCHMARKS.md's cost model.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

func main() {
	users := flag.Int("users", 50, "concurrent virtual users")
	orgs := flag.Int("orgs", 25, "orgs the users are spread over (users of one org race for its numbers)")
	duration := flag.Duration("duration", 60*time.Second, "how long users start new requests")
	tpl := flag.String("template", "template.yaml", "the SAM template to stand up")
	cost := flag.Int("cost", 0, "measure each costed operation this many times instead of running load")
	flag.Parse()
	ctx := context.Background()
	if *users < 1 || *orgs < 1 || *orgs > *users || *duration <= 0 {
		fmt.Fprintln(os.Stderr, "load: -users ≥ 1, 1 ≤ -orgs ≤ -users and -duration > 0")
		os.Exit(2)
	}
	fmt.Printf("machine: %d CPUs, %s %s/%s, load average %s\n", runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, loadavg())
	st, err := startStack(ctx, *tpl)
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
	defer st.stop()
	if *cost > 0 {
		if err := measureCost(ctx, st, *cost); err != nil {
			st.stop()
			fmt.Fprintln(os.Stderr, "load: cost:", err)
			os.Exit(1)
		}
		return
	}
	ok, err := loadAndCheck(ctx, st, loadConfig{Users: *users, Orgs: *orgs, Duration: *duration})
	if err != nil {
		st.stop()
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
	fmt.Printf("load average at the end: %s\n", loadavg())
	if !ok {
		st.stop()
		os.Exit(1)
	}
}

// loadAndCheck runs the load with the notifier polling, prints the
// figures, checks the data and prints what it found; ok is false when a
// check failed (a write whose outcome never became known is one).
func loadAndCheck(ctx context.Context, st *stack, cfg loadConfig) (ok bool, err error) {
	fmt.Printf("load: %d users over %d orgs for %s against %s (moto %s)\n", cfg.Users, cfg.Orgs, cfg.Duration, st.URL, st.moto.Endpoint)
	st.poll()
	res, err := runLoad(ctx, st.URL, cfg)
	st.stopPolling()
	if err != nil {
		return false, err
	}
	report(os.Stdout, res)
	a := &api{base: st.URL, http: defaultHTTP()}
	rep, err := check(ctx, a, res)
	if err != nil {
		return false, err
	}
	fmt.Printf("\nchecks: %d clients, %d invoices, %d payments read back; %d ledgers verified; %d invoice and %d receipt numbers over %d orgs\n",
		rep.Clients, rep.Invoices, rep.Payments, rep.Ledgers, rep.Numbers, rep.Receipts, len(res.Orgs))
	for _, p := range rep.Problems {
		fmt.Println("  FAIL", p)
	}
	if len(rep.Problems) == 0 {
		fmt.Println("  all passed: no lost writes, every ledger verifies, numbers gapless and unique, payments = allocated + credit")
	}
	if n := serverErrors(res.Stats); n > 0 {
		fmt.Printf("  %d attempts got a 5xx or no answer; every write among them was retried with its Idempotency-Key until its outcome was known\n", n)
	}
	return len(rep.Problems) == 0, nil
}

// serverErrors counts replies that were 5xx or never came.
func serverErrors(s *stats) int {
	n := 0
	for _, m := range s.status {
		for st, c := range m {
			if strings.HasPrefix(st, "5") || st == "no answer" {
				n += c
			}
		}
	}
	return n
}

func ms(us int64) string { return fmt.Sprintf("%.1f", float64(us)/1000) }

// report prints the latency table, throughput and errors.
func report(w *os.File, res *result) {
	secs := res.Elapsed.Seconds()
	all := newHist()
	total := 0
	fmt.Fprintf(w, "\n%-24s %8s %8s %9s %9s %9s %9s %7s\n", "operation", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms", "> 30 s")
	slow := 0
	row := func(name string, h *hdrhistogram.Histogram, errs, over int) {
		fmt.Fprintf(w, "%-24s %8d %8d %9s %9s %9s %9s %7d\n", name, h.TotalCount(), errs,
			ms(h.ValueAtQuantile(50)), ms(h.ValueAtQuantile(95)), ms(h.ValueAtQuantile(99)), ms(h.Max()), over)
	}
	for _, op := range journeyOps {
		h := res.Stats.hist[op]
		if h == nil {
			continue
		}
		errs := res.Stats.count(op, false) - res.Stats.count(op, true)
		row(op, h, errs, res.Stats.slow[op])
		all.Merge(h)
		total += errs
		slow += res.Stats.slow[op]
	}
	row("all journey requests", all, total, slow)
	fmt.Fprintf(w, "\nelapsed %s; %d requests, %.1f requests/s; %d complete journeys, %.2f journeys/s\n",
		res.Elapsed.Round(time.Millisecond), all.TotalCount(), float64(all.TotalCount())/secs, res.Journeys, float64(res.Journeys)/secs)
	for _, op := range []string{opSignUp, opSignIn} {
		if h := res.Stats.hist[op]; h != nil {
			fmt.Fprintf(w, "setup: %s ×%d, p50 %s ms\n", op, h.TotalCount(), ms(h.ValueAtQuantile(50)))
		}
	}
	errs := res.Stats.errors()
	if len(errs) == 0 {
		fmt.Fprintln(w, "errors by status: none")
		return
	}
	sort.Strings(errs)
	fmt.Fprintln(w, "errors by status:")
	for _, e := range errs {
		fmt.Fprintln(w, "  "+e)
	}
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
