package run

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/ndis"
)

var (
	aud = money.MustCurrency("AUD")
	day = calendar.MustParse
	amt = decimal.RequireFromString
)

func participant(ft client.FundingType) *client.Client {
	c := &client.Client{ID: "cli_1", Profile: client.Profile{Name: "Ada Ngata", Funding: client.Funding{Type: ft, NDISNumber: "431234567"}}}
	if ft == client.PlanManaged {
		c.Profile.Funding.PlanManager = &client.PlanManager{Name: "Plan Partners", Email: "pm@example.com"}
	}
	return c
}

func input(ft client.FundingType, tasks ...ndis.Task) Input {
	return Input{
		Provider: Provider{LegalName: "Harbour Coordination Pty Ltd", ABN: "51824753556", Registration: "4050012345"},
		Currency: aud, Client: participant(ft),
		Plan:   &ndis.Plan{ClientID: "cli_1", Start: day("2026-07-01"), End: day("2027-06-30"), Remoteness: ndis.National, Budgets: map[string]decimal.Decimal{"07": amt("5000")}},
		Limits: ndis.DefaultPriceLimits(), Tasks: tasks,
		PeriodStart: day("2026-11-01"), PeriodEnd: day("2026-11-30"), Today: day("2026-11-30"),
	}
}

func task(id, date string, minutes int, rate string) ndis.Task {
	return ndis.Task{ID: id, ClientID: "cli_1", SupportItem: "07_002_0106_8_3", Date: day(date), Minutes: minutes, Rate: amt(rate)}
}

func TestBuildItemisesTheUninvoicedWorkOfThePeriod(t *testing.T) {
	t.Parallel()
	tele := task("t3", "2026-11-12", 50, "100.14")
	tele.ClaimType = ndis.Telehealth
	before := task("t0", "2026-10-30", 60, "100.14") // outside the period
	done := task("t1", "2026-11-03", 60, "100.14")
	done.InvoiceID = "inv_old" // claimed by an earlier invoice
	d, err := Build(input(client.NDIAManaged, before, done, task("t2", "2026-11-05", 90, "100.14"), tele))
	if err != nil {
		t.Fatal(err)
	}
	if d.Routing != ToNDIA || len(d.Spec.Lines) != 2 || strings.Join(d.TaskIDs, ",") != "t2,t3" {
		t.Fatalf("routing %s, lines %d, tasks %v", d.Routing, len(d.Spec.Lines), d.TaskIDs)
	}
	l0, l1 := d.Spec.Lines[0], d.Spec.Lines[1]
	if l0.Type != invoice.Variable || !l0.Quantity.Equal(amt("1.5")) || l0.SupportItem != "07_002_0106_8_3" || l0.PeriodStart != day("2026-11-05") || !l0.TaxRate.IsZero() {
		t.Errorf("90 min line = %+v", l0)
	}
	// 50 minutes is not an exact quantity: one fixed line at rate × minutes ÷ 60, never rounded up.
	if l1.Type != invoice.Fixed || !l1.Price.Equal(amt("83.45")) || !strings.Contains(l1.Description, "THLT telehealth") || !strings.Contains(l1.Description, "50 min") {
		t.Errorf("telehealth line = %+v", l1)
	}
	if !d.Preview.Total.Equal(amt("233.66")) || !d.Preview.Tax.IsZero() || d.Preview.Routing != ToNDIA {
		t.Errorf("preview = %+v", d.Preview)
	}
	for _, want := range []string{"431234567", "ABN 51824753556", "NDIS registration 4050012345", "Harbour Coordination Pty Ltd", "GST-free"} {
		if !strings.Contains(d.Spec.Memo, want) {
			t.Errorf("memo %q lacks %q", d.Spec.Memo, want)
		}
	}
	if len(d.Claims) != 2 || d.Claims[1].ClaimType != ndis.Telehealth || d.Claims[1].Minutes != 50 || d.Claims[1].GSTCode != GSTFree || d.Claims[0].NDISNumber != "431234567" {
		t.Errorf("claims = %+v", d.Claims)
	}
	if err := d.Spec.Validate(); err != nil {
		t.Errorf("the built spec is not a valid invoice: %v", err)
	}
}

func TestBuildRoutesByFunding(t *testing.T) {
	t.Parallel()
	for ft, want := range map[client.FundingType]Routing{client.SelfManaged: ToParticipant, client.PlanManaged: ToPlanManager, client.NDIAManaged: ToNDIA} {
		d, err := Build(input(ft, task("t1", "2026-11-05", 60, "100.14")))
		if err != nil {
			t.Fatal(err)
		}
		if d.Routing != want || (want == ToNDIA) != (len(d.Claims) == 1) {
			t.Errorf("%s: routing %s, %d claims", ft, d.Routing, len(d.Claims))
		}
		if ft == client.PlanManaged && !strings.Contains(d.Spec.Memo, "Plan Partners") {
			t.Errorf("plan-managed memo lacks the plan manager: %q", d.Spec.Memo)
		}
	}
}

func TestAlertsBlockInvoicingNamingWhy(t *testing.T) {
	t.Parallel()
	noRate := task("t2", "2026-11-06", 60, "0")
	high := task("t3", "2026-11-07", 60, "120.00")
	in := input(client.SelfManaged, task("t1", "2026-11-05", 60, "100.14"), noRate, high)
	_, err := Build(in)
	var ae *AlertsError
	if !errors.As(err, &ae) || len(ae.Clients) != 1 {
		t.Fatalf("err = %v", err)
	}
	codes := map[string]string{}
	for _, a := range ae.Clients[0].Alerts {
		codes[a.Code] = a.TaskID
	}
	if codes["missing_rate"] != "t2" || codes["above_price_limit"] != "t3" || len(codes) != 2 {
		t.Errorf("alerts = %+v", ae.Clients[0].Alerts)
	}
	if r := ae.Clients[0].Reason(); !strings.Contains(r, "missing_rate") || !strings.Contains(r, "set an hourly rate") {
		t.Errorf("reason = %q", r)
	}
	// An alert on work outside the period does not block this period.
	old := input(client.SelfManaged, noRate, task("t1", "2026-11-05", 60, "100.14"))
	old.PeriodStart = day("2026-11-05")
	old.Tasks[0].Date = day("2026-10-01")
	if _, err := Build(old); err != nil {
		t.Errorf("alert outside the period blocked the run: %v", err)
	}
	// The budget is judged by the running total, invoiced work included.
	b := input(client.SelfManaged, task("t1", "2026-10-05", 600, "100.14"), task("t2", "2026-11-05", 60, "100.14"))
	b.Tasks[0].InvoiceID = "inv_1"
	b.Plan.Budgets["07"] = amt("1050")
	if _, err := Build(b); !errors.As(err, &ae) || ae.Clients[0].Alerts[0].Code != "budget_exceeded" {
		t.Errorf("budget: err = %v", err)
	}
	if _, err := Build(input(client.SelfManaged)); !errors.Is(err, ErrNothingToInvoice) {
		t.Errorf("no work: err = %v", err)
	}
}

func TestStatusFollowsCounts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		c    Counts
		want Status
	}{
		{Counts{Total: 3}, Queued},
		{Counts{Total: 3, Invoiced: 1}, Running},
		{Counts{Total: 3, Invoiced: 2, Empty: 1}, Complete},
		{Counts{Total: 3, Invoiced: 2, Parked: 1}, CompleteWithParked},
		{Counts{}, Complete},
	} {
		r := Run{Counts: tc.c}
		if got := r.Status(); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.c, got, tc.want)
		}
	}
}
