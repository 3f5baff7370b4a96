package billing_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/reminder"
)

// A simulated month of the hourly reminder job against moto: steps 3 days
// before, on the day, 7, 14 and 21 days after the due date; the job misses
// a day, the coordinator resends by hand, and the client pays halfway.
// Each step goes once, none at night, none the day of or after the manual
// send, none after the payment, none for a client who opted out.
func TestRemindersOverAMonth(t *testing.T) {
	w := newWorld(t, time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC), func(s *org.Settings) {
		s.Reminders = reminder.Default()
		s.Reminders.Enabled = true
	})
	q, err := queue.NewDeliveries(sqs.NewFromConfig(w.aws), w.env("DELIVERIES_QUEUE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	sender, err := billing.NewSender(w.svc, w.store, q)
	if err != nil {
		t.Fatal(err)
	}
	rem, err := billing.NewReminders(w.svc, w.store, q, "https://pay.example.com", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	w.at("2026-11-01 10:00")
	ana := w.client("Ana Silva")
	optedOut := w.client("Ben Okafor")
	inv := w.invoice(ana, "120.00") // due 15 November
	other := w.invoice(optedOut, "50.00")
	if _, err := w.svc.UpdateClient(ctx, w.admin, optedOut, func(p *client.Profile) error { p.NoReminders = true; return nil }); err != nil {
		t.Fatal(err)
	}

	runs := []string{"09:00", "22:00"} // the hourly job, sampled: the first run of the day's window, and one at night
	for d := 2; d <= 40; d++ {
		date := time.Date(2026, 11, 1, 0, 0, 0, 0, w.syd).AddDate(0, 0, d-1)
		if date.Format("2006-01-02") == "2026-11-15" { // the job does not run on the due date
			continue
		}
		for _, hm := range runs {
			w.at(date.Format("2006-01-02") + " " + hm)
			switch w.clock.Now().Format("2006-01-02 15:04") {
			case "2026-11-21 22:00": // the coordinator resends by hand in the evening, the day before the d+7 step
				if _, err := sender.Resend(ctx, w.admin, inv.ID, "https://pay.example.com", billing.SendRequest{Channels: []delivery.Channel{delivery.Email}}); err != nil {
					t.Fatal(err)
				}
			case "2026-12-01 09:00": // the client pays after the d+14 step, before d+21
				if err := w.pay(ana, "120.00", "2026-11-30"); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := rem.Run(ctx); err != nil {
				t.Fatalf("run at %s: %v", w.clock.Now(), err)
			}
		}
	}
	ds, _, err := w.store.ListDeliveries(ctx, w.org.ID, inv.ID, 50, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := len(ds) - 1; i >= 0; i-- { // oldest first
		d := ds[i]
		got = append(got, d.Step+"@"+d.CreatedAt.In(w.syd).Format("01-02 15:04"))
	}
	// d-3 on 12 Nov; d+0 missed with the job on the 15th, caught up on the
	// 16th (once, though runs follow every few hours); the manual resend on
	// the 21st holds d+7 off on the 22nd, the day after, so it goes on the
	// 23rd; d+14 on the 29th; paid on 1 December, so no d+21.
	want := []string{"d-3@11-12 09:00", "d+0@11-16 09:00", "@11-21 22:00", "d+7@11-23 09:00", "d+14@11-29 09:00"}
	if len(got) != len(want) {
		t.Fatalf("deliveries %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("deliveries %v, want %v", got, want)
		}
	}
	if ds, _, _ := w.store.ListDeliveries(ctx, w.org.ID, other.ID, 50, ""); len(ds) != 0 {
		t.Fatalf("the opted-out client got %d reminders", len(ds))
	}
}
