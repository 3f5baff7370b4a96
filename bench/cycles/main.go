// Command cycles measures closing one billing cycle of an org with many
// clients on the local stack (moto): the wall time, the AWS requests and
// the DynamoDB write units per client, and how many scheduled runs the
// close takes when each run is cut off as a Lambda timeout would cut it
// (the close resumes from its saved cursor).
//
//	go run ./bench/cycles [-clients 10000] [-idle 10] [-run 120s] [-months 1] [-moto indexed|stock] [-maxruns 0]
//
// Every client but the idle share gets one invoice a month (every third a
// part payment too), built by the domain packages and loaded in batches;
// each month's close then writes a statement for each of them and skips
// the idle ones. With -months above 1 the history grows month by month
// (the invoices stay open), and each close is reported, so the cost per
// client can be read against the length of the history. Write units are estimated as DynamoDB bills
// them: one per KB (rounded up) of each written item, twice for items
// written in a transaction.
//
// moto 5 spends time no DynamoDB request does: every Query lists and
// sorts the whole table, and every TransactWriteItems deep-copies the
// whole table once per item it writes, so on stock moto a request's time
// grows with the table, and a 10,000-client org's close takes days.
// -moto indexed (the default) serves moto through internal/motoserver/indexed.py, which
// takes those whole-table costs out without changing any answer; -moto
// stock measures plain moto. Either way the close prints moto's time per
// request by operation and the table's size, so moto's share of the wall
// time can be read off; -maxruns stops after that many scheduled runs
// and reports the progress made (clients per minute).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/carebill/carebill/bench/internal/ddbunits"
	"log/slog"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/motoserver"
	"github.com/carebill/carebill/internal/org"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/cycles:", err)
		os.Exit(1)
	}
}

// counter counts AWS requests, their time and estimated write units by
// operation.
type counter struct {
	mu       sync.Mutex
	requests map[string]int
	took     map[string]time.Duration // time waiting for moto's answers, by operation
	wcu      int
	scanned  int // items the Queries read (ScannedCount): what DynamoDB bills a Query by
}

func (c *counter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests, c.took, c.wcu, c.scanned = map[string]int{}, map[string]time.Duration{}, 0, 0
}

// snapshot is how many requests and transactions so far, and their time.
func (c *counter) snapshot() (reqs, txs int, took time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for op, n := range c.requests {
		reqs += n
		took += c.took[op]
	}
	return reqs, c.requests["TransactWriteItems"], took
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
		began := time.Now()
		out, md, err := next.HandleInitialize(ctx, in)
		took := time.Since(began)
		c.mu.Lock()
		c.took[middleware.GetOperationName(ctx)] += took
		if q, ok := out.Result.(*dynamodb.QueryOutput); ok && err == nil {
			c.scanned += int(q.ScannedCount)
		}
		c.mu.Unlock()
		return out, md, err
	}), middleware.After)
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func run() error {
	n := flag.Int("clients", 10000, "clients in the org")
	idlePct := flag.Int("idle", 10, "percent of clients with no activity (no statement)")
	perRun := flag.Duration("run", 120*time.Second, "how long each scheduled run may work before it is cut off")
	months := flag.Int("months", 1, "months of history, each billed and closed in turn, ending with October's; the last close is the one measured")
	motoMode := flag.String("moto", "indexed", "indexed: moto without its whole-table costs per Query and transaction (internal/motoserver/indexed.py); stock: moto as installed")
	maxRuns := flag.Int("maxruns", 0, "stop after this many scheduled runs and report the progress (0: until the cycle closes)")
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
	fmt.Printf("moto (%s) on %s\n", *motoMode, moto.Endpoint)
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
	syd, _ := time.LoadLocation("Australia/Sydney")
	first := time.Date(2026, 10-time.Month(*months-1), 1, 9, 0, 0, 0, syd)
	clk := &clock{t: first}
	quiet := slog.New(slog.DiscardHandler)
	cycles, err := billing.NewCycles(store, clk.Now, id.New, quiet)
	if err != nil {
		return err
	}
	st := org.Defaults("Bench Care")
	st.LockingPolicy = org.LockOnCycle
	o, err := org.New(id.New(id.Org, clk.Now()), st, clk.Now())
	if err != nil {
		return err
	}
	if err := store.CreateOrg(ctx, o); err != nil {
		return err
	}

	// The history is built by the domain packages (client, invoice,
	// ledger, as the use cases build it) and loaded in batches: creating
	// 10,000 clients one use case at a time on moto takes hours. Each
	// month, every active client gets an invoice (every third a part
	// payment too), and the month closes; earlier invoices stay open, so
	// the ledger and the open items grow month by month.
	aud := o.Settings.Currency
	var seq int64
	all := make([]*client.Client, 0, *n)
	for m := range *months {
		start := calendar.Of(first.Year(), first.Month()+time.Month(m), 1)
		fmt.Printf("loading %d clients (%d%% idle) with %s's invoices and payments …\n", *n, *idlePct, start.Format("January 2006"))
		seedStart := time.Now()
		var clients []*client.Client
		var invoices []*invoice.Invoice
		var entries []ledger.Entry
		flush := func() error {
			err := store.LoadHistory(ctx, clients, invoices, entries)
			clients, invoices, entries = nil, nil, nil
			return err
		}
		for i := range *n {
			day := start.AddDays(i % 28)
			now := day.Start(syd).Add(9 * time.Hour)
			if m == 0 {
				c, err := client.New(id.New(id.Client, now), o.ID, client.Profile{Name: fmt.Sprintf("Client %05d", i),
					Contacts: []client.Contact{{Name: "Billing", Email: "billing@example.com"}}}, func() string { return id.New(id.Contact, now) }, now)
				if err != nil {
					return err
				}
				all = append(all, c)
			}
			c := all[i]
			if i%100 >= *idlePct {
				inv, err := invoice.NewDraft(id.New(id.Invoice, now), o.ID, invoice.Spec{ClientID: c.ID, Name: start.Format("January"), Currency: aud, TermsDays: 14,
					Lines: []invoice.Line{{Type: invoice.Fixed, Description: "Support coordination", Price: decimal.NewFromInt(int64(100 + i%400)), TaxRate: decimal.NewFromInt(10)}}}, now)
				if err != nil {
					return err
				}
				inv.ClientName = c.Profile.Name
				before := *inv
				seq++
				if err := inv.Finalize(o.Settings.NumberPrefix, seq, day, now); err != nil {
					return err
				}
				posted := ledger.Diff(&before, inv, ledger.Doc{})
				if i%3 == 0 { // a part payment
					pay := decimal.NewFromInt(50)
					if err := inv.ApplyPayment(pay, now); err != nil {
						return err
					}
					e := ledger.Received(o.ID, c.ID, aud, ledger.Doc{ID: id.New(id.Payment, now), Number: fmt.Sprintf("RCT-%d-%05d", m, i)}, pay, pay, "bank_transfer")
					e.Effective, e.Splits = day, []ledger.Split{{InvoiceID: inv.ID, Owing: pay.Neg()}}
					posted = append(posted, e)
				}
				if err := ledger.Post(&c.Account, posted, day, now); err != nil {
					return err
				}
				b := c.Account.Balances[aud]
				c.Balance, c.Profile.Currency = client.Balance{Owing: b.Owing, Credit: b.Credit}, aud
				invoices, entries = append(invoices, inv), append(entries, posted...)
			}
			if m == 0 || i%100 >= *idlePct {
				clients = append(clients, c)
			}
			if len(clients) == 200 {
				if err := flush(); err != nil {
					return err
				}
			}
			if (i+1)%max(*n/10, 1) == 0 {
				fmt.Printf("  %d clients loaded (%s)\n", i+1, time.Since(seedStart).Round(time.Second))
			}
		}
		if err := flush(); err != nil {
			return err
		}
		if err := closeMonth(ctx, store, cycles, clk, count, o.ID, start, *n, *idlePct, *perRun, *maxRuns, moto.Endpoint, syd, tableSize(db, env["TABLE_NAME"])); err != nil {
			return err
		}
	}
	return nil
}

// tableSize returns a function reading the table's item count (moto
// counts it live; DynamoDB only every few hours).
func tableSize(db *dynamodb.Client, table string) func(context.Context) (int64, error) {
	return func(ctx context.Context) (int64, error) {
		out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table})
		if err != nil {
			return 0, err
		}
		return aws.ToInt64(out.Table.ItemCount), nil
	}
}

// loadAvg is the machine's one-minute load average as /proc/loadavg
// prints it ("" where there is none).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// closeMonth closes the month starting start, in scheduled runs each cut
// off after perRun as a Lambda timeout would cut it (the clock moves past
// the lease between runs so the next resumes from the cursor), and prints
// what it cost. With maxRuns above 0 it stops after that many runs and
// reports the progress made instead.
func closeMonth(ctx context.Context, store *dynamo.Store, cycles *billing.Cycles, clk *clock, count *counter, orgID string,
	start calendar.Date, n, idlePct int, perRun time.Duration, maxRuns int, endpoint string, syd *time.Location,
	size func(context.Context) (int64, error)) error {
	before, err := size(ctx)
	if err != nil {
		return err
	}
	count.reset()
	end := calendar.Of(start.Year(), start.Month()+1, 1)
	clk.Set(end.Start(syd).Add(15 * time.Minute))
	began := time.Now()
	fmt.Printf("closing %s: %d items in the table, load average %s\n", start.Format("January 2006"), before, loadAvg())

	// Progress once a minute: statement transactions so far, requests,
	// moto's share of the time, the machine's load.
	done := make(chan struct{})
	var loads []string
	var progress sync.WaitGroup
	progress.Add(1)
	go func() {
		defer progress.Done()
		tick := time.NewTicker(time.Minute)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				reqs, txs, took := count.snapshot()
				l := loadAvg()
				loads = append(loads, l)
				el := time.Since(began)
				fmt.Printf("  %s  %d statement transactions (%.0f a minute), %d requests, %.0f%% of the time waiting on moto, load %s\n",
					el.Round(time.Second), txs, float64(txs)/el.Minutes(), reqs, 100*took.Seconds()/el.Seconds(), l)
			}
		}
	}()

	var total billing.CloseReport
	runs := 0
	for {
		runs++
		rctx, cancel := context.WithTimeout(ctx, perRun+10*time.Second) // the close stops 10 s before its deadline
		rep, err := cycles.CloseDue(rctx)
		cancel()
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			// Cut off inside a request, as a Lambda timeout would: the
			// next run resumes from the cursor once the lease lapses.
		case err != nil:
			close(done)
			return fmt.Errorf("run %d: %w", runs, err)
		}
		total.Closed += rep.Closed
		total.Statements += rep.Statements
		if rep.Closed > 0 || runs > 100 || (maxRuns > 0 && runs >= maxRuns) {
			break
		}
		clk.Add(cycles.Lease + time.Second)
	}
	wall := time.Since(began)
	close(done)
	progress.Wait()
	after, err := size(ctx)
	if err != nil {
		return err
	}
	got, err := store.GetOrg(ctx, orgID)
	if err != nil {
		return err
	}
	closed := got.ClosedThrough == end.AddDays(-1)
	if !closed && maxRuns == 0 {
		return fmt.Errorf("the cycle did not close: closed through %s, want %s", got.ClosedThrough, end.AddDays(-1))
	}
	active := n - n*idlePct/100
	reqs := 0
	var ops []string
	var took time.Duration
	for op, c := range count.requests {
		reqs += c
		took += count.took[op]
		ops = append(ops, op)
	}
	sort.Strings(ops)
	fmt.Printf("\nclose of %s, %d clients (%d with activity), on moto %s\n", start.Format("January 2006"), n, active, endpoint)
	if !closed {
		txs := count.requests["TransactWriteItems"]
		fmt.Printf("  NOT CLOSED after %d runs: %d statement transactions in %s (%.1f a minute; %d statements to write)\n",
			runs, txs, wall.Round(time.Second), float64(txs)/wall.Minutes(), active)
	}
	fmt.Printf("  wall time          %s  (%s per client)\n", wall.Round(time.Millisecond), (wall / time.Duration(n)).Round(time.Microsecond))
	fmt.Printf("  waiting on moto    %s  (%.0f%% of the wall time)\n", took.Round(time.Millisecond), 100*took.Seconds()/wall.Seconds())
	fmt.Printf("  table              %d items before, %d after\n", before, after)
	fmt.Printf("  load average       %s at the end; each minute: %s\n", loadAvg(), strings.Join(loads, " "))
	fmt.Printf("  scheduled runs     %d  (each cut off after %s)\n", runs, perRun)
	fmt.Printf("  statements         %d\n", total.Statements)
	fmt.Printf("  AWS requests       %d  (%s per client)\n", reqs, ratio(reqs, n))
	for _, op := range ops {
		fmt.Printf("    %-22s %6d  %8s per request on moto\n", op, count.requests[op], (count.took[op] / time.Duration(count.requests[op])).Round(10*time.Microsecond))
	}
	fmt.Printf("  items read by Query %d  (%s per client)\n", count.scanned, ratio(count.scanned, n))
	fmt.Printf("  write units (est.) %d  (%s per client, %s per statement)\n", count.wcu, ratio(count.wcu, n), ratio(count.wcu, max(total.Statements, 1)))
	return nil
}

// ratio is a/b to two decimals, in integer arithmetic.
func ratio(a, b int) string {
	h := a * 100 / b
	return fmt.Sprintf("%d.%02d", h/100, h%100)
}
