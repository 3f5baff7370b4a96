package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/idempotency"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/paylink"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/teststack"
)

var moto *testenv.Moto

func TestMain(m *testing.M) { testenv.MainWithMoto(m, &moto) }

var (
	ctx = context.Background()
	d   = decimal.RequireFromString
	now = time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
)

type fixture struct {
	store *dynamo.Store
	idem  *dynamo.Idempotency
	db    *dynamodb.Client
	name  string // the table's
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	st := teststack.New(t, moto)
	env := st.Env(t, "InvoicingFunction")
	db := dynamodb.NewFromConfig(st.AWS)
	store, err := dynamo.New(db, env("TABLE_NAME"))
	if err != nil {
		t.Fatal(err)
	}
	idem, err := dynamo.NewIdempotency(db, env("IDEMPOTENCY_TABLE_NAME"))
	if err != nil {
		t.Fatal(err)
	}
	return fixture{store: store, idem: idem, db: db, name: env("TABLE_NAME")}
}

func (f fixture) org(t *testing.T) *org.Org {
	t.Helper()
	o, err := org.New(id.New(id.Org, now), org.Defaults("Bright Care"), now)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.CreateOrg(ctx, o); err != nil {
		t.Fatal(err)
	}
	return o
}

func (f fixture) client(t *testing.T, orgID, name string) *client.Client {
	t.Helper()
	c, err := client.New(id.New(id.Client, time.Now()), orgID, client.Profile{
		Name: name, Contacts: []client.Contact{{Name: name, Email: "billing@example.com"}},
	}, func() string { return id.New(id.Contact, time.Now()) }, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	return c
}

func spec(clientID, name string) invoice.Spec {
	return invoice.Spec{
		ClientID: clientID, Name: name, Currency: money.MustCurrency("AUD"), TermsDays: 14,
		Lines: []invoice.Line{
			{Type: invoice.Variable, Description: "Coordination", Quantity: d("40"), Unit: invoice.Hours, Rate: d("50"), TaxRate: d("10")},
			{Type: invoice.Variable, Description: "Travel", Quantity: d("20"), Unit: invoice.Miles, Rate: d("0.25"), TaxRate: d("10")},
			{Type: invoice.Fixed, Description: "Consulting", Price: d("50"), TaxRate: d("10")},
		},
	}
}

func (f fixture) draft(t *testing.T, orgID, clientID, name string) *invoice.Invoice {
	t.Helper()
	inv, err := invoice.NewDraft(id.New(id.Invoice, time.Now()), orgID, spec(clientID, name), now)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.CreateInvoice(ctx, inv); err != nil {
		t.Fatal(err)
	}
	return inv
}

func finalize(o *org.Org, _ *client.Client, inv *invoice.Invoice, seq int64) ([]activity.Event, error) {
	return nil, inv.Finalize(o.Settings.NumberPrefix, seq, calendar.Today(now, o.Location()), now)
}

func TestInvoiceRoundTripAndLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.org(t)
	c := f.client(t, o.ID, "Zoë Müller-Ng")
	inv := f.draft(t, o.ID, c.ID, "Client Invoice – November")

	got, err := f.store.GetInvoice(ctx, o.ID, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec.Name != inv.Spec.Name || len(got.Spec.Lines) != 3 || !got.Totals().Subtotal.Equal(d("2055")) ||
		!got.Spec.Lines[1].Rate.Equal(d("0.25")) || got.Version != 1 || got.Status() != invoice.Draft {
		t.Fatalf("round trip lost data: %+v", got)
	}

	edited, err := f.store.UpdateInvoice(ctx, o.ID, inv.ID, func(inv *invoice.Invoice) ([]activity.Event, error) {
		s := inv.Spec
		s.Memo = "Thanks"
		return nil, inv.Edit(s, now)
	})
	if err != nil || edited.Version != 2 || edited.Spec.Memo != "Thanks" {
		t.Fatalf("edit: %v %+v", err, edited)
	}

	fin, err := f.store.FinalizeInvoice(ctx, o.ID, inv.ID, finalize)
	if err != nil {
		t.Fatal(err)
	}
	if fin.Number != "INV-00001" || fin.Status() != invoice.Open {
		t.Fatalf("finalized as %s %s", fin.Number, fin.Status())
	}
	cl, _ := f.store.GetClient(ctx, o.ID, c.ID)
	if !cl.Balance.Owing.Equal(d("2260.50")) {
		t.Fatalf("owing after finalize = %s, want 2260.50", cl.Balance.Owing)
	}
	if _, err := f.store.FinalizeInvoice(ctx, o.ID, inv.ID, finalize); !errors.Is(err, invoice.ErrNotDraft) {
		t.Fatalf("second finalize: %v", err)
	}
	if err := f.store.DeleteInvoice(ctx, o.ID, inv.ID, func(i *invoice.Invoice) error { return i.CheckDeletable() }); !errors.Is(err, invoice.ErrNotDraft) {
		t.Fatalf("delete open: %v", err)
	}
	voided, err := f.store.UpdateInvoice(ctx, o.ID, inv.ID, func(i *invoice.Invoice) ([]activity.Event, error) {
		return []activity.Event{{ID: id.New("act", now), OrgID: o.ID, Kind: activity.Voided, InvoiceID: i.ID, Number: i.Number, ClientID: c.ID, At: now}}, i.VoidInvoice("duplicate", now)
	})
	if err != nil || voided.Status() != invoice.Void || voided.Number != "INV-00001" {
		t.Fatalf("void: %v %+v", err, voided)
	}
	cl, _ = f.store.GetClient(ctx, o.ID, c.ID)
	if !cl.Balance.Owing.IsZero() {
		t.Fatalf("owing after void = %s", cl.Balance.Owing)
	}
	for name, filter := range map[string]activity.Filter{
		"invoice": {InvoiceID: inv.ID}, "client": {ClientID: c.ID}, "feed search": {Search: "INVOICES"},
	} {
		events, _, err := f.store.ListActivity(ctx, o.ID, filter)
		if err != nil || len(events) != 1 || events[0].Kind != activity.Voided || events[0].Number != "INV-00001" {
			t.Fatalf("%s activity: %v %+v", name, err, events)
		}
	}
	// A failed change appends nothing: the event rides in the same transaction.
	if _, err := f.store.UpdateInvoice(ctx, o.ID, inv.ID, func(i *invoice.Invoice) ([]activity.Event, error) {
		return []activity.Event{{ID: id.New("act", now), OrgID: o.ID, Kind: activity.Voided, InvoiceID: i.ID, At: now}}, i.VoidInvoice("again", now)
	}); !errors.Is(err, invoice.ErrNotOpen) {
		t.Fatalf("second void: %v", err)
	}
	if events, _, _ := f.store.ListActivity(ctx, o.ID, activity.Filter{InvoiceID: inv.ID}); len(events) != 1 {
		t.Fatalf("a refused change left %d events", len(events))
	}
	// The number is not reused.
	next := f.draft(t, o.ID, c.ID, "December")
	if fin, err := f.store.FinalizeInvoice(ctx, o.ID, next.ID, finalize); err != nil || fin.Number != "INV-00002" {
		t.Fatalf("next number: %v %v", err, fin)
	}
}

func TestOtherOrgsSeeNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b := f.org(t), f.org(t)
	c := f.client(t, a.ID, "Alpha client")
	inv := f.draft(t, a.ID, c.ID, "Alpha invoice")
	if _, err := f.store.GetInvoice(ctx, b.ID, inv.ID); !errors.Is(err, invoice.ErrNotFound) {
		t.Fatalf("org b read org a's invoice: %v", err)
	}
	if _, err := f.store.GetClient(ctx, b.ID, c.ID); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("org b read org a's client: %v", err)
	}
	if _, err := f.store.FinalizeInvoice(ctx, b.ID, inv.ID, finalize); !errors.Is(err, invoice.ErrNotFound) {
		t.Fatalf("org b finalized org a's invoice: %v", err)
	}
	list, _, err := f.store.ListInvoices(ctx, b.ID, invoice.ListFilter{})
	if err != nil || len(list) != 0 {
		t.Fatalf("org b lists %d invoices (%v)", len(list), err)
	}
	// A cursor from org a's list is refused in org b's.
	f.draft(t, a.ID, c.ID, "Alpha two")
	_, cursor, err := f.store.ListInvoices(ctx, a.ID, invoice.ListFilter{Limit: 1})
	if err != nil || cursor == "" {
		t.Fatalf("page 1: %v %q", err, cursor)
	}
	if _, _, err := f.store.ListInvoices(ctx, b.ID, invoice.ListFilter{Limit: 1, Cursor: cursor}); !errors.Is(err, dynamo.ErrBadCursor) {
		t.Fatalf("foreign cursor: %v", err)
	}
}

func TestListsPageFilterAndSearch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.org(t)
	zoe, sam := f.client(t, o.ID, "Zoë Müller-Ng"), f.client(t, o.ID, "Sam Lee")
	var zoeInvoices []string
	for i := range 7 {
		inv := f.draft(t, o.ID, zoe.ID, fmt.Sprintf("Zoë month %d", i))
		zoeInvoices = append(zoeInvoices, inv.ID)
	}
	samInv := f.draft(t, o.ID, sam.ID, "Sam November")
	// Finalize Sam's with a due date in the past: overdue.
	if _, err := f.store.FinalizeInvoice(ctx, o.ID, samInv.ID, func(o *org.Org, c *client.Client, inv *invoice.Invoice, seq int64) ([]activity.Event, error) {
		inv.Spec.IssueDate, inv.Spec.DueDate = calendar.MustParse("2026-10-01"), calendar.MustParse("2026-10-15")
		return finalize(o, c, inv, seq)
	}); err != nil {
		t.Fatal(err)
	}

	// Page through Zoë's invoices three at a time: newest first, nothing twice, nothing lost.
	var seen []string
	cursor := ""
	for pages := 0; ; pages++ {
		page, next, err := f.store.ListInvoices(ctx, o.ID, invoice.ListFilter{ClientID: zoe.ID, Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range page {
			seen = append(seen, inv.ID)
		}
		if next == "" || pages > 5 {
			break
		}
		cursor = next
	}
	want := slices.Clone(zoeInvoices)
	slices.Reverse(want)
	if !slices.Equal(seen, want) {
		t.Fatalf("paged %v, want %v", seen, want)
	}

	today := calendar.MustParse("2026-11-25")
	for name, tc := range map[string]struct {
		f    invoice.ListFilter
		want int
	}{
		"all":            {invoice.ListFilter{}, 8},
		"drafts":         {invoice.ListFilter{Status: "draft"}, 7},
		"open":           {invoice.ListFilter{Status: "open"}, 1},
		"overdue":        {invoice.ListFilter{Status: invoice.StatusOverdue, Today: today}, 1},
		"not yet due":    {invoice.ListFilter{Status: invoice.StatusOverdue, Today: calendar.MustParse("2026-10-15")}, 0},
		"overdue of zoe": {invoice.ListFilter{Status: invoice.StatusOverdue, Today: today, ClientID: zoe.ID}, 0},
		"search name":    {invoice.ListFilter{Search: "NOVEMBER"}, 1},
		"search number":  {invoice.ListFilter{Search: "inv-00001"}, 1},
		"search month":   {invoice.ListFilter{Search: "month", Limit: 2}, 2},
	} {
		list, _, err := f.store.ListInvoices(ctx, o.ID, tc.f)
		if err != nil || len(list) != tc.want {
			t.Errorf("%s: %d invoices (%v), want %d", name, len(list), err, tc.want)
		}
	}

	clients, _, err := f.store.ListClients(ctx, o.ID, "", 10, "")
	if err != nil || len(clients) != 2 || clients[0].Profile.Name != "Sam Lee" {
		t.Fatalf("clients by name: %v %v", err, clients)
	}
	found, _, err := f.store.ListClients(ctx, o.ID, "müller", 10, "")
	if err != nil || len(found) != 1 || found[0].ID != zoe.ID {
		t.Fatalf("client search: %v %v", err, found)
	}
}

// TestConcurrentFinalizationsNumberGaplessly is the race the numbering must
// win: 20 drafts of one org finalized at once get 20 distinct, consecutive
// numbers.
func TestConcurrentFinalizationsNumberGaplessly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.org(t)
	c := f.client(t, o.ID, "Busy client")
	const n = 20
	drafts := make([]*invoice.Invoice, n)
	for i := range drafts {
		drafts[i] = f.draft(t, o.ID, c.ID, fmt.Sprintf("Run %d", i))
	}
	var wg sync.WaitGroup
	seqs := make([]int64, n)
	errs := make([]error, n)
	for i, inv := range drafts {
		wg.Go(func() {
			fin, err := f.store.FinalizeInvoice(ctx, o.ID, inv.ID, finalize)
			errs[i] = err
			if err == nil {
				seqs[i] = fin.Seq
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("finalize %d: %v", i, err)
		}
	}
	slices.Sort(seqs)
	for i, s := range seqs {
		if s != int64(i+1) {
			t.Fatalf("numbers %v are not 1..%d", seqs, n)
		}
	}
	cl, _ := f.store.GetClient(ctx, o.ID, c.ID)
	if want := d("2260.50").Mul(decimal.NewFromInt(n)); !cl.Balance.Owing.Equal(want) {
		t.Fatalf("owing %s, want %s: a balance update was lost", cl.Balance.Owing, want)
	}
	t.Logf("%d finalizations, %d retried transactions", n, f.store.FinalizeRetries())
}

// TestConcurrentEditsLoseNothing: ten writers each add a line to the same
// draft; versioned writes make each re-read and retry, so all ten land.
func TestConcurrentEditsLoseNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.org(t)
	c := f.client(t, o.ID, "Shared")
	inv := f.draft(t, o.ID, c.ID, "Shared draft")
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []error
	for i := range 10 {
		wg.Go(func() {
			for {
				_, err := f.store.UpdateInvoice(ctx, o.ID, inv.ID, func(inv *invoice.Invoice) ([]activity.Event, error) {
					s := inv.Spec
					s.Lines = append(slices.Clone(s.Lines), invoice.Line{Type: invoice.Fixed, Description: fmt.Sprintf("extra %d", i), Price: d("1"), TaxRate: d("0")})
					return nil, inv.Edit(s, now)
				})
				if errors.Is(err, invoice.ErrConflict) {
					continue // five lost races in a row: the caller (a person) would retry
				}
				if err != nil {
					mu.Lock()
					failures = append(failures, err)
					mu.Unlock()
				}
				return
			}
		})
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatal(failures)
	}
	got, _ := f.store.GetInvoice(ctx, o.ID, inv.ID)
	if len(got.Spec.Lines) != 13 || got.Version != 11 {
		t.Fatalf("lines %d version %d, want 13 and 11", len(got.Spec.Lines), got.Version)
	}
}

func TestClientProfileEditKeepsBalances(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.org(t)
	c := f.client(t, o.ID, "Balance keeper")
	inv := f.draft(t, o.ID, c.ID, "Bill")
	if _, err := f.store.FinalizeInvoice(ctx, o.ID, inv.ID, finalize); err != nil {
		t.Fatal(err)
	}
	// c is the stale copy read before finalization; editing the profile must
	// not write its zero balance back.
	updated, err := f.store.UpdateClient(ctx, o.ID, c.ID, func(cl *client.Client) ([]activity.Event, error) {
		p := cl.Profile
		p.Name = "Balance Keeper Pty Ltd"
		p.Funding = client.Funding{Type: client.NDIAManaged, NDISNumber: "431234567"}
		return nil, cl.Update(p, func() string { return "con_x" }, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.store.GetClient(ctx, o.ID, c.ID)
	if got.Profile.Name != "Balance Keeper Pty Ltd" || !got.Balance.Owing.Equal(d("2260.50")) || got.Version != updated.Version || got.Profile.Funding.NDISNumber != "431234567" {
		t.Fatalf("after profile edit: %+v", got)
	}
}

func TestIdempotencyRecords(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	key := "org_x#" + id.New("key", now)
	if rec, err := f.idem.Begin(ctx, key, "hash-a", now); err != nil || rec != nil {
		t.Fatalf("first begin: %v %v", rec, err)
	}
	rec, err := f.idem.Begin(ctx, key, "hash-a", now.Add(time.Second))
	if !errors.Is(err, idempotency.ErrExists) || rec.Status != idempotency.InProgress {
		t.Fatalf("second begin while in progress: %v %+v", err, rec)
	}
	if err := f.idem.Complete(ctx, idempotency.Record{Key: key, RequestHash: "hash-a", StatusCode: 201, Body: []byte("x")}, now); err != nil {
		t.Fatal(err)
	}
	rec, err = f.idem.Begin(ctx, key, "hash-b", now.Add(time.Minute))
	if !errors.Is(err, idempotency.ErrExists) || rec.Status != idempotency.Completed || rec.RequestHash != "hash-a" || rec.StatusCode != 201 {
		t.Fatalf("begin after complete: %v %+v", err, rec)
	}
	// An in-progress claim whose owner died is taken over after its expiry.
	dead := "org_x#" + id.New("key", now)
	_, _ = f.idem.Begin(ctx, dead, "h", now)
	if rec, err := f.idem.Begin(ctx, dead, "h", now.Add(idempotency.InProgressExpiry+time.Second)); err != nil || rec != nil {
		t.Fatalf("takeover of a dead claim: %v %v", rec, err)
	}
	// A completed record past its TTL counts as absent even before TTL deletion.
	if rec, err := f.idem.Begin(ctx, key, "hash-b", now.Add(idempotency.TTL+time.Minute)); err != nil || rec != nil {
		t.Fatalf("begin after expiry: %v %v", rec, err)
	}
}

func TestPayLinksRotateAndStayInTheirOrg(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o, other := f.org(t), f.org(t)
	c := f.client(t, o.ID, "Payer")
	inv := f.draft(t, o.ID, c.ID, "Pay me")
	first, tok1 := paylink.New(o.ID, inv.ID, now)
	second, tok2 := paylink.New(o.ID, inv.ID, now.Add(time.Second))
	for _, l := range []paylink.Link{first, second} {
		if err := f.store.CreatePayLink(ctx, l, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, tok := range []string{tok1, tok2} {
		org, h, _ := paylink.Parse(tok)
		if l, err := f.store.PayLink(ctx, org, h); err != nil || l.InvoiceID != inv.ID {
			t.Fatalf("live link: %v %+v", err, l)
		}
		if _, err := f.store.PayLink(ctx, other.ID, h); !errors.Is(err, paylink.ErrInvalid) {
			t.Fatalf("link found under another org: %v", err)
		}
	}
	third, tok3 := paylink.New(o.ID, inv.ID, now.Add(2*time.Second))
	if err := f.store.CreatePayLink(ctx, third, true); err != nil {
		t.Fatal(err)
	}
	for tok, live := range map[string]bool{tok1: false, tok2: false, tok3: true} {
		org, h, _ := paylink.Parse(tok)
		_, err := f.store.PayLink(ctx, org, h)
		if live != (err == nil) {
			t.Fatalf("after rotation, link live=%v err=%v", live, err)
		}
	}
}
