// Command backfill brings data written before the client ledger and the
// member records into their present shape: an admin runs it once against
// a deployed table after deploying the ledger's code (see README,
// Deploying). It is idempotent (a second run changes nothing) and
// resumable (a run that stops, for any reason, is finished by running it
// again).
//
//	TABLE_NAME=… USER_POOL_ID=… go run ./infra/backfill [-only ledgers|members|ndiswork] [-chunk n]
//
// ndiswork builds the NDIS work index (internal/dynamo ndiswork.go) of
// every org created before it; until then run start and the dashboard
// read each participant's items, as before the index.
//
// AWS credentials and region come from the usual environment or profile.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/backfill"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/cognito"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
)

func main() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err == nil {
		err = run(ctx, os.Args[1:], os.Getenv, cfg, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "backfill:", err)
		os.Exit(1)
	}
}

// run is the command: flags in args, TABLE_NAME and USER_POOL_ID from env;
// the report goes to out, progress and warnings to stderr as JSON logs.
func run(ctx context.Context, args []string, env func(string) string, cfg aws.Config, out io.Writer) error {
	fs := flag.NewFlagSet("backfill", flag.ContinueOnError)
	only := fs.String("only", "", `"ledgers", "members" or "ndiswork" to run one part; all by default`)
	chunk := fs.Int("chunk", backfill.ChunkSize, "ledger entries per transaction (at most 90)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *only != "" && *only != "ledgers" && *only != "members" && *only != "ndiswork" {
		return fmt.Errorf("-only %q: want ledgers, members or ndiswork", *only)
	}
	part := func(name string) bool { return *only == "" || *only == name }
	table, pool := env("TABLE_NAME"), env("USER_POOL_ID")
	if table == "" || (pool == "" && part("members")) {
		return errors.New("TABLE_NAME and USER_POOL_ID are required (USER_POOL_ID only for members)")
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	store, err := dynamo.New(dynamodb.NewFromConfig(cfg), table)
	if err != nil {
		return err
	}
	svc, err := billing.New(store, nil, time.Now, id.New)
	if err != nil {
		return err
	}
	accounts, err := billing.NewAccounts(svc, store)
	if err != nil {
		return err
	}
	verify := func(ctx context.Context, orgID, clientID string) ([]string, error) {
		v, err := accounts.Verify(ctx, auth.Principal{OrgID: orgID, Role: auth.RoleAdmin, UserID: "backfill"}, clientID)
		return v.Problems, err
	}
	runner, err := backfill.New(store, verify, log, *chunk)
	if err != nil {
		return err
	}
	var rep backfill.Report
	if part("ledgers") {
		if rep, err = runner.Ledgers(ctx); err != nil {
			report(out, rep)
			return err
		}
	}
	if part("members") {
		users, err := cognito.NewPool(cip.NewFromConfig(cfg), pool)
		if err != nil {
			return err
		}
		mrep, err := runner.Members(ctx, users, time.Now())
		rep.Members, rep.MembersKnown = mrep.Members, mrep.MembersKnown
		rep.NeedAttention = append(rep.NeedAttention, mrep.NeedAttention...)
		if err != nil {
			report(out, rep)
			return err
		}
	}
	if part("ndiswork") {
		orgs, copies, err := ndisWork(ctx, store)
		fmt.Fprintf(out, "NDIS work index built: %d orgs, %d copies\n", orgs, copies)
		if err != nil {
			report(out, rep)
			return err
		}
	}
	report(out, rep)
	return nil
}

// ndisWork builds the NDIS work index of every org without one.
func ndisWork(ctx context.Context, store *dynamo.Store) (orgs, copies int, err error) {
	for cursor := ""; ; {
		ids, next, err := store.UnindexedOrgs(ctx, cursor)
		if err != nil {
			return orgs, copies, err
		}
		for _, id := range ids {
			n, err := store.BuildNDISWork(ctx, id)
			copies += n
			if err != nil {
				return orgs, copies, err
			}
			orgs++
		}
		if next == "" {
			return orgs, copies, nil
		}
		cursor = next
	}
}

func report(out io.Writer, r backfill.Report) {
	fmt.Fprintf(out, "ledgers written and verified: %d clients, %d entries; invoices given creditApplied: %d\n", r.Clients, r.Entries, r.Invoices)
	fmt.Fprintf(out, "member records written: %d (already there: %d)\n", r.Members, r.MembersKnown)
	for _, c := range r.Corrected {
		fmt.Fprintf(out, "balances corrected to what the documents say: %s\n", c)
	}
	for _, c := range r.Mixed {
		fmt.Fprintf(out, "more than one currency (history kept per currency; the client bills on in the first): %s\n", c)
	}
	for _, c := range r.NeedAttention {
		fmt.Fprintf(out, "needs attention: %s\n", c)
	}
}
