package cycle

import (
	"testing"
	"time"

	"github.com/carebill/carebill/internal/calendar"
)

var d = calendar.MustParse

func TestContaining(t *testing.T) {
	tests := []struct {
		name       string
		s          Schedule
		start, day string
		want       Period
	}{
		{"calendar month", Default(), "2026-01-01", "2026-02-17", Period{d("2026-02-01"), d("2026-02-28")}},
		{"month from the 15th", Schedule{Frequency: Monthly, DayOfMonth: 15}, "2026-01-15", "2026-03-03", Period{d("2026-02-15"), d("2026-03-14")}},
		{"month from the 15th on the 15th", Schedule{Frequency: Monthly, DayOfMonth: 15}, "2026-01-15", "2026-03-15", Period{d("2026-03-15"), d("2026-04-14")}},
		{"december into january", Schedule{Frequency: Monthly, DayOfMonth: 20}, "2026-01-20", "2027-01-05", Period{d("2026-12-20"), d("2027-01-19")}},
		{"week from monday", Schedule{Frequency: Weekly, Weekday: time.Monday}, "2026-11-02", "2026-11-29", Period{d("2026-11-23"), d("2026-11-29")}},
		{"week on its first day", Schedule{Frequency: Weekly, Weekday: time.Monday}, "2026-11-02", "2026-11-23", Period{d("2026-11-23"), d("2026-11-29")}},
		{"fortnight keeps its parity", Schedule{Frequency: Fortnightly, Weekday: time.Monday}, "2026-11-02", "2026-11-29", Period{d("2026-11-16"), d("2026-11-29")}},
		{"fortnight next", Schedule{Frequency: Fortnightly, Weekday: time.Monday}, "2026-11-02", "2026-11-30", Period{d("2026-11-30"), d("2026-12-13")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPlan(tt.s, d(tt.start))
			if err != nil {
				t.Fatal(err)
			}
			got, ok := p.Containing(d(tt.day))
			if !ok || got != tt.want {
				t.Fatalf("Containing(%s) = %v %v, want %v", tt.day, got, ok, tt.want)
			}
		})
	}
}

func TestBeforePlanStartsThereIsNoCycle(t *testing.T) {
	p, _ := NewPlan(Default(), d("2026-05-10"))
	if _, ok := p.Containing(d("2026-04-30")); ok {
		t.Fatal("a cycle before the org started billing")
	}
	if got, _ := p.Containing(d("2026-05-02")); got.Start != d("2026-05-01") {
		t.Fatalf("first cycle starts %s, want the whole month", got.Start)
	}
}

// A change of schedule touches future cycles only: the running cycle keeps
// its end, the next starts the day after it, and no day belongs to two.
func TestChangeAffectsFutureCyclesOnly(t *testing.T) {
	p, _ := NewPlan(Default(), d("2026-01-01"))
	p, err := p.Change(d("2026-11-10"), Schedule{Frequency: Weekly, Weekday: time.Wednesday})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := p.Containing(d("2026-11-29")); got != (Period{d("2026-11-01"), d("2026-11-30")}) {
		t.Fatalf("running cycle changed: %v", got)
	}
	if got, _ := p.Containing(d("2026-10-15")); got != (Period{d("2026-10-01"), d("2026-10-31")}) {
		t.Fatalf("past cycle changed: %v", got)
	}
	// The first weekly cycle is cut to start when the schedule does.
	if got, _ := p.Containing(d("2026-12-01")); got != (Period{d("2026-12-01"), d("2026-12-01")}) {
		t.Fatalf("first weekly cycle = %v", got)
	}
	if got, _ := p.Containing(d("2026-12-03")); got != (Period{d("2026-12-02"), d("2026-12-08")}) {
		t.Fatalf("weekly cycle = %v", got)
	}
	// A second change in the same cycle replaces the first, not yet in force.
	p, _ = p.Change(d("2026-11-20"), Schedule{Frequency: Monthly, DayOfMonth: 1, GraceDays: 3})
	if len(p) != 2 || p.Current().GraceDays != 3 {
		t.Fatalf("plan = %+v", p)
	}
	all := p.Between(d("2026-09-15"), d("2027-01-10"))
	for i := 1; i < len(all); i++ {
		if all[i].Start != all[i-1].End.AddDays(1) {
			t.Fatalf("gap or overlap between %v and %v", all[i-1], all[i])
		}
	}
}

// Sydney moves its clocks forward on 4 October 2026 and back on 5 April
// 2026: cycles still end at local midnight.
func TestCycleEndsAtLocalMidnightAcrossDaylightSaving(t *testing.T) {
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := NewPlan(Default(), d("2026-01-01"))
	sep, _ := p.Containing(d("2026-09-10"))
	oct, _ := p.Containing(d("2026-10-10"))
	mar, _ := p.Containing(d("2026-03-10"))
	apr, _ := p.Containing(d("2026-04-10"))
	for _, c := range []struct {
		per  Period
		want string
	}{
		{sep, "2026-09-30T14:00:00Z"}, // AEST, +10
		{oct, "2026-10-31T13:00:00Z"}, // AEDT, +11
		{mar, "2026-03-31T13:00:00Z"}, // AEDT
		{apr, "2026-04-30T14:00:00Z"}, // AEST
	} {
		if got := c.per.Ends(syd).UTC().Format(time.RFC3339); got != c.want {
			t.Errorf("%v ends %s, want %s", c.per, got, c.want)
		}
	}
	// A weekly cycle spanning the change has 7 days but 167 hours.
	w, _ := NewPlan(Schedule{Frequency: Weekly, Weekday: time.Monday}, d("2026-09-28"))
	per, _ := w.Containing(d("2026-10-04"))
	if hours := per.Ends(syd).Sub(per.Start.Start(syd)).Hours(); hours != 167 {
		t.Fatalf("week across DST lasts %v hours", hours)
	}
}

func TestStatusAt(t *testing.T) {
	syd, _ := time.LoadLocation("Australia/Sydney")
	per := Period{d("2026-10-01"), d("2026-10-31")}
	at := func(s string) time.Time { tt, _ := time.Parse(time.RFC3339, s); return tt }
	tests := []struct {
		now   string
		grace int
		want  Status
	}{
		{"2026-10-31T12:59:59Z", 0, Open},
		{"2026-10-31T13:00:00Z", 0, Due},
		{"2026-10-31T13:00:00Z", 3, Closing},
		{"2026-11-03T12:59:59Z", 3, Closing},
		{"2026-11-03T13:00:00Z", 3, Due},
	}
	for _, tt := range tests {
		if got := StatusAt(per, tt.grace, syd, at(tt.now)); got != tt.want {
			t.Errorf("StatusAt(%s, grace %d) = %s, want %s", tt.now, tt.grace, got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	bad := []Schedule{
		{Frequency: "daily"},
		{Frequency: Monthly, DayOfMonth: 29},
		{Frequency: Monthly, DayOfMonth: 0},
		{Frequency: Weekly, Weekday: 7},
		{Frequency: Monthly, DayOfMonth: 1, GraceDays: 15},
		{Frequency: Monthly, DayOfMonth: 1, GraceDays: -1},
	}
	for _, s := range bad {
		if err := s.Validate(); err == nil {
			t.Errorf("%+v accepted", s)
		}
	}
	if err := Default().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestIDIsStable(t *testing.T) {
	if got := (Period{d("2026-11-01"), d("2026-11-30")}).ID(); got != "cyc_20261101" {
		t.Fatal(got)
	}
}
