package billing_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/session"
)

// blockedText is a refused run's alerts in a fixed order.
func blockedText(t *testing.T, err error) string {
	t.Helper()
	var ae *run.AlertsError
	if !errors.As(err, &ae) {
		t.Fatalf("want the run refused with alerts, got %v", err)
	}
	var out []string
	for _, c := range ae.Clients {
		for _, a := range c.Alerts {
			out = append(out, fmt.Sprintf("%s %s %s%s %s %s: %s", c.ClientID, c.ClientName, a.TaskID, a.SessionID, a.Date, a.Code, a.Message))
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// TestRunStartAndDashboardReadTheAlertsIndexAsTheItems refuses a run for
// alerts of every kind a write can cause (a task without a rate, a plan
// that ended, a participant's NDIS number removed, an hourly session
// over the budget) and checks that the run start and the dashboard's
// count read from the NDIS work index say exactly what they say read from
// each participant's items (the path an org takes until the backfill
// builds its index), and that an alert fixed is gone from both.
func TestRunStartAndDashboardReadTheAlertsIndexAsTheItems(t *testing.T) {
	t.Parallel()
	w := newRunWorld(t, nil)
	w.participant("Ada Ngata", client.SelfManaged, "431234567", 3, 5)
	noRate := w.participant("Ben Ruiz", client.PlanManaged, "431234568", 4)
	if _, err := w.coord.RecordTask(ctx, w.admin, ndis.Task{ClientID: noRate, SupportItem: "07_002_0106_8_3", Date: day("2026-11-06"), Minutes: 30}); err != nil {
		t.Fatal(err)
	}
	ended := w.participant("Cai Wong", client.NDIAManaged, "431234569", 9)
	if _, err := w.coord.SetPlan(ctx, w.admin, ndis.Plan{ClientID: ended, Start: day("2025-11-01"), End: day("2026-10-31"),
		Remoteness: ndis.National, Budgets: map[string]decimal.Decimal{"07": amt("9000")}}); err != nil {
		t.Fatal(err)
	}
	noNumber := w.participant("Dee Park", client.SelfManaged, "431234570", 10)
	if _, err := w.svc.UpdateClient(ctx, w.admin, noNumber, func(p *client.Profile) error {
		p.Funding.NDISNumber = ""
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	overBudget := w.participant("Eve Sato", client.SelfManaged, "431234571")
	if _, err := w.coord.SetPlan(ctx, w.admin, ndis.Plan{ClientID: overBudget, Start: day("2026-07-01"), End: day("2027-06-30"),
		Remoteness: ndis.National, Budgets: map[string]decimal.Decimal{"07": amt("50")}}); err != nil {
		t.Fatal(err)
	}
	dq, err := queue.NewDeliveries(w.sqs, w.dlvURL)
	if err != nil {
		t.Fatal(err)
	}
	sender, err := billing.NewSender(w.svc, w.store, dq)
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := billing.NewSessions(w.svc, w.store, sender)
	if err != nil {
		t.Fatal(err)
	}
	// Sessions the org's own invoicing leaves to the run.
	if _, err := w.svc.UpdateOrg(ctx, w.admin, func(s *org.Settings) error { s.AutoInvoice.Enabled = false; return nil }); err != nil {
		t.Fatal(err)
	}
	ses, err := sessions.BookSession(ctx, w.admin, session.Spec{ClientID: overBudget, Start: time.Date(2026, 11, 12, 0, 0, 0, 0, time.UTC), Minutes: 60,
		Service: session.Service{Description: "Coordination", Rate: amt("100.14"), SupportItem: "07_002_0106_8_3"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sessions.MarkAttendance(ctx, w.admin, ses.ID, session.Attended, "", "https://billing.example.com"); err != nil {
		t.Fatal(err)
	}

	period := billing.StartRequest{PeriodStart: day("2026-11-01"), PeriodEnd: day("2026-11-30"), DryRun: true}
	_, err = w.runs.Start(ctx, w.admin, period)
	fromIndex := blockedText(t, err)
	for _, want := range []string{"missing_rate", "outside_plan", "missing_ndis_number", "budget_exceeded"} {
		if !strings.Contains(fromIndex, want) {
			t.Fatalf("index alerts miss %s:\n%s", want, fromIndex)
		}
	}
	dash := w.dashboard()

	w.dropIndexReady()
	_, err = w.runs.Start(ctx, w.admin, period)
	if fromItems := blockedText(t, err); fromItems != fromIndex {
		t.Fatalf("alerts differ\nindex:\n%s\nitems:\n%s", fromIndex, fromItems)
	}
	if got := w.dashboard(); got != dash || got.Participants != 3 {
		t.Fatalf("dashboard task alerts: index %+v, items %+v (want 3 participants with task alerts)", dash, got)
	}
	if _, err := w.store.BuildNDISWork(ctx, w.org.ID); err != nil {
		t.Fatal(err)
	}

	// Fixing the alerts (or excluding the participant) clears them.
	if _, err := w.svc.UpdateClient(ctx, w.admin, noNumber, func(p *client.Profile) error {
		p.Funding.NDISNumber = "431234570"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.coord.SetPlan(ctx, w.admin, ndis.Plan{ClientID: ended, Start: day("2026-07-01"), End: day("2027-06-30"),
		Remoteness: ndis.National, Budgets: map[string]decimal.Decimal{"07": amt("9000")}}); err != nil {
		t.Fatal(err)
	}
	period.Exclude = []string{noRate, overBudget}
	rn, err := w.runs.Start(ctx, w.admin, period)
	if err != nil || rn.Counts.Total != 3 {
		t.Fatalf("run after fixes: %v, %+v", err, rn)
	}
}

// dashboard is the dashboard's NDIS task alert count.
func (w *runWorld) dashboard() billing.TaskAlerts {
	w.t.Helper()
	d, err := billing.NewDashboards(w.svc, w.store)
	if err != nil {
		w.t.Fatal(err)
	}
	got, err := d.Dashboard(ctx, w.admin)
	if err != nil {
		w.t.Fatal(err)
	}
	return got.TaskAlerts
}

// dropIndexReady removes the org's NDIS work index ready mark, as for an
// org the backfill has not reached.
func (w *runWorld) dropIndexReady() {
	w.t.Helper()
	if _, err := dynamodb.NewFromConfig(w.aws).DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(w.env("TABLE_NAME")),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "ORG#" + w.org.ID + "#NDISWORK"}, "SK": &types.AttributeValueMemberS{Value: "#READY"}}}); err != nil {
		w.t.Fatal(err)
	}
	if ready, err := w.store.NDISWorkReady(ctx, w.org.ID); err != nil || ready {
		w.t.Fatalf("ready mark still there: %v %v", ready, err)
	}
}
