// Command runstart measures starting an invoice run (POST
// /v1/invoice-runs: the alert check, recording the run, queueing one
// message per participant) over an org's NDIS participants on the local
// stack (moto): wall time, the Go process's CPU and AWS requests per
// participant, for the 422 that lists blocking alerts, the dry run and the
// real run, read from the NDIS work index and, for comparison, from each
// participant's items as before the index.
//
//	go run ./bench/runstart [-clients 10000] [-tasks 4] [-blocked 100] [-before=true] [-moto indexed|stock]
//
// Run it from the repository's root. -moto indexed (the default) serves
// moto through internal/motoserver/indexed.py, which removes moto's
// whole-table sort on every Query (minutes per page at this scale)
// without changing any answer; stock runs moto as installed.
//
// Participants (a third each self-managed, plan-managed, NDIA-managed)
// with a plan and -tasks tasks last month are loaded straight into the
// table with BatchWriteItem (dynamo.LoadNDISWork: the items and their
// index copies); -blocked of them have a task without a rate (an alert).
// The run is started through the use case, as the API does: first as is
// (refused, listing the alerts), then excluding the blocked participants,
// as a dry run and as a real run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
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
)

func main() {
	if err := bench(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/runstart:", err)
		os.Exit(1)
	}
}

// counter counts AWS requests by operation.
type counter struct {
	mu       sync.Mutex
	requests map[string]int
}

func (c *counter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests = map[string]int{}
}

func (c *counter) add(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("count", func(
		ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
	) (middleware.InitializeOutput, middleware.Metadata, error) {
		c.mu.Lock()
		c.requests[middleware.GetOperationName(ctx)]++
		c.mu.Unlock()
		return next.HandleInitialize(ctx, in)
	}), middleware.After)
}

// report is the requests since the last reset: total and by operation.
func (c *counter) report() (int, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	total, ops := 0, make([]string, 0, len(c.requests))
	for op, n := range c.requests {
		total += n
		ops = append(ops, fmt.Sprintf("%s %d", op, n))
	}
	sort.Strings(ops)
	return total, strings.Join(ops, ", ")
}

// cpu is the process's user and system CPU so far (this process: the use
// case, the SDK's signing and JSON; moto runs in its own).
func cpu() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func bench() error {
	n := flag.Int("clients", 10000, "NDIS participants in the org")
	tasks := flag.Int("tasks", 4, "tasks per participant in the period")
	blockedN := flag.Int("blocked", 100, "participants with an alert (a task without a rate); at most 1000, the exclusion limit")
	before := flag.Bool("before", true, "also time the dry run read from each participant's items (as before the index)")
	motoMode := flag.String("moto", "indexed", "indexed: moto without its whole-table costs per Query (internal/motoserver/indexed.py); stock: moto as installed")
	flag.Parse()
	if *motoMode != "indexed" && *motoMode != "stock" {
		return fmt.Errorf("-moto %q: want indexed or stock", *motoMode)
	}
	if *blockedN > billing.MaxExcluded || *blockedN > *n {
		return fmt.Errorf("-blocked must be at most %d and at most -clients", billing.MaxExcluded)
	}
	ctx := context.Background()

	port, err := freePort()
	if err != nil {
		return err
	}
	var moto *motoserver.Server
	if *motoMode == "indexed" {
		moto, err = motoserver.StartIndexed(port)
	} else {
		moto, err = motoserver.Start(port)
	}
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
	env, err := res.Env("InvoicingFunction")
	if err != nil {
		return err
	}
	db := dynamodb.NewFromConfig(cfg)
	store, err := dynamo.New(db, env["TABLE_NAME"])
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

	fmt.Printf("loading %d participants with %d tasks each (%d blocked) …\n", *n, *tasks, *blockedN)
	load := time.Now()
	fundings := []client.Funding{
		{Type: client.SelfManaged, NDISNumber: "431234567"},
		{Type: client.PlanManaged, NDISNumber: "431234568", PlanManager: &client.PlanManager{Name: "Plan Partners", Email: "pm@example.com"}},
		{Type: client.NDIAManaged, NDISNumber: "431234569"},
	}
	var (
		works   []run.Work
		blocked []string
	)
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
		for j := range *tasks {
			t := ndis.Task{ID: id.New("task", now), OrgID: o.ID, ClientID: c.ID, SupportItem: "07_002_0106_8_3", Date: first.AddDays(j * 5 % 28),
				Minutes: 45 + 5*j, Rate: decimal.RequireFromString("100.14"), Version: 1, CreatedAt: now}
			if j == 0 && i < *blockedN {
				t.Rate = decimal.Zero
			}
			w.Tasks = append(w.Tasks, t)
		}
		if i < *blockedN {
			blocked = append(blocked, c.ID)
		}
		works = append(works, w)
		if len(works) == 500 || i == *n-1 {
			if err := store.LoadNDISWork(ctx, o.ID, works); err != nil {
				return err
			}
			works = works[:0]
		}
	}
	fmt.Printf("  loaded in %s\n", time.Since(load).Round(time.Second))

	api := sqs.NewFromConfig(cfg)
	runsQ, err := queue.NewRuns(api, env["RUNS_QUEUE_URL"], env["RUNS_DLQ_URL"])
	if err != nil {
		return err
	}
	runs, err := billing.NewRuns(svc, store, runsQ, nil, "")
	if err != nil {
		return err
	}
	admin := auth.Principal{OrgID: o.ID, Email: "bench@example.com", Role: auth.RoleAdmin}

	fmt.Printf("\n%-34s %10s %9s %9s %12s  %s\n", "run start", "wall", "Go CPU", "requests", "per particip.", "by operation")
	measure := func(name string, req billing.StartRequest, wantBlocked int) error {
		count.reset()
		start, cpu0 := time.Now(), cpu()
		rn, err := runs.Start(ctx, admin, req)
		wall, used := time.Since(start), cpu()-cpu0
		var ae *run.AlertsError
		switch {
		case wantBlocked > 0 && errors.As(err, &ae):
			if len(ae.Clients) != wantBlocked {
				return fmt.Errorf("%s: %d participants blocked, want %d", name, len(ae.Clients), wantBlocked)
			}
		case wantBlocked > 0:
			return fmt.Errorf("%s: want the alerts refused, got %v", name, err)
		case err != nil:
			return fmt.Errorf("%s: %w", name, err)
		case rn.Counts.Total != *n-*blockedN:
			return fmt.Errorf("%s: %d participants queued, want %d", name, rn.Counts.Total, *n-*blockedN)
		}
		total, ops := count.report()
		fmt.Printf("%-34s %10s %9s %9d %12.2f  %s\n", name, wall.Round(time.Millisecond), used.Round(time.Millisecond), total, float64(total)/float64(*n), ops)
		return nil
	}
	period := billing.StartRequest{PeriodStart: first, PeriodEnd: last}
	if *blockedN > 0 {
		if err := measure("index: refused (422, alerts)", period, *blockedN); err != nil {
			return err
		}
	}
	excl := period
	excl.Exclude = blocked
	excl.DryRun = true
	if err := measure("index: dry run (202)", excl, 0); err != nil {
		return err
	}
	excl.DryRun = false
	if err := measure("index: real run (202)", excl, 0); err != nil {
		return err
	}
	if *before {
		// Without the index's ready mark, run start reads each
		// participant's plan, tasks and sessions, as it did before.
		marker := map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "ORG#" + o.ID + "#NDISWORK"}, "SK": &types.AttributeValueMemberS{Value: "#READY"}}
		if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(env["TABLE_NAME"]), Key: marker}); err != nil {
			return err
		}
		excl.DryRun = true
		if err := measure("items (before): dry run (202)", excl, 0); err != nil {
			return err
		}
	}
	return nil
}
