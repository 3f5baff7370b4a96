package httpapi_test

import (
	"strings"
	"testing"
	"time"
)

// testDashboardPaidThisPeriod: "paid this period" is the money received in
// the org's current billing cycle (a new org's: this month) to today: a
// payment dated last month is not in it, a reversed one counts nothing, a
// partly refunded one counts what was kept; alerts say what is overdue.
func testDashboardPaidThisPeriod(t *testing.T, a *api) {
	s := a.signup("Paid Period")
	sydney, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(sydney)
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Payer"}).str("id")
	issue(s, map[string]any{"clientId": cid, "name": "Therapy", "issueDate": "2025-01-01", "dueDate": "2025-01-15",
		"lineItems": []map[string]any{{"type": "fixed", "description": "x", "amount": "1000"}}})

	dash := s.must(200, "GET", "/v1/dashboard", nil)
	if dash.str("paidThisPeriod", "amount") != "0.00" || dash.str("paidThisPeriod", "from") != first.Format("2006-01-02") ||
		dash.str("paidThisPeriod", "to") != today.Format("2006-01-02") {
		t.Fatalf("paid before any payment: %s", dash.raw)
	}
	if !strings.Contains(dash.raw, `"code":"overdue"`) || !strings.Contains(dash.raw, "1 invoice is overdue, $1,100.00 owing") {
		t.Fatalf("alerts: %s", dash.raw)
	}

	pay := func(amount, date string) string {
		return s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": amount, "date": date, "method": "bank_transfer"}).str("id")
	}
	pay("100.00", first.AddDate(0, 0, -1).Format("2006-01-02")) // last month
	kept := pay("200.00", today.Format("2006-01-02"))
	reversed := pay("300.00", first.Format("2006-01-02"))
	s.must(200, "POST", "/v1/payments/"+kept+"/refund", map[string]any{"amount": "50.00", "reason": "overcharged"})
	s.must(200, "POST", "/v1/payments/"+reversed+"/reverse", map[string]any{"reason": "bounced"})

	dash = s.must(200, "GET", "/v1/dashboard", nil)
	if dash.str("paidThisPeriod", "amount") != "150.00" || dash.body["paidThisPeriod"].(map[string]any)["count"] != float64(1) {
		t.Fatalf("paid this period: %s", dash.raw)
	}
	if dash.str("overdue", "balance") != "850.00" {
		t.Fatalf("overdue after payments: %s", dash.raw)
	}
}
