package billing_test

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/queue"
)

// flakyQueue fails its first fail Enqueues, then queues.
type flakyQueue struct {
	mu   sync.Mutex
	fail int
	q    billing.DeliveryQueue
}

func (f *flakyQueue) Enqueue(ctx context.Context, orgID, deliveryID string) error {
	f.mu.Lock()
	failing := f.fail > 0
	f.fail--
	f.mu.Unlock()
	if failing {
		return errors.New("queue unavailable")
	}
	return f.q.Enqueue(ctx, orgID, deliveryID)
}

// With statements sent at close by email and text, a close that crashes
// halfway, then meets a queue outage, then is resumed by two runs at once
// records each statement's delivery on each channel the client has an
// address for exactly once, and every one of them reaches the queue.
func TestStatementsSentAtCloseOnceEach(t *testing.T) {
	w := newWorld(t, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), func(s *org.Settings) {
		s.StatementsAtClose = org.StatementsByEmailAndText
	})
	w.at("2026-10-05 10:00")
	newClient := func(name, phone string) string {
		c, err := w.svc.CreateClient(ctx, w.admin, client.Profile{Name: name,
			Contacts: []client.Contact{{Name: name, Email: strings.ToLower(strings.Fields(name)[0]) + "@example.com", Phone: phone}}})
		if err != nil {
			t.Fatal(err)
		}
		return c.Client.ID
	}
	ana, ben, cai, dee := newClient("Ana Silva", "+61412345678"), newClient("Ben Okafor", ""), newClient("Cai Wong", "+61412345679"), newClient("Dee Park", "+61412345670")
	for _, c := range []string{ana, ben, dee} { // Cai has nothing to state
		w.invoice(c, "80.00")
	}
	sq := sqs.NewFromConfig(w.aws)
	q, err := queue.NewDeliveries(sq, w.env("DELIVERIES_QUEUE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	sender, err := billing.NewStatementSender(w.svc, w.store, q)
	if err != nil {
		t.Fatal(err)
	}
	flaky, err := billing.NewStatementSender(w.svc, w.store, &flakyQueue{fail: 1, q: q})
	if err != nil {
		t.Fatal(err)
	}
	const base = "https://pay.example.com"
	w.cycles.PageSize = 2
	w.cycles.AtClose = sender.AtClose(base)
	run := func(store billing.CycleStore, s *billing.StatementSender) (billing.CloseReport, error) {
		c, err := billing.NewCycles(store, w.clock.Now, id.New, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		c.PageSize, c.AtClose = 2, s.AtClose(base)
		return c.CloseDue(ctx)
	}
	lapse := func() { w.clock.Set(w.clock.Now().Add(w.cycles.Lease + time.Second)) }

	w.at("2026-11-01 01:00")
	if _, err := run(&crashing{Store: w.store, left: 2}, sender); !errors.Is(err, errCrash) {
		t.Fatalf("crashed run: %v", err)
	}
	lapse()
	if _, err := run(w.store, flaky); !errors.Is(err, billing.ErrQueueUnavailable) {
		t.Fatalf("run during the queue outage: %v", err)
	}
	lapse()
	var wg sync.WaitGroup
	reps := make([]billing.CloseReport, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); reps[i], errs[i] = w.cycles.CloseDue(ctx) }()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil || reps[0].Closed+reps[1].Closed != 1 {
		t.Fatalf("concurrent runs: %+v %v", reps, errs)
	}

	want := map[string][]string{ // client → its deliveries, channel:recipient
		ana: {"email:ana@example.com", "sms:+61412345678"},
		ben: {"email:ben@example.com"},
		dee: {"email:dee@example.com", "sms:+61412345670"},
	}
	recorded := map[string]bool{}
	for c, wantDs := range want {
		st := w.statementOf(c)
		ds, _, err := w.store.ListStatementDeliveries(ctx, w.org.ID, st.ID, 10, "")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range ds {
			got = append(got, string(d.Channel)+":"+d.Recipient)
			recorded[d.ID] = true
			if d.Status != delivery.Queued || !strings.HasPrefix(d.PayLinkURL, base+"/") {
				t.Fatalf("delivery %s: status %s, pay link %q", d.ID, d.Status, d.PayLinkURL)
			}
			if d.Channel == delivery.Email && !strings.Contains(d.Subject, "1 Oct 2026 – 31 Oct 2026") {
				t.Fatalf("email subject %q does not name the period", d.Subject)
			}
		}
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(wantDs, " ") {
			t.Fatalf("deliveries of %s's statement: %v, want %v", c, got, wantDs)
		}
	}
	if sts, _, err := w.statements.List(ctx, w.admin, cai, "", 10, ""); err != nil || len(sts) != 0 {
		t.Fatalf("idle client: %d statements (%v)", len(sts), err)
	}

	// Every recorded delivery reached the queue (some more than once: the
	// notifier sends a delivery once however often it arrives), and
	// nothing else did.
	queued := map[string]bool{}
	url := w.env("DELIVERIES_QUEUE_URL")
	for {
		out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, VisibilityTimeout: 60})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			_, dlv, err := queue.ParseDelivery(*m.Body)
			if err != nil {
				t.Fatal(err)
			}
			queued[dlv] = true
		}
	}
	if len(queued) != len(recorded) {
		t.Fatalf("queued %v, recorded %v", queued, recorded)
	}
	for d := range recorded {
		if !queued[d] {
			t.Fatalf("delivery %s recorded but never queued", d)
		}
	}
}
