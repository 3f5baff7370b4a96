package reminder

import (
	"testing"
	"time"

	"github.com/carebill/carebill/internal/calendar"
)

func enabled() Schedule {
	s := Default()
	s.Enabled = true
	return s
}

type sent struct {
	key string
	at  time.Time
}

// simulate runs the reminder job hourly from start for days, skipping the
// days in missed, and returns what went out; change mutates the invoice
// before each run.
func simulate(t *testing.T, s Schedule, inv Invoice, start time.Time, days int, missed map[int]bool, change func(day int, inv *Invoice)) []sent {
	t.Helper()
	loc := start.Location()
	var out []sent
	for h := 0; h < days*24; h++ {
		now := start.Add(time.Duration(h) * time.Hour)
		day := h / 24
		if change != nil {
			change(day, &inv)
		}
		if missed[day] {
			continue
		}
		st, why := s.Next(inv, now, loc)
		if why != "" {
			continue
		}
		if now.In(loc).Hour() < s.From || now.In(loc).Hour() >= s.To {
			t.Fatalf("sent at night: %s", now.In(loc))
		}
		inv.Sent[st.Key()] = true
		out = append(out, sent{st.Key(), now})
	}
	return out
}

func TestEachStepOnceOverAMonth(t *testing.T) {
	syd, _ := time.LoadLocation("Australia/Sydney")
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, syd)
	due := calendar.MustParse("2026-11-10")
	inv := Invoice{Open: true, Balance: true, Recipient: true, Due: due, Sent: map[string]bool{}}
	got := simulate(t, enabled(), inv, start, 40, nil, nil)
	want := []string{"d-3", "d+0", "d+7", "d+14", "d+21"}
	if len(got) != len(want) {
		t.Fatalf("sent %v, want %v", got, want)
	}
	for i, s := range got {
		if s.key != want[i] {
			t.Fatalf("step %d = %s, want %s", i, s.key, want[i])
		}
		if d := calendar.Today(s.at, syd); d != due.AddDays([]int{-3, 0, 7, 14, 21}[i]) {
			t.Fatalf("%s sent on %s", s.key, d)
		}
		if s.at.In(syd).Hour() != 9 {
			t.Fatalf("%s sent at %s, want the start of the day's window", s.key, s.at.In(syd))
		}
	}
}

// The month the issue describes: a missed run, a manual send, a payment.
func TestMissedDayManualSendAndPayment(t *testing.T) {
	syd, _ := time.LoadLocation("Australia/Sydney")
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, syd)
	due := calendar.MustParse("2026-11-10")
	inv := Invoice{Open: true, Balance: true, Recipient: true, Due: due, Sent: map[string]bool{}}
	// The job does not run on 7–10 November (days 6–9): by the 11th both
	// d-3 and d+0 are due, and only d+0, the latest, goes out.
	missed := map[int]bool{6: true, 7: true, 8: true, 9: true}
	change := func(day int, inv *Invoice) {
		switch day {
		case 16: // 17 November: the coordinator resends by hand, the d+7 step's day.
			if inv.LastSent.IsZero() {
				inv.LastSent = time.Date(2026, 11, 17, 8, 30, 0, 0, syd)
			}
		case 25: // 26 November: the client pays.
			inv.Balance = false
		}
	}
	got := simulate(t, enabled(), inv, start, 40, missed, change)
	var keys []string
	for _, s := range got {
		keys = append(keys, s.key+"@"+calendar.Today(s.at, syd).String())
	}
	// d-3 was never sent: the run that could have sent it was missed, and
	// catching up sends only the latest step. d+7 waits out the manual send
	// (17th and 18th) and goes on the 19th; after the payment nothing goes.
	want := []string{"d+0@2026-11-11", "d+7@2026-11-19", "d+14@2026-11-24"}
	if len(keys) != len(want) {
		t.Fatalf("sent %v, want %v", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("sent %v, want %v", keys, want)
		}
	}
}

func TestNeverSent(t *testing.T) {
	syd, _ := time.LoadLocation("Australia/Sydney")
	noon := time.Date(2026, 11, 30, 12, 0, 0, 0, syd)
	due := calendar.MustParse("2026-11-10")
	base := Invoice{Open: true, Balance: true, Recipient: true, Due: due, Sent: map[string]bool{}}
	tests := []struct {
		name string
		s    Schedule
		inv  func(Invoice) Invoice
		at   time.Time
		want Reason
	}{
		{"reminders off", Default(), func(i Invoice) Invoice { return i }, noon, Off},
		{"draft, void or paid", enabled(), func(i Invoice) Invoice { i.Open = false; return i }, noon, NotOpen},
		{"nothing owed", enabled(), func(i Invoice) Invoice { i.Balance = false; return i }, noon, NotOpen},
		{"disputed", enabled(), func(i Invoice) Invoice { i.Disputed = true; return i }, noon, Disputed},
		{"no due date", enabled(), func(i Invoice) Invoice { i.Due = calendar.Date{}; return i }, noon, NoDueDate},
		{"client excluded", enabled(), func(i Invoice) Invoice { i.Excluded = true; return i }, noon, Excluded},
		{"no recipient", enabled(), func(i Invoice) Invoice { i.Recipient = false; return i }, noon, NoOneToAsk},
		{"at night", enabled(), func(i Invoice) Invoice { return i }, time.Date(2026, 11, 30, 22, 0, 0, 0, syd), NightTime},
		{"too early", enabled(), func(i Invoice) Invoice { i.Due = calendar.MustParse("2026-12-25"); return i }, noon, NothingDue},
		{"latest already sent", enabled(), func(i Invoice) Invoice { i.Sent = map[string]bool{"d+14": true}; return i }, noon, AlreadyOut},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, why := tt.s.Next(tt.inv(base), tt.at, syd); why != tt.want {
				t.Fatalf("reason %q, want %q", why, tt.want)
			}
		})
	}
	if st, why := enabled().Next(base, noon, syd); why != "" || st.Key() != "d+14" {
		t.Fatalf("due step = %s %q, want d+14", st.Key(), why)
	}
}

func TestValidateSchedule(t *testing.T) {
	bad := []Schedule{
		{From: 17, To: 9, Steps: []Step{{Offset: 1, Channels: []Channel{Email}}}},
		{From: 9, To: 17, Steps: []Step{{Offset: 1}}},
		{From: 9, To: 17, Steps: []Step{{Offset: 1, Channels: []Channel{"fax"}}}},
		{From: 9, To: 17, Steps: []Step{{Offset: 1, Channels: []Channel{Email}}, {Offset: 1, Channels: []Channel{SMS}}}},
		{From: 9, To: 17, Steps: []Step{{Offset: 999, Channels: []Channel{Email}}}},
	}
	for _, s := range bad {
		if err := s.Validate(); err == nil {
			t.Errorf("%+v accepted", s)
		}
	}
	s := Schedule{From: 8, To: 18, Steps: []Step{{Offset: 7, Channels: []Channel{SMS}}, {Offset: -2, Channels: []Channel{Email}}}}
	if err := s.Validate(); err != nil || s.Steps[0].Offset != -2 {
		t.Fatalf("valid schedule: %v %+v", err, s.Steps)
	}
}
