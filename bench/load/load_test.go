package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/testenv"
)

// TestShortLoadKeepsTheData runs the load test's own code briefly (two
// users of one org, racing for its numbers, one journey each) on the
// local stack, and asserts that no request failed with a 5xx or no answer
// (the command reports those) and that every data check passes (the
// command exits 1 if not). Then it shows the checks can fail: a payment
// acknowledged for another amount, an invoice number never on record and
// a client never written are each reported.
func TestShortLoadKeepsTheData(t *testing.T) {
	ctx := context.Background()
	began := time.Now()
	st, err := startStack(ctx, filepath.Join(testenv.RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.stop)
	t.Logf("stack up in %s", time.Since(began).Round(time.Millisecond))
	st.poll()
	res, err := runLoad(ctx, st.URL, loadConfig{Users: 2, Orgs: 1, Duration: time.Second})
	st.stopPolling()
	if err != nil {
		t.Fatal(err)
	}
	if n := serverErrors(res.Stats); n != 0 {
		t.Errorf("%d requests failed with a 5xx or no answer: %v", n, res.Stats.errors())
	}
	if len(res.Invoices) == 0 || len(res.Payments) == 0 {
		t.Fatalf("the run wrote %d invoices and %d payments: too few to check", len(res.Invoices), len(res.Payments))
	}
	t.Logf("load: %d clients, %d invoices, %d payments in %s", len(res.Clients), len(res.Invoices), len(res.Payments), res.Elapsed.Round(time.Millisecond))
	began = time.Now()
	a := &api{base: st.URL, http: defaultHTTP()}
	rep, err := check(ctx, a, res)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Problems {
		t.Errorf("check: %s", p)
	}
	if rep.Clients != len(res.Clients) || rep.Invoices != len(res.Invoices) || rep.Payments != len(res.Payments) || rep.Ledgers != len(res.Clients) {
		t.Errorf("checked %+v of %d clients, %d invoices, %d payments", rep, len(res.Clients), len(res.Invoices), len(res.Payments))
	}

	t.Logf("checks in %s", time.Since(began).Round(time.Millisecond))

	// The same checks over records that disagree with the store.
	bad := *res
	bad.Payments = append([]paymentRec(nil), res.Payments...)
	bad.Payments[0].Amount = bad.Payments[0].Amount.Add(decimal.NewFromInt(1))
	bad.Invoices = append([]invoiceRec(nil), res.Invoices...)
	for i := range bad.Invoices {
		if bad.Invoices[i].Number != "" {
			bad.Invoices[i].Number += "9"
			break
		}
	}
	bad.Clients = append(append([]clientRec(nil), res.Clients...), clientRec{Org: res.Orgs[0].ID, ID: "cli_lost", Name: "never written"})
	rep, err = check(ctx, a, &bad)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(rep.Problems, "\n")
	for _, want := range []string{"payment " + bad.Payments[0].ID, "was acknowledged but is not on record", "client cli_lost"} {
		if !strings.Contains(all, want) {
			t.Errorf("the checks missed %q; they found:\n%s", want, all)
		}
	}
}
