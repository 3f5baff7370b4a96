package session

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
)

var (
	aud = money.MustCurrency("AUD")
	d   = decimal.RequireFromString
)

func TestLineChargesActualMinutes(t *testing.T) {
	t.Parallel()
	syd, _ := time.LoadLocation("Australia/Sydney")
	start := time.Date(2026, 11, 2, 23, 30, 0, 0, time.UTC) // 3 Nov 10:30 in Sydney
	for _, c := range []struct {
		name    string
		minutes int
		sv      Service
		typ     invoice.LineType
		amount  string
	}{
		{"45 min hourly is 0.75 h", 45, Service{Description: "S", Rate: d("193.99")}, invoice.Variable, "145.49"},
		{"50 min hourly is fixed at the exact amount", 50, Service{Description: "S", Rate: d("100.14")}, invoice.Fixed, "83.45"},
		{"a session price", 50, Service{Description: "S", Price: d("200")}, invoice.Fixed, "200.00"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := New("ses_1", "org_1", Spec{ClientID: "cli_1", Start: start, Minutes: c.minutes, Service: c.sv}, aud, start)
			if err != nil {
				t.Fatal(err)
			}
			l := s.Line(aud, syd)
			if l.Type != c.typ || l.Amount(aud).StringFixed(2) != c.amount || l.PeriodStart.String() != "2026-11-03" {
				t.Fatalf("line %+v amount %s", l, l.Amount(aud))
			}
		})
	}
}

func TestCheckAttendance(t *testing.T) {
	t.Parallel()
	for _, ok := range []struct {
		a Attendance
		r string
	}{{Attended, ""}, {Cancelled, ""}, {Cancelled, "NSDO"}, {NoShow, ""}, {Scheduled, ""}} {
		if err := CheckAttendance(ok.a, ok.r); err != nil {
			t.Errorf("%s %s: %v", ok.a, ok.r, err)
		}
	}
	for _, bad := range []struct {
		a Attendance
		r string
	}{{"late", ""}, {Attended, "NSDH"}, {Cancelled, "nsdh"}, {NoShow, "NSDT"}} {
		if err := CheckAttendance(bad.a, bad.r); err == nil {
			t.Errorf("%s %s accepted", bad.a, bad.r)
		}
	}
}
