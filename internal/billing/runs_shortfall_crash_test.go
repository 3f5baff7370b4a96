package billing_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/faults"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/run"
)

// TestShortfallExactlyOnceThroughCrashes is issue 13's remittance
// shortfall under internal/faults on moto: a remittance pays a capped
// price (95.00 of 100.14) and the upload is killed right after its k-th
// DynamoDB write (the payment, the credit note with its marker, the run
// line: every step in turn), or loses the reply of that write (the SDK
// retries it); the upload is then retried, and once more. Each invoice
// ends with one payment of 95.00 and exactly one 5.14 shortfall credit
// note, paid with a zero balance; its line paid and capped; the client's
// ledger recomputes to its balance; and the org's credit series counts
// one note per invoice.
func TestShortfallExactlyOnceThroughCrashes(t *testing.T) {
	t.Parallel()
	w := newRunWorld(t, nil)
	const participants = 10
	ids := map[string]bool{}
	for i := range participants {
		ids[w.participant(fmt.Sprintf("Participant %d", i), client.NDIAManaged, fmt.Sprintf("4312345%02d", i), 3)] = true
	}
	rn := w.start(false)
	w.drain()
	refs := w.fileRefs(rn.ID)
	if len(refs) != participants {
		t.Fatalf("file refs %v", refs)
	}
	results := "ClaimReference,Status,ErrorCode,ErrorMessage,PaidTotalAmount\n"
	for _, ref := range refs {
		results += ref + ",SUCCESSFUL,,,95.00\n"
	}
	if _, err := w.runs.ReconcileResults(ctx, w.admin, rn.ID, results); err != nil {
		t.Fatal(err)
	}
	lines, err := w.store.RunLines(ctx, w.org.ID, rn.ID)
	if err != nil || len(lines) != participants {
		t.Fatalf("run lines %+v %v", lines, err)
	}

	// The uploads go through a store whose DynamoDB calls meet the
	// injector.
	inject := faults.NewAWS()
	faulty, err := dynamo.New(dynamodb.NewFromConfig(inject.Config(w.aws)), w.env("TABLE_NAME"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := billing.New(faulty, nil, w.clock.Now, id.New)
	if err != nil {
		t.Fatal(err)
	}
	rq, err := queue.NewRuns(w.sqs, w.runsURL, w.env("RUNS_DLQ_URL"))
	if err != nil {
		t.Fatal(err)
	}
	runs, err := billing.NewRuns(svc, faulty, rq, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	// atWrite faults the k-th DynamoDB write from now on (any write
	// operation), once.
	atWrite := func(k int, mode faults.Mode) (faulted func() bool) {
		n := 0
		nth := func(any) bool { n++; return n == k }
		var hs []*faults.Handle
		for _, op := range []string{"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"} {
			hs = append(hs, inject.Add(faults.Rule{Service: "DynamoDB", Operation: op, Match: nth, Times: 1, Mode: mode}))
		}
		return func() bool {
			return slices.ContainsFunc(hs, func(h *faults.Handle) bool { return h.Faulted() > 0 })
		}
	}
	upload := func(remittance string) (crashed bool, err error) {
		defer func() {
			if r := recover(); r != nil {
				if r != http.ErrAbortHandler {
					panic(r)
				}
				crashed = true
			}
		}()
		_, err = runs.ReconcileRemittance(ctx, w.admin, rn.ID, remittance)
		return false, err
	}

	var notes []string
	next := 0
	for _, mode := range []faults.Mode{faults.Crash, faults.LoseReply} {
		for k := 1; ; k++ {
			if next == len(lines) {
				t.Fatalf("more write steps than participants (mode %d, step %d)", mode, k)
			}
			l := lines[next]
			next++
			remittance := "ProvClaimRef,AmountClaimed,AmountPaid,BulkClmId\n" + l.Ref + ",100.14,95.00,B" + fmt.Sprint(next) + "\n"
			inject.Clear()
			faulted := atWrite(k, mode)
			crashed, err := upload(remittance)
			inject.Clear()
			// Past the last write nothing is faulted: the upload is whole.
			done := !faulted()
			if done && (crashed || err != nil) {
				t.Fatalf("mode %d step %d: an upload without faults: crashed %v, %v", mode, k, crashed, err)
			}
			for retry := range 2 {
				rec, err := runs.ReconcileRemittance(ctx, w.admin, rn.ID, remittance)
				if err != nil {
					t.Fatalf("mode %d step %d: retry %d: %v", mode, k, retry+1, err)
				}
				notes = append(notes, rec.Shortfall...)
			}
			if done {
				if k < 4 {
					t.Fatalf("mode %d: a capped remittance made only %d writes", mode, k-1)
				}
				break
			}
		}
	}
	// The first uploads that were not faulted issued their notes too.
	if len(notes) > next {
		t.Fatalf("%d shortfall notes reported for %d invoices: %v", len(notes), next, notes)
	}

	after, err := w.store.RunLines(ctx, w.org.ID, rn.ID)
	if err != nil {
		t.Fatal(err)
	}
	paidLines := 0
	var numbers []string
	for _, l := range after {
		if l.State != run.LinePaid {
			continue
		}
		paidLines++
		if !l.Capped || !l.Paid.Equal(amt("95.00")) {
			t.Errorf("line %s: %+v", l.Ref, l)
		}
		inv, err := w.store.GetInvoice(ctx, w.org.ID, l.InvoiceID)
		if err != nil {
			t.Fatal(err)
		}
		if inv.Status() != invoice.Paid || !inv.Balance().IsZero() || !inv.Paid().Equal(amt("95.00")) || !inv.Credit().Equal(amt("5.14")) {
			t.Errorf("invoice %s after the remittance: %s, paid %s, credited %s, balance %s", inv.Number, inv.Status(), inv.Paid(), inv.Credit(), inv.Balance())
		}
		c, err := w.store.GetClient(ctx, w.org.ID, l.ClientID)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := w.store.AllLedgerEntries(ctx, w.org.ID, l.ClientID)
		if err != nil {
			t.Fatal(err)
		}
		sums, problems := ledger.Recompute(entries)
		if len(problems) > 0 || !sums[aud].Owing.Equal(c.Balance.Owing) || !c.Balance.Owing.IsZero() || !c.Balance.Credit.IsZero() {
			t.Errorf("%s: ledger %v %+v, balance %+v", l.Client, problems, sums[aud], c.Balance)
		}
		var shortfalls int
		for _, e := range entries {
			if e.Kind == ledger.CreditNote {
				shortfalls++
				n, err := w.store.CreditNote(ctx, w.org.ID, e.DocumentID)
				if err != nil || !n.Amount.Equal(amt("5.14")) || n.InvoiceID != inv.ID || !strings.Contains(n.Reason, l.Ref) {
					t.Errorf("%s: credit note %+v %v", l.Client, n, err)
				} else {
					numbers = append(numbers, n.Number)
				}
			}
		}
		if shortfalls != 1 {
			t.Errorf("%s: %d credit notes in the ledger, want 1", l.Client, shortfalls)
		}
	}
	if paidLines != next {
		t.Errorf("%d lines paid after %d remittances", paidLines, next)
	}
	slices.Sort(numbers)
	for i, n := range numbers {
		if want := credit.FormatNumber(int64(i + 1)); n != want || len(numbers) != next {
			t.Fatalf("credit note numbers %v after %d shortfalls: gapless from 1, one each", numbers, next)
		}
	}
	for _, id := range notes {
		n, err := w.store.CreditNote(ctx, w.org.ID, id)
		if err != nil || !n.Amount.Equal(amt("5.14")) || !strings.HasPrefix(n.Reason, "NDIA capped price on ") {
			t.Errorf("note %s: %+v %v", id, n, err)
		}
	}
}
