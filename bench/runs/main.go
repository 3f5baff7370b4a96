// Command runs measures an invoice run over an org's NDIS participants on
// the local stack (moto): the wall time, the AWS requests and DynamoDB
// write units per invoice, numbering retries per invoice, the worker
// process's CPU per invoice and its heap per batch of ten.
//
//	go run ./bench/runs [-clients 300] [-tasks 4] [-workers 5] [-moto indexed|stock] [-cpuprofile FILE] [-for 0]
//
// Participants (a third each self-managed, plan-managed, NDIA-managed)
// with a plan and -tasks tasks last month are loaded with BatchWriteItem
// (store.LoadNDISWork, with their NDIS work index copies); then the run is started through the use case
// (as the API does), and -workers concurrent workers drain the runs queue
// through the run worker's handler, batches of ten, as the SQS event
// source with MaximumConcurrency -workers would. At the end it checks
// the outcome: one invoice per participant, gapless numbers, the run's
// counts, no claim reference twice. With -for (or on SIGUSR1), the workers stop taking
// batches after that long; the figures are then per invoice made so far,
// and the check is of the part done (numbers 1..invoiced without a gap).
// While the workers drain, a progress line each minute gives invoices a
// minute and the per-invoice figures so far, so a long run shows whether
// they stay flat as the org's tables fill.
//
// Write units are estimated as DynamoDB bills them (bench/internal/ddbunits):
// one per KB (rounded up) of each written item, twice for items written in
// a transaction. The worker's CPU excluding AWS calls is the process CPU
// over the drain times the share of CPU profile samples with no AWS SDK
// call's frame on the stack (so the SDK's signing, JSON and HTTP are left
// out; marshalling attribute values and the Go runtime's own work, GC
// included, stay in). Peak heap
// is the largest live heap (runtime/metrics, after each GC) and heap in
// use (MemStats) sampled after every batch, for all workers together.
//
// -moto indexed (the default) serves moto through
// internal/motoserver/indexed.py, which takes out moto's whole-table Query
// costs without changing any answer (a 10,000-participant org keeps
// ~100,000 items in one partition); -moto stock serves it as every test
// does (internal/motoserver/serial.py).
package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"github.com/carebill/carebill/bench/internal/ddbunits"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go/middleware"
	pprofile "github.com/google/pprof/profile"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/motoserver"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/runworker"
)

func main() {
	if err := bench(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/runs:", err)
		os.Exit(1)
	}
}

// counter counts AWS requests, estimated write units and the time spent
// waiting on AWS, by operation.
type counter struct {
	mu       sync.Mutex
	requests map[string]int
	wcu      int
	waiting  atomic.Int64 // ns inside AWS calls, summed over goroutines
}

func (c *counter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests, c.wcu = map[string]int{}, 0
	c.waiting.Store(0)
}

func (c *counter) add(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("count", func(
		ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
	) (middleware.InitializeOutput, middleware.Metadata, error) {
		w := ddbunits.Write(in.Parameters)
		c.mu.Lock()
		c.requests[middleware.GetOperationName(ctx)]++
		c.wcu += w
		c.mu.Unlock()
		start := time.Now()
		out, md, err := next.HandleInitialize(ctx, in)
		c.waiting.Add(int64(time.Since(start)))
		return out, md, err
	}), middleware.After)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func cpu() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func bench() error {
	n := flag.Int("clients", 300, "NDIS participants in the org")
	perClient := flag.Int("tasks", 4, "tasks per participant in the period")
	workers := flag.Int("workers", 5, "concurrent worker invocations (the event source's MaximumConcurrency)")
	motoMode := flag.String("moto", "indexed", "indexed: moto without its whole-table Query costs (internal/motoserver/indexed.py); stock: as the tests serve it")
	profPath := flag.String("cpuprofile", "", "also keep the drain's CPU profile in this file (go tool pprof)")
	limit := flag.Duration("for", 0, "stop taking batches after this long (or on SIGUSR1) and report the progress made (0: until the queue is drained)")
	flag.Parse()
	if *motoMode != "indexed" && *motoMode != "stock" {
		return fmt.Errorf("-moto %q: want indexed or stock", *motoMode)
	}
	ctx := context.Background()

	port, err := freePort()
	if err != nil {
		return err
	}
	startMoto := motoserver.Start
	if *motoMode == "indexed" {
		startMoto = motoserver.StartIndexed
	}
	moto, err := startMoto(port)
	if err != nil {
		return err
	}
	defer moto.Stop()
	count := &counter{}
	count.reset()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("ap-southeast-2"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("bench", "bench", "")),
		config.WithBaseEndpoint(moto.Endpoint))
	if err != nil {
		return err
	}
	cfg.APIOptions = append(cfg.APIOptions, count.add)
	tpl, err := provision.Load("template.yaml")
	if err != nil {
		return err
	}
	res, err := tpl.Provision(ctx, cfg, "bench-")
	if err != nil {
		return err
	}
	env, err := res.Env("RunWorkerFunction")
	if err != nil {
		return err
	}
	store, err := dynamo.New(dynamodb.NewFromConfig(cfg), env["TABLE_NAME"])
	if err != nil {
		return err
	}
	now := time.Now()
	svc, err := billing.New(store, nil, time.Now, id.New)
	if err != nil {
		return err
	}
	st := org.Defaults("Bench Coordination")
	st.LegalName, st.TaxID = "Bench Coordination Pty Ltd", "51824753556"
	o, err := org.New(id.New(id.Org, now), st, now)
	if err != nil {
		return err
	}
	if err := store.CreateOrg(ctx, o); err != nil {
		return err
	}
	if err := store.PutNDISProvider(ctx, o.ID, run.ProviderSettings{Registration: "4050012345"}); err != nil {
		return err
	}
	today := calendar.Today(now, o.Location())
	first := calendar.Of(today.Year(), today.Month()-1, 1)
	last := calendar.Of(today.Year(), today.Month(), 0)

	fmt.Printf("loading %d participants with %d tasks each …\n", *n, *perClient)
	load := time.Now()
	fundings := []client.Funding{
		{Type: client.SelfManaged, NDISNumber: "431234567"},
		{Type: client.PlanManaged, NDISNumber: "431234568", PlanManager: &client.PlanManager{Name: "Plan Partners", Email: "pm@example.com"}},
		{Type: client.NDIAManaged, NDISNumber: "431234569"},
	}
	var works []run.Work
	for i := range *n {
		c, err := client.New(id.New(id.Client, now), o.ID, client.Profile{Name: fmt.Sprintf("Participant %05d", i),
			Contacts: []client.Contact{{Name: "P", Email: "p@example.com", Phone: "+61412345678"}}, Funding: fundings[i%3]},
			func() string { return id.New(id.Contact, now) }, now)
		if err != nil {
			return err
		}
		c.Version = 1
		w := run.Work{Client: c, Plan: &ndis.Plan{ClientID: c.ID, Start: first.AddDays(-30), End: first.AddDays(330), Remoteness: ndis.National,
			Budgets: map[string]decimal.Decimal{"07": decimal.NewFromInt(20000)}, Version: 1, UpdatedAt: now}}
		for j := range *perClient {
			w.Tasks = append(w.Tasks, ndis.Task{ID: id.New("task", now), OrgID: o.ID, ClientID: c.ID, SupportItem: "07_002_0106_8_3", Date: first.AddDays(j * 5 % 28),
				Minutes: 45 + 5*j, Rate: decimal.RequireFromString("100.14"), Version: 1, CreatedAt: now})
		}
		works = append(works, w)
		if len(works) == 200 || i == *n-1 {
			if err := store.LoadNDISWork(ctx, o.ID, works); err != nil {
				return err
			}
			works = nil
		}
		if (i+1)%max(*n/10, 1) == 0 {
			fmt.Printf("  %d participants loaded (%s)\n", i+1, time.Since(load).Round(time.Second))
		}
	}
	fmt.Printf("  loaded in %s\n", time.Since(load).Round(time.Second))

	api := sqs.NewFromConfig(cfg)
	runsQ, err := queue.NewRuns(api, env["RUNS_QUEUE_URL"], env["RUNS_DLQ_URL"])
	if err != nil {
		return err
	}
	dq, err := queue.NewDeliveries(api, env["DELIVERIES_QUEUE_URL"])
	if err != nil {
		return err
	}
	sender, err := billing.NewSender(svc, store, dq)
	if err != nil {
		return err
	}
	runs, err := billing.NewRuns(svc, store, runsQ, sender, "https://billing.example.com")
	if err != nil {
		return err
	}
	handler, err := runworker.New(runs, store, 5, time.Now, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	admin := auth.Principal{OrgID: o.ID, Email: "bench@example.com", Role: auth.RoleAdmin}

	count.reset()
	startCPU, start := cpu(), time.Now()
	rn, err := runs.Start(ctx, admin, billing.StartRequest{PeriodStart: first, PeriodEnd: last})
	if err != nil {
		return err
	}
	startWall, startReqs := time.Since(start), 0
	for _, c := range count.requests {
		startReqs += c
	}
	fmt.Printf("run %s started: %d participants queued in %s (%d requests)\n", rn.ID, rn.Counts.Total, startWall.Round(time.Millisecond), startReqs)

	runtime.GC() // the load's garbage is not the worker's
	prof, err := startProfile(*profPath)
	if err != nil {
		return err
	}
	count.reset()
	workCPU, workStart := cpu(), time.Now()
	retries0 := store.FinalizeRetries()
	var (
		wg      sync.WaitGroup
		failed  atomic.Int64
		batches atomic.Int64
		heap    heapPeak
	)
	// -for, or SIGUSR1, stops the workers taking batches.
	var halt atomic.Bool
	if *limit > 0 {
		time.AfterFunc(*limit, func() { halt.Store(true) })
	}
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	go func() { <-usr1; halt.Store(true) }()
	url := env["RUNS_QUEUE_URL"]
	stop := make(chan struct{})
	go progress(ctx, store, o.ID, rn.ID, count, &batches, &failed, workStart, workCPU, stop)
	defer close(stop)
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			idle := 0
			for idle < 3 && !halt.Load() {
				out, err := api.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10,
					MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}, VisibilityTimeout: 600})
				if err != nil || len(out.Messages) == 0 {
					idle++
					time.Sleep(200 * time.Millisecond)
					continue
				}
				idle = 0
				resp, _ := handler.Handle(ctx, queue.Event("arn:aws:sqs:ap-southeast-2:000000000000:runs", out.Messages))
				heap.sample()
				batches.Add(1)
				bad := map[string]bool{}
				for _, f := range resp.BatchItemFailures {
					bad[f.ItemIdentifier] = true
				}
				failed.Add(int64(len(bad)))
				for _, m := range out.Messages {
					if !bad[*m.MessageId] {
						_, _ = api.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
					}
				}
			}
		}()
	}
	wg.Wait()
	wall := time.Since(workStart)
	used := cpu() - workCPU
	outside, err := prof.stop()
	if err != nil {
		return err
	}
	got, err := store.GetRun(ctx, o.ID, rn.ID)
	if err != nil {
		return err
	}
	inv := got.Counts.Invoiced
	partial := got.Status() != run.Complete || inv != *n
	if partial && !halt.Load() {
		return fmt.Errorf("run ended %s with %+v", got.Status(), got.Counts)
	}
	if inv == 0 {
		return fmt.Errorf("no invoice made in %s", wall.Round(time.Second))
	}
	reqs := 0
	var ops []string
	for op, c := range count.requests {
		reqs += c
		ops = append(ops, op)
	}
	sort.Strings(ops)
	retries := int(store.FinalizeRetries() - retries0)
	own := time.Duration(float64(used) * outside)
	fmt.Printf("\ninvoice run, %d participants × %d tasks, %d workers, on moto (%s) %s\n", *n, *perClient, *workers, *motoMode, moto.Endpoint)
	if partial {
		fmt.Printf("  PARTIAL: stopped after %s with %d of %d invoiced (%s invoices a minute); figures below are per invoice made\n",
			wall.Round(time.Second), inv, *n, ratio(inv*60, max(int(wall/time.Second), 1)))
	}
	fmt.Printf("  start                %s  (%d requests)\n", startWall.Round(time.Millisecond), startReqs)
	fmt.Printf("  worker wall time     %s  (%s per invoice)\n", wall.Round(time.Millisecond), (wall / time.Duration(inv)).Round(time.Microsecond))
	fmt.Printf("  batches              %d  (failed messages retried: %d)\n", batches.Load(), failed.Load())
	fmt.Printf("  numbering retries    %d  (%s per invoice)\n", retries, ratio(retries, inv))
	fmt.Printf("  AWS requests         %d  (%s per invoice)\n", reqs, ratio(reqs, inv))
	for _, op := range ops {
		fmt.Printf("    %-22s %d  (%s per invoice)\n", op, count.requests[op], ratio(count.requests[op], inv))
	}
	fmt.Printf("  write units (est.)   %d  (%s per invoice)\n", count.wcu, ratio(count.wcu, inv))
	fmt.Printf("  process CPU          %s  (%s per invoice; moto runs in its own process)\n", used.Round(time.Millisecond), (used / time.Duration(inv)).Round(time.Microsecond))
	fmt.Printf("  worker CPU, no AWS   %s  (%s per invoice: %.0f%% of CPU profile samples have no AWS call on the stack)\n",
		own.Round(time.Millisecond), (own / time.Duration(inv)).Round(time.Microsecond), 100*outside)
	fmt.Printf("  time waiting on AWS  %s summed over workers\n", time.Duration(count.waiting.Load()).Round(time.Millisecond))
	fmt.Printf("  peak heap            %d KiB live, %d KiB in use (all %d workers together, batches of 10)\n", heap.live.Load()/1024, heap.inUse.Load()/1024, *workers)
	if err := verify(ctx, store, runs, admin, o, rn.ID, *n, partial); err != nil {
		return err
	}
	_ = startCPU
	return nil
}

// verify checks the run's outcome: exactly one invoice per participant,
// numbers 1..n without a gap, the run's counts (all invoiced, a third per
// routing), and no claim reference twice (in the run's results or its
// NDIA bulk files, which must carry each exactly once). A partial run (stopped by -for) is checked for what it
// made: one invoice per participant invoiced, numbers 1..invoiced, counts
// that add up, claim references once.
func verify(ctx context.Context, store *dynamo.Store, runs *billing.Runs, admin auth.Principal, o *org.Org, runID string, total int, partial bool) error {
	began := time.Now()
	got, err := store.GetRun(ctx, o.ID, runID)
	if err != nil {
		return err
	}
	c := got.Counts
	n := total
	if partial {
		n = c.Invoiced
		routed := c.ByRouting[run.ToParticipant] + c.ByRouting[run.ToPlanManager] + c.ByRouting[run.ToNDIA]
		if c.Total != total || c.Parked != 0 || c.Empty != 0 || routed != n {
			return fmt.Errorf("verify: run counts %+v, want %d in all, %d invoiced by routing", c, total, n)
		}
	} else {
		third := [3]int{(n + 2) / 3, (n + 1) / 3, n / 3} // self-, plan-, NDIA-managed, as loaded (i%3)
		if c.Total != n || c.Invoiced != n || c.Parked != 0 || c.Empty != 0 || c.ByRouting[run.ToParticipant] != third[0] ||
			c.ByRouting[run.ToPlanManager] != third[1] || c.ByRouting[run.ToNDIA] != third[2] {
			return fmt.Errorf("verify: run counts %+v, want %d invoiced, %v by routing", c, n, third)
		}
	}
	perClient := map[string]int{}
	var numbers []string
	for cursor := ""; ; {
		invs, next, err := store.ListInvoices(ctx, o.ID, invoice.ListFilter{Limit: 200, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, inv := range invs {
			perClient[inv.Spec.ClientID]++
			numbers = append(numbers, inv.Number)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(perClient) != n || len(numbers) != n {
		return fmt.Errorf("verify: %d invoices for %d clients, want %d each", len(numbers), len(perClient), n)
	}
	for cid, k := range perClient {
		if k != 1 {
			return fmt.Errorf("verify: client %s has %d invoices", cid, k)
		}
	}
	sort.Strings(numbers)
	want := make([]string, n)
	for i := range want {
		want[i] = invoice.FormatNumber(o.Settings.NumberPrefix, int64(i+1))
	}
	sort.Strings(want)
	for i := range want {
		if numbers[i] != want[i] {
			return fmt.Errorf("verify: numbers are not 1..%d without a gap: %s where %s belongs", n, numbers[i], want[i])
		}
	}
	refs := map[string]bool{}
	invoiced := map[string]bool{}
	err = store.EachRunClient(ctx, o.ID, runID, func(page []*run.ClientResult) error {
		for _, r := range page {
			if partial && r.State != run.ClientInvoiced {
				continue
			}
			if r.State != run.ClientInvoiced || r.InvoiceID == "" || invoiced[r.InvoiceID] {
				return fmt.Errorf("verify: %s is %s with invoice %q (seen before: %v)", r.ClientID, r.State, r.InvoiceID, invoiced[r.InvoiceID])
			}
			invoiced[r.InvoiceID] = true
			for _, cl := range r.Claims {
				if cl.Ref == "" || refs[cl.Ref] {
					return fmt.Errorf("verify: claim reference %q empty or emitted twice", cl.Ref)
				}
				refs[cl.Ref] = true
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The NDIA bulk files as the API serves them: each claim reference of
	// the results once, nothing else.
	files, err := runs.BulkFiles(ctx, admin, runID)
	if err != nil {
		return err
	}
	lines := 0
	seen := map[string]bool{}
	for _, f := range files {
		rows, err := csv.NewReader(bytes.NewReader(f.Data)).ReadAll()
		if err != nil || len(rows) == 0 {
			return fmt.Errorf("verify: bulk file %s: %v", f.Name, err)
		}
		col := slices.Index(rows[0], "ClaimReference")
		for _, row := range rows[1:] {
			if col < 0 || seen[row[col]] || !refs[row[col]] {
				return fmt.Errorf("verify: bulk file %s: claim reference %q twice or not a result's (column %d)", f.Name, row[max(col, 0)], col)
			}
			seen[row[col]] = true
			lines++
		}
	}
	if lines != len(refs) {
		return fmt.Errorf("verify: %d bulk-file lines for %d claim references", lines, len(refs))
	}
	if len(invoiced) != n || len(refs) == 0 {
		return fmt.Errorf("verify: %d results invoiced, %d claim references", len(invoiced), len(refs))
	}
	fmt.Printf("  verified             %d invoices, one per participant; numbers %s–%s gapless; %d claim references, %d bulk-file lines in %d files, none twice (%s)\n",
		n, want[0], invoice.FormatNumber(o.Settings.NumberPrefix, int64(n)), len(refs), lines, len(files), time.Since(began).Round(time.Second))
	return nil
}

// heapPeak keeps the largest heap seen after a batch: live (as of the last
// GC, runtime/metrics) and in use (MemStats).
type heapPeak struct{ live, inUse atomic.Uint64 }

func (h *heapPeak) sample() {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	raise(&h.live, s[0].Value.Uint64())
	raise(&h.inUse, ms.HeapInuse)
}

func raise(p *atomic.Uint64, v uint64) {
	for old := p.Load(); v > old && !p.CompareAndSwap(old, v); old = p.Load() {
	}
}

// profile is the drain's CPU profile.
type profile struct {
	f    *os.File
	keep bool
}

func startProfile(path string) (*profile, error) {
	p := &profile{keep: path != ""}
	var err error
	if p.keep {
		p.f, err = os.Create(path)
	} else {
		p.f, err = os.CreateTemp("", "runs-cpu-*.pprof")
	}
	if err != nil {
		return nil, err
	}
	return p, pprof.StartCPUProfile(p.f)
}

// stop ends the profile and returns the share of its samples with no
// frame of an AWS call on the stack (the SDK's service clients, its
// signing and retries, smithy's middleware and serializers, net/http):
// the worker's own CPU, outside AWS calls. Marshalling items to and from
// attribute values (feature/dynamodb/attributevalue) is the store's own
// work and stays in.
func (p *profile) stop() (float64, error) {
	pprof.StopCPUProfile()
	name := p.f.Name()
	if err := p.f.Close(); err != nil {
		return 0, err
	}
	if !p.keep {
		defer os.Remove(name)
	}
	f, err := os.Open(name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	pr, err := pprofile.Parse(f)
	if err != nil {
		return 0, err
	}
	var all, own int64
	for _, s := range pr.Sample {
		v := s.Value[len(s.Value)-1] // cpu nanoseconds
		all += v
		if !inAWS(s) {
			own += v
		}
	}
	if all == 0 {
		return 0, fmt.Errorf("cpu profile: no samples")
	}
	return float64(own) / float64(all), nil
}

func inAWS(s *pprofile.Sample) bool {
	for _, loc := range s.Location {
		for _, l := range loc.Line {
			if fn := l.Function; fn != nil && (strings.HasPrefix(fn.Name, "github.com/aws/aws-sdk-go-v2/service/") ||
				strings.HasPrefix(fn.Name, "github.com/aws/aws-sdk-go-v2/aws/") || strings.HasPrefix(fn.Name, "github.com/aws/smithy-go") ||
				strings.HasPrefix(fn.Name, "net/http.")) {
				return true
			}
		}
	}
	return false
}

// ratio is a/b to two decimals, in integer arithmetic.
func ratio(a, b int) string {
	h := a * 100 / b
	return fmt.Sprintf("%d.%02d", h/100, h%100)
}

// progress prints, each minute while the workers drain the queue, the
// run's counts, invoices a minute over that minute, and the figures per
// invoice so far (requests, write units, numbering retries, process CPU),
// so a run that stalls shows where and a long one shows whether they stay
// flat as the tables fill.
func progress(ctx context.Context, store *dynamo.Store, orgID, runID string, count *counter, batches, failed *atomic.Int64, start time.Time, cpu0 time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	retries0, last := store.FinalizeRetries(), 0
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		r, err := store.GetRun(ctx, orgID, runID)
		if err != nil {
			fmt.Fprintln(os.Stderr, "progress:", err)
			continue
		}
		count.mu.Lock()
		reqs, wcu := 0, count.wcu
		for _, c := range count.requests {
			reqs += c
		}
		count.mu.Unlock()
		inv := max(r.Counts.Invoiced, 1)
		used := cpu() - cpu0
		fmt.Fprintf(os.Stderr, "%s %s: invoiced %d parked %d empty %d of %d (%d this minute); batches %d, failed messages %d; per invoice: %s requests, %s write units, %s numbering retries, %s CPU\n",
			time.Now().UTC().Format("15:04:05"), time.Since(start).Round(time.Second), r.Counts.Invoiced, r.Counts.Parked, r.Counts.Empty, r.Counts.Total,
			r.Counts.Invoiced-last, batches.Load(), failed.Load(), ratio(reqs, inv), ratio(wcu, inv), ratio(int(store.FinalizeRetries()-retries0), inv),
			(used / time.Duration(inv)).Round(time.Millisecond))
		last = r.Counts.Invoiced
	}
}
