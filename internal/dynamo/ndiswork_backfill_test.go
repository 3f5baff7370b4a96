package dynamo_test

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/session"
)

// indexFacts reads the org's NDIS work index as facts per client.
func indexFacts(t *testing.T, f fixture, orgID string) (map[string]string, bool) {
	t.Helper()
	out := map[string]string{}
	ready, err := f.store.NDISWork(ctx, orgID, func(w run.Work) error { out[w.Client.ID] = facts(w); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return out, ready
}

// TestBuildNDISWorkRebuildsAnOrgsIndex writes an org's participants (a
// participant created NDIA-managed, one self-managed by default, a plan, tasks, an attended
// session, a run claim), drops its index as an org older than the index
// has none, and checks the backfill finds the org, rebuilds the same
// index, and a second run writes nothing.
func TestBuildNDISWorkRebuildsAnOrgsIndex(t *testing.T) {
	f := newFixture(t)
	o := f.org(t)
	newID := func() string { return id.New(id.Contact, time.Now()) }
	c, err := client.New(id.New(id.Client, time.Now()), o.ID, client.Profile{Name: "Ari Participant",
		Contacts: []client.Contact{{Name: "Ari", Email: "ari@example.com"}},
		Funding:  client.Funding{Type: client.NDIAManaged, NDISNumber: "430000001"}}, newID, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	other := f.client(t, o.ID, "Kim Self-managed") // self-managed by default
	if err := f.store.PutPlan(ctx, o.ID, &ndis.Plan{ClientID: c.ID, Start: calendar.MustParse("2026-01-01"), End: calendar.MustParse("2026-12-31"),
		Remoteness: ndis.National, Budgets: map[string]decimal.Decimal{"07": d("1000")}}); err != nil {
		t.Fatal(err)
	}
	var taskIDs []string
	for i, cli := range []string{c.ID, c.ID, other.ID} {
		tk := &ndis.Task{ID: id.New("task", time.Now()), OrgID: o.ID, ClientID: cli, Date: calendar.MustParse("2026-03-02").AddDays(i),
			SupportItem: "07_002_0106_8_3", Minutes: 60, Rate: d("100.14"), CreatedAt: now}
		if err := f.store.CreateTask(ctx, tk); err != nil {
			t.Fatal(err)
		}
		taskIDs = append(taskIDs, tk.ID)
	}
	ses, err := session.New(id.New("ses", time.Now()), o.ID, session.Spec{ClientID: c.ID, Start: time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC), Minutes: 60,
		Service: session.Service{Description: "Coordination", Rate: d("100.14"), SupportItem: "07_002_0106_8_3"}}, aud, now)
	if err != nil {
		t.Fatal(err)
	}
	ses.Attendance = session.Attended
	if err := f.store.CreateSession(ctx, ses); err != nil {
		t.Fatal(err)
	}
	inv, err := invoice.NewDraft(id.New(id.Invoice, time.Now()), o.ID, spec(c.ID, "NDIS supports"), now)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.StartRunInvoice(ctx, o.ID, &run.ClientResult{RunID: "run_1", ClientID: c.ID, State: run.ClientBuilding, InvoiceID: inv.ID}, inv, taskIDs[:1], nil); err != nil {
		t.Fatal(err)
	}
	before, ready := indexFacts(t, f, o.ID)
	if !ready || len(before) != 2 {
		t.Fatalf("index before: ready %v, %d participants: %v", ready, len(before), before)
	}

	dropIndex(t, f, o.ID)
	if got, ready := indexFacts(t, f, o.ID); ready || len(got) != 0 {
		t.Fatalf("dropped index: ready %v, %d participants", ready, len(got))
	}
	var unindexed []string
	for cursor := ""; ; {
		page, next, err := f.store.UnindexedOrgs(ctx, cursor)
		if err != nil {
			t.Fatal(err)
		}
		unindexed = append(unindexed, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	if !slices.Contains(unindexed, o.ID) {
		t.Fatalf("UnindexedOrgs misses org %s", o.ID)
	}
	n, err := f.store.BuildNDISWork(ctx, o.ID)
	// Copies: the two participants, a plan, 3 tasks and the billable
	// session.
	if err != nil || n != 7 {
		t.Fatalf("BuildNDISWork = %d, %v; want 7 copies", n, err)
	}
	after, ready := indexFacts(t, f, o.ID)
	if !ready {
		t.Fatal("index not ready after the backfill")
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Fatalf("rebuilt index differs (-written +rebuilt):\n%s", diff)
	}
	if n, err := f.store.BuildNDISWork(ctx, o.ID); err != nil || n != 0 {
		t.Fatalf("second BuildNDISWork = %d, %v; want nothing written", n, err)
	}
}

// dropIndex deletes an org's NDIS work index partition, as an org older
// than the index has none.
func dropIndex(t *testing.T, f fixture, orgID string) {
	t.Helper()
	res, err := f.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(f.name),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "ORG#" + orgID + "#NDISWORK"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range res.Items {
		if _, err := f.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(f.name),
			Key: map[string]types.AttributeValue{"PK": it["PK"], "SK": it["SK"]}}); err != nil {
			t.Fatal(err)
		}
	}
}
