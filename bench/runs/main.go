// Command runs measures an invoice run over an org's NDIS participants on
// the local stack (moto): the wall time, the AWS requests and DynamoDB
// write units per invoice, numbering retries per invoice, the worker
// process's CPU per invoice and its heap per batch of ten.
//
//	go run ./bench/runs [-clients 300] [-tasks 4] [-workers 5]
//
// Participants (a third each self-managed, plan-managed, NDIA-managed)
// with a plan and -tasks tasks last month are loaded straight through the
// store; then the run is started through the use case (as the API does),
// and -workers concurrent workers drain the runs queue through the run
// worker's handler, batches of ten, as the SQS event source with
// MaximumConcurrency -workers would. Write units are estimated as
// DynamoDB bills them: one per KB (rounded up) of each written item,
// twice for items written in a transaction.
package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/carebill/carebill/bench/internal/ddbunits"
	"log/slog"
	"net"
	"os"
	"runtime"
	"sort"
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
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
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
	tasks := flag.Int("tasks", 4, "tasks per participant in the period")
	workers := flag.Int("workers", 5, "concurrent worker invocations (the event source's MaximumConcurrency)")
	flag.Parse()
	ctx := context.Background()

	port, err := freePort()
	if err != nil {
		return err
	}
	moto, err := motoserver.Start(port)
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

	fmt.Printf("loading %d participants with %d tasks each …\n", *n, *tasks)
	load := time.Now()
	fundings := []client.Funding{
		{Type: client.SelfManaged, NDISNumber: "431234567"},
		{Type: client.PlanManaged, NDISNumber: "431234568", PlanManager: &client.PlanManager{Name: "Plan Partners", Email: "pm@example.com"}},
		{Type: client.NDIAManaged, NDISNumber: "431234569"},
	}
	for i := range *n {
		c, err := client.New(id.New(id.Client, now), o.ID, client.Profile{Name: fmt.Sprintf("Participant %05d", i),
			Contacts: []client.Contact{{Name: "P", Email: "p@example.com", Phone: "+61412345678"}}, Funding: fundings[i%3]},
			func() string { return id.New(id.Contact, now) }, now)
		if err != nil {
			return err
		}
		if err := store.CreateClient(ctx, c); err != nil {
			return err
		}
		if err := store.PutPlan(ctx, o.ID, &ndis.Plan{ClientID: c.ID, Start: first.AddDays(-30), End: first.AddDays(330), Remoteness: ndis.National,
			Budgets: map[string]decimal.Decimal{"07": decimal.NewFromInt(20000)}, UpdatedAt: now}); err != nil {
			return err
		}
		for j := range *tasks {
			t := &ndis.Task{ID: id.New("task", now), OrgID: o.ID, ClientID: c.ID, SupportItem: "07_002_0106_8_3", Date: first.AddDays(j * 5 % 28),
				Minutes: 45 + 5*j, Rate: decimal.RequireFromString("100.14"), CreatedAt: now}
			if err := store.CreateTask(ctx, t); err != nil {
				return err
			}
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

	count.reset()
	workCPU, workStart := cpu(), time.Now()
	retries0 := store.FinalizeRetries()
	var (
		wg      sync.WaitGroup
		failed  atomic.Int64
		batches atomic.Int64
		peak    atomic.Uint64
	)
	url := env["RUNS_QUEUE_URL"]
	stop := make(chan struct{})
	go progress(ctx, store, o.ID, rn.ID, count, &batches, &failed, workStart, stop)
	defer close(stop)
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			idle := 0
			for idle < 3 {
				out, err := api.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10,
					MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}, VisibilityTimeout: 120})
				if err != nil || len(out.Messages) == 0 {
					idle++
					time.Sleep(200 * time.Millisecond)
					continue
				}
				idle = 0
				resp, _ := handler.Handle(ctx, queue.Event("arn:aws:sqs:ap-southeast-2:000000000000:runs", out.Messages))
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
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				for p := peak.Load(); ms.HeapInuse > p && !peak.CompareAndSwap(p, ms.HeapInuse); p = peak.Load() {
				}
			}
		}()
	}
	wg.Wait()
	wall := time.Since(workStart)
	used := cpu() - workCPU
	got, err := store.GetRun(ctx, o.ID, rn.ID)
	if err != nil {
		return err
	}
	inv := got.Counts.Invoiced
	if got.Status() != run.Complete || inv != *n {
		return fmt.Errorf("run ended %s with %+v", got.Status(), got.Counts)
	}
	reqs := 0
	var ops []string
	for op, c := range count.requests {
		reqs += c
		ops = append(ops, op)
	}
	sort.Strings(ops)
	retries := int(store.FinalizeRetries() - retries0)
	fmt.Printf("\ninvoice run, %d participants × %d tasks, %d workers, on moto %s\n", *n, *tasks, *workers, moto.Endpoint)
	fmt.Printf("  wall time            %s  (%s per invoice)\n", wall.Round(time.Millisecond), (wall / time.Duration(inv)).Round(time.Microsecond))
	fmt.Printf("  batches              %d  (failed messages retried: %d)\n", batches.Load(), failed.Load())
	fmt.Printf("  numbering retries    %d  (%s per invoice)\n", retries, ratio(retries, inv))
	fmt.Printf("  AWS requests         %d  (%s per invoice)\n", reqs, ratio(reqs, inv))
	for _, op := range ops {
		fmt.Printf("    %-22s %d\n", op, count.requests[op])
	}
	fmt.Printf("  write units (est.)   %d  (%s per invoice)\n", count.wcu, ratio(count.wcu, inv))
	fmt.Printf("  process CPU          %s  (%s per invoice; includes the SDK's request signing and JSON, not moto)\n", used.Round(time.Millisecond), (used / time.Duration(inv)).Round(time.Microsecond))
	fmt.Printf("  time waiting on AWS  %s summed over workers\n", time.Duration(count.waiting.Load()).Round(time.Millisecond))
	fmt.Printf("  peak heap in use     %d KiB (all %d workers together)\n", peak.Load()/1024, *workers)
	_ = startCPU
	return nil
}

// ratio is a/b to two decimals, in integer arithmetic.
func ratio(a, b int) string {
	h := a * 100 / b
	return fmt.Sprintf("%d.%02d", h/100, h%100)
}

// progress prints the run's counts every 15 s while the workers drain the
// queue, so a run that stalls shows where.
func progress(ctx context.Context, store *dynamo.Store, orgID, runID string, count *counter, batches, failed *atomic.Int64, start time.Time, stop <-chan struct{}) {
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
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
		reqs := 0
		for _, c := range count.requests {
			reqs += c
		}
		count.mu.Unlock()
		fmt.Fprintf(os.Stderr, "%s: invoiced %d parked %d empty %d of %d; batches %d, failed messages %d, numbering retries %d, requests %d\n",
			time.Since(start).Round(time.Second), r.Counts.Invoiced, r.Counts.Parked, r.Counts.Empty, r.Counts.Total,
			batches.Load(), failed.Load(), store.FinalizeRetries(), reqs)
	}
}
