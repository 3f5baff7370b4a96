// Command cycles measures closing one billing cycle of an org with many
// clients on the local stack (moto): the wall time, the AWS requests and
// the DynamoDB write units per client, and how many scheduled runs the
// close takes when each run is cut off as a Lambda timeout would cut it
// (the close resumes from its saved cursor).
//
//	go run ./bench/cycles [-clients 10000] [-idle 10] [-run 120s] [-months 1]
//
// Every client but the idle share gets one invoice a month (every third a
// part payment too), built by the domain packages and loaded in batches;
// each month's close then writes a statement for each of them and skips
// the idle ones. With -months above 1 the history grows month by month
// (the invoices stay open), and each close is reported, so the cost per
// client can be read against the length of the history. Write units are estimated as DynamoDB bills
// them: one per KB (rounded up) of each written item, twice for items
// written in a transaction.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
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

// counter counts AWS requests and estimated write units by operation.
type counter struct {
	mu       sync.Mutex
	requests map[string]int
	wcu      int
	scanned  int // items the Queries read (ScannedCount): what DynamoDB bills a Query by
}

func (c *counter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests, c.wcu, c.scanned = map[string]int{}, 0, 0
}

func units(item map[string]types.AttributeValue) int {
	b, _ := json.Marshal(item) // a close stand-in for DynamoDB's item size
	return (len(b) + 1023) / 1024
}

func (c *counter) add(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("count", func(
		ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
	) (middleware.InitializeOutput, middleware.Metadata, error) {
		var w int
		switch p := in.Parameters.(type) {
		case *dynamodb.PutItemInput:
			w = units(p.Item)
		case *dynamodb.UpdateItemInput, *dynamodb.DeleteItemInput:
			w = 1
		case *dynamodb.TransactWriteItemsInput:
			for _, it := range p.TransactItems {
				switch {
				case it.Put != nil:
					w += 2 * units(it.Put.Item)
				case it.Update != nil, it.Delete != nil, it.ConditionCheck != nil:
					w += 2
				}
			}
		}
		c.mu.Lock()
		c.requests[middleware.GetOperationName(ctx)]++
		c.wcu += w
		c.mu.Unlock()
		out, md, err := next.HandleInitialize(ctx, in)
		if q, ok := out.Result.(*dynamodb.QueryOutput); ok && err == nil {
			c.mu.Lock()
			c.scanned += int(q.ScannedCount)
			c.mu.Unlock()
		}
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
	env, err := res.Env("InvoicingFunction")
	if err != nil {
		return err
	}
	store, err := dynamo.New(dynamodb.NewFromConfig(cfg), env["TABLE_NAME"])
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
		if err := closeMonth(ctx, store, cycles, clk, count, o.ID, start, *n, *idlePct, *perRun, moto.Endpoint, syd); err != nil {
			return err
		}
	}
	return nil
}

// closeMonth closes the month starting start, in scheduled runs each cut
// off after perRun as a Lambda timeout would cut it (the clock moves past
// the lease between runs so the next resumes from the cursor), and prints
// what it cost.
func closeMonth(ctx context.Context, store *dynamo.Store, cycles *billing.Cycles, clk *clock, count *counter, orgID string,
	start calendar.Date, n, idlePct int, perRun time.Duration, endpoint string, syd *time.Location) error {
	count.reset()
	end := calendar.Of(start.Year(), start.Month()+1, 1)
	clk.Set(end.Start(syd).Add(15 * time.Minute))
	began := time.Now()
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
			return fmt.Errorf("run %d: %w", runs, err)
		}
		total.Closed += rep.Closed
		total.Statements += rep.Statements
		if rep.Closed > 0 || runs > 100 {
			break
		}
		clk.Add(cycles.Lease + time.Second)
	}
	wall := time.Since(began)
	got, err := store.GetOrg(ctx, orgID)
	if err != nil {
		return err
	}
	if want := end.AddDays(-1); got.ClosedThrough != want {
		return fmt.Errorf("the cycle did not close: closed through %s, want %s", got.ClosedThrough, want)
	}
	active := n - n*idlePct/100
	reqs := 0
	var ops []string
	for op, c := range count.requests {
		reqs += c
		ops = append(ops, op)
	}
	sort.Strings(ops)
	fmt.Printf("\nclose of %s, %d clients (%d with activity), on moto %s\n", start.Format("January 2006"), n, active, endpoint)
	fmt.Printf("  wall time          %s  (%s per client)\n", wall.Round(time.Millisecond), (wall / time.Duration(n)).Round(time.Microsecond))
	fmt.Printf("  scheduled runs     %d  (each cut off after %s)\n", runs, perRun)
	fmt.Printf("  statements         %d\n", total.Statements)
	fmt.Printf("  AWS requests       %d  (%s per client)\n", reqs, ratio(reqs, n))
	for _, op := range ops {
		fmt.Printf("    %-22s %d\n", op, count.requests[op])
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
