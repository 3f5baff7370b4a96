package recurring_test

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/recurring"
	"github.com/carebill/carebill/internal/validation"
)

var now = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

func d(s string) calendar.Date { return calendar.MustParse(s) }

func monthly(day int, start string) recurring.Spec {
	return recurring.Spec{ClientID: "cli_x", Description: "Room hire", Amount: decimal.RequireFromString("250.00"),
		Frequency: recurring.Monthly, DayOfMonth: day, Start: d(start)}
}

// bill runs the charge as the schedule would on today, returning the
// occurrences it billed.
func bill(c *recurring.Charge, today string) []string {
	var out []string
	for c.Due(d(today)) {
		out = append(out, c.Next.String())
		if err := c.Advance("inv_"+c.Next.String(), now); err != nil {
			panic(err)
		}
	}
	return out
}

func TestOccurrences(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		spec  func() recurring.Spec
		today string
		want  []string
	}{
		{"monthly from a later day starts next month", func() recurring.Spec { return monthly(5, "2026-08-20") }, "2026-11-30",
			[]string{"2026-09-05", "2026-10-05", "2026-11-05"}},
		{"monthly on the start day", func() recurring.Spec { return monthly(20, "2026-11-20") }, "2026-11-20", []string{"2026-11-20"}},
		{"a count stops it", func() recurring.Spec { s := monthly(1, "2026-01-01"); s.Count = 2; return s }, "2026-11-30",
			[]string{"2026-01-01", "2026-02-01"}},
		{"an end date stops it", func() recurring.Spec { s := monthly(1, "2026-01-01"); s.End = d("2026-03-01"); return s }, "2026-11-30",
			[]string{"2026-01-01", "2026-02-01", "2026-03-01"}},
		{"weekly on Mondays across a month end", func() recurring.Spec {
			return recurring.Spec{ClientID: "cli_x", Description: "Group", Amount: decimal.RequireFromString("40"), Frequency: recurring.Weekly,
				Weekday: time.Monday, Start: d("2026-10-21")}
		}, "2026-11-09", []string{"2026-10-26", "2026-11-02", "2026-11-09"}},
		{"nothing before the first occurrence", func() recurring.Spec { return monthly(15, "2026-11-01") }, "2026-11-14", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := recurring.New("rec_1", "org_1", tc.spec(), now)
			if err != nil {
				t.Fatal(err)
			}
			got := bill(c, tc.today)
			if len(got) != len(tc.want) {
				t.Fatalf("billed %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("billed %v, want %v", got, tc.want)
				}
			}
			if again := bill(c, tc.today); len(again) != 0 {
				t.Fatalf("a rerun billed %v", again)
			}
		})
	}
}

func TestPeriodAndLine(t *testing.T) {
	t.Parallel()
	c, _ := recurring.New("rec_1", "org_1", monthly(31-3, "2026-01-28"), now)
	l := c.Line(d("2026-01-28"))
	if l.PeriodStart != d("2026-01-28") || l.PeriodEnd != d("2026-02-27") || !l.Price.Equal(decimal.RequireFromString("250")) || l.Description != "Room hire" {
		t.Fatalf("line %+v", l)
	}
}

func TestPauseSkipsWhatFellDue(t *testing.T) {
	t.Parallel()
	c, _ := recurring.New("rec_1", "org_1", monthly(1, "2026-01-01"), now)
	bill(c, "2026-02-15")
	c.Pause(now)
	if got := bill(c, "2026-06-15"); len(got) != 0 {
		t.Fatalf("paused charge billed %v", got)
	}
	c.Resume(d("2026-06-15"), now)
	if got := bill(c, "2026-07-01"); len(got) != 1 || got[0] != "2026-07-01" {
		t.Fatalf("after resume billed %v, want only 2026-07-01", got)
	}
}

func TestEditAfterBilling(t *testing.T) {
	t.Parallel()
	c, _ := recurring.New("rec_1", "org_1", monthly(1, "2026-01-01"), now)
	bill(c, "2026-02-01")
	moved := monthly(2, "2026-01-01")
	if err := c.Edit(moved, now); !errors.Is(err, recurring.ErrScheduleFixed) {
		t.Fatalf("moving the day after billing: %v", err)
	}
	dearer := monthly(1, "2026-01-01")
	dearer.Amount, dearer.Count = decimal.RequireFromString("300"), 3
	if err := c.Edit(dearer, now); err != nil {
		t.Fatal(err)
	}
	if got := bill(c, "2026-12-01"); len(got) != 1 || got[0] != "2026-03-01" {
		t.Fatalf("after the count became 3, billed %v", got)
	}
	if !c.Finished() {
		t.Fatal("not finished after its count")
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	for field, mut := range map[string]func(*recurring.Spec){
		"clientId":    func(s *recurring.Spec) { s.ClientID = "" },
		"amount":      func(s *recurring.Spec) { s.Amount = decimal.RequireFromString("1.005") },
		"dayOfMonth":  func(s *recurring.Spec) { s.DayOfMonth = 31 },
		"frequency":   func(s *recurring.Spec) { s.Frequency = "daily" },
		"end":         func(s *recurring.Spec) { s.End = d("2025-12-31") },
		"count":       func(s *recurring.Spec) { s.Count = -1 },
		"description": func(s *recurring.Spec) { s.Description = "" },
	} {
		s := monthly(1, "2026-01-01")
		mut(&s)
		var v *validation.Error
		if _, err := recurring.New("rec_1", "org_1", s, now); !errors.As(err, &v) || v.Field != field {
			t.Errorf("%s: got %v", field, err)
		}
	}
}
