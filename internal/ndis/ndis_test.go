package ndis

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/money"
)

func TestLimitOnTakesTheLatestInForce(t *testing.T) {
	t.Parallel()
	ls := append(DefaultPriceLimits(), PriceLimit{"07_002_0106_8_3", calendar.MustParse("2026-07-01"),
		decimal.RequireFromString("103.00"), decimal.RequireFromString("144.00"), decimal.RequireFromString("155.00")})
	for day, want := range map[string]string{"2025-06-30": "", "2025-07-01": "100.14", "2026-06-30": "100.14", "2026-07-01": "103", "2030-01-01": "103"} {
		l, ok := LimitOn(ls, "07_002_0106_8_3", calendar.MustParse(day))
		if got := l.National.String(); (want == "" && ok) || (want != "" && got != want) {
			t.Errorf("%s: %v %s, want %q", day, ok, got, want)
		}
	}
}

func TestActualMinutesAndAlerts(t *testing.T) {
	t.Parallel()
	aud := money.MustCurrency("AUD")
	task := Task{ClientID: "c", SupportItem: "07_004_0132_8_3", Date: calendar.MustParse("2026-11-03"), Minutes: 7, Rate: decimal.RequireFromString("190.54")}
	if got := task.Amount(aud).String(); got != "22.23" { // 190.54 × 7 ÷ 60 = 22.229…, never rounded up to a billing unit
		t.Fatalf("7 minutes: %s", got)
	}
	plan := &Plan{Start: calendar.MustParse("2026-07-01"), End: calendar.MustParse("2027-06-30"), Remoteness: VeryRemote,
		Budgets: map[string]decimal.Decimal{"07": decimal.RequireFromString("22.23")}}
	c := Context{NDISNumber: "430000001", Plan: plan, Limits: DefaultPriceLimits(), Spent: task.Amount(aud), Today: calendar.MustParse("2026-11-29"), Currency: aud}
	if a := Alerts(task, c); len(a) != 0 {
		t.Fatalf("a task at the limit, exactly on budget: %v", a)
	}
	c.Spent = c.Spent.Add(decimal.RequireFromString("0.01"))
	task.Rate = decimal.RequireFromString("285.81")
	if a := Alerts(task, c); len(a) != 2 || a[0].Code != "above_price_limit" || a[1].Code != "budget_exceeded" {
		t.Fatalf("above the very remote limit and over budget: %v", a)
	}
}
