package faults_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/carebill/carebill/internal/faults"
	"github.com/carebill/carebill/internal/notify"
	invoicingwire "github.com/carebill/carebill/internal/wire/invoicing"
	notifierwire "github.com/carebill/carebill/internal/wire/notifier"
	portalwire "github.com/carebill/carebill/internal/wire/portal"
)

// sending is a system with the invoicing API, the pay pages and the
// notifier, whose SES and SNS calls go through the injector.
type sending struct {
	*system
	notifier *notify.Handler
}

func newSending(t *testing.T) *sending {
	t.Helper()
	s := newSystem(t)
	s.srv = s.st.Site(t)
	ctx := context.Background()
	api, err := invoicingwire.New(ctx, s.st.Env(t, "InvoicingFunction"), s.st.AWSFor("InvoicingFunction"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	pay, err := portalwire.New(ctx, s.st.Env(t, "PortalFunction"), s.st.AWSFor("PortalFunction"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	n, err := notifierwire.New(ctx, s.st.Env(t, "NotifierFunction"), s.awsFor("NotifierFunction"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /pay/{token}", pay)
	mux.Handle("/", api)
	s.serve(mux, "Faulty Care")
	return &sending{system: s, notifier: n}
}

// handle runs the notifier on ev as Lambda would: the messages it does
// not report as failures are deleted; it returns the ids of those it did.
func (s *sending) handle(ev events.SQSEvent) []string {
	s.t.Helper()
	resp, err := s.notifier.Handle(context.Background(), ev)
	if err != nil {
		s.t.Fatalf("notifier: %v", err)
	}
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	url := s.st.Resources.IDs["DeliveriesQueue"]
	for _, r := range ev.Records {
		if slices.Contains(ids, r.MessageId) {
			continue
		}
		if _, err := s.sqs.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: &r.ReceiptHandle}); err != nil {
			s.t.Fatal(err)
		}
	}
	return ids
}

// deliveries is the invoice's deliveries by channel, as GET …/deliveries
// shows them to the coordinator (the invoice page lists the same).
func (s *sending) deliveries(iid string) map[string]map[string]any {
	s.t.Helper()
	out := map[string]map[string]any{}
	for _, d := range s.must(200, "GET", "/v1/invoices/"+iid+"/deliveries", nil).list("data") {
		out[fmt.Sprint(d["channel"])] = d
	}
	return out
}

// activity is the invoice's history as "kind:channel:detail" lines.
func (s *sending) activity(iid string) []string {
	s.t.Helper()
	var out []string
	for _, e := range s.must(200, "GET", "/v1/invoices/"+iid+"/activity", nil).list("data") {
		out = append(out, fmt.Sprintf("%v:%v:%v", e["kind"], e["channel"], e["detail"]))
	}
	return out
}

// TestSendFailuresRetriedThenDeadLettered: SES refuses every email
// (MessageRejected) and SNS every text (a 5xx the SDK retries, to no
// avail). Each receive records the attempt and hands the message back to
// SQS; the fifth, the queue's maxReceiveCount, marks both deliveries
// failed with the service's reason on the invoice, and the messages move
// to the dead-letter queue. Nothing went out, and nothing is left queued.
func TestSendFailuresRetriedThenDeadLettered(t *testing.T) {
	t.Parallel()
	s := newSending(t)
	addr, phone := "dlq-"+unique()+"@example.com", uniquePhone()
	iid := s.draft(s.client(addr, phone))
	s.must(200, "POST", "/v1/invoices/"+iid+"/send", map[string]any{"channels": []string{"email", "sms"}})

	ses := s.aws.Add(faults.Rule{Service: "SESv2", Operation: "SendEmail",
		Err: faults.Refusal("MessageRejected", "Email address is on the account-level suppression list")})
	sns := s.aws.Add(faults.Rule{Service: "SNS", Operation: "Publish", Err: faults.ServerError(503, "ServiceUnavailable")})

	for receive := 1; receive <= 5; receive++ {
		ev := s.receive(2)
		failed := s.handle(ev)
		var ids []string
		for _, r := range ev.Records {
			ids = append(ids, r.MessageId)
		}
		slices.Sort(ids)
		slices.Sort(failed)
		if !slices.Equal(failed, ids) {
			t.Fatalf("receive %d: batch item failures %v, want both messages %v", receive, failed, ids)
		}
		s.expire(ev, failed)
		want := "queued"
		if receive == 5 {
			want = "failed"
		}
		for ch, d := range s.deliveries(iid) {
			if d["status"] != want || d["attempts"] != float64(receive) {
				t.Fatalf("after receive %d, %s delivery: %v, want %s after %d attempts", receive, ch, d, want, receive)
			}
		}
	}
	d := s.deliveries(iid)
	if got := fmt.Sprint(d["email"]["lastError"]); got != "the email service refused the message: Email address is on the account-level suppression list" {
		t.Errorf("email delivery's reason: %q", got)
	}
	if got := fmt.Sprint(d["sms"]["lastError"]); !strings.HasPrefix(got, "the SMS service refused the message:") {
		t.Errorf("SMS delivery's reason: %q", got)
	}
	// SES refusals are final for one attempt; a 5xx is retried by the SDK
	// inside each attempt (3 tries), then by the queue.
	if ses.Faulted() != 5 || sns.Faulted() != 15 {
		t.Errorf("SendEmail failed %d times (want 5, one per receive), Publish %d (want 15: 3 SDK tries per receive)", ses.Faulted(), sns.Faulted())
	}
	var failedEvents int
	for _, e := range s.activity(iid) {
		if strings.HasPrefix(e, "failed:") {
			failedEvents++
		}
	}
	if failedEvents != 2 {
		t.Errorf("activity shows %d failed deliveries, want 2: %v", failedEvents, s.activity(iid))
	}
	url := s.st.Resources.IDs["DeliveriesQueue"]
	out, err := s.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
	if err != nil || len(out.Messages) != 0 {
		t.Fatalf("a sixth receive got %d messages (%v), want both moved to the dead-letter queue", len(out.Messages), err)
	}
	if depth := s.queueDepth("DeliveriesDLQ"); depth != 2 {
		t.Errorf("dead-letter queue holds %d messages, want 2", depth)
	}
	if emails, texts := sent(t, addr, phone); emails != 0 || texts != 0 {
		t.Errorf("%d emails and %d texts went out through refusing services", emails, texts)
	}
}

// TestTransientSendFailureSendsOnce: a throttle the SDK's retry rides out
// sends within the attempt; a throttle that outlasts it returns the
// message to the queue, and the next receive sends. Either way the
// client gets exactly one email and one text, and the deliveries show
// sent.
func TestTransientSendFailureSendsOnce(t *testing.T) {
	t.Parallel()
	s := newSending(t)
	addr, phone := "transient-"+unique()+"@example.com", uniquePhone()
	iid := s.draft(s.client(addr, phone))
	s.must(200, "POST", "/v1/invoices/"+iid+"/send", map[string]any{"channels": []string{"email", "sms"}})

	// SES throttles one try (the SDK retries inside the attempt); SNS
	// throttles all three tries of the first attempt.
	ses := s.aws.Add(faults.Rule{Service: "SESv2", Operation: "SendEmail", Times: 1, Err: faults.Throttling("TooManyRequestsException")})
	sns := s.aws.Add(faults.Rule{Service: "SNS", Operation: "Publish", Times: 3, Err: faults.Throttling("Throttling")})
	ev := s.receive(2)
	failed := s.handle(ev)
	if len(failed) != 1 {
		t.Fatalf("first receive: %d messages to retry, want 1 (the text's)", len(failed))
	}
	d := s.deliveries(iid)
	if d["email"]["status"] != "sent" || d["sms"]["status"] != "queued" || !strings.Contains(fmt.Sprint(d["sms"]["lastError"]), "Rate exceeded") {
		t.Fatalf("after the first receive: email %v, sms %v", d["email"], d["sms"])
	}
	s.expire(ev, failed)
	if failed := s.handle(s.receive(1)); len(failed) != 0 {
		t.Fatalf("second receive: %v to retry, want none", failed)
	}
	d = s.deliveries(iid)
	if d["email"]["status"] != "sent" || d["sms"]["status"] != "sent" || d["email"]["attempts"] != float64(1) || d["sms"]["attempts"] != float64(2) {
		t.Fatalf("after the second receive: email %v, sms %v", d["email"], d["sms"])
	}
	if ses.Faulted() != 1 || ses.Seen() != 2 || sns.Faulted() != 3 || sns.Seen() != 4 {
		t.Errorf("SendEmail tried %d times, %d faulted (want 2, 1); Publish %d, %d (want 4, 3)", ses.Seen(), ses.Faulted(), sns.Seen(), sns.Faulted())
	}
	if emails, texts := sent(t, addr, phone); emails != 1 || texts != 1 {
		t.Errorf("the client got %d emails and %d texts, want one of each", emails, texts)
	}
	if n := s.queueDepth("DeliveriesQueue") + s.queueDepth("DeliveriesDLQ"); n != 0 {
		t.Errorf("%d messages left in the queues", n)
	}
}

// TestLostSendReplyIsShown: SES accepts an email but its reply is lost (a
// connection reset after the request went out). SES has no idempotency
// key, so whether the email left cannot be known: the notifier does not
// let the SDK resend inside the attempt (that would double it at once),
// records that the service did not answer, and the queue retries. The
// client may so get the email twice (sends are at least once, never at
// most once: a lost invoice is worse than a copy), and the invoice's
// history says so.
func TestLostSendReplyIsShown(t *testing.T) {
	t.Parallel()
	s := newSending(t)
	addr := "lost-" + unique() + "@example.com"
	iid := s.draft(s.client(addr, ""))
	s.must(200, "POST", "/v1/invoices/"+iid+"/send", map[string]any{"channels": []string{"email"}})

	lost := s.aws.Add(faults.Rule{Service: "SESv2", Operation: "SendEmail", Times: 1, Mode: faults.LoseReply})
	ev := s.receive(1)
	failed := s.handle(ev)
	if len(failed) != 1 {
		t.Fatalf("first receive: %v to retry, want the message", failed)
	}
	if lost.Seen() != 1 {
		t.Fatalf("SendEmail called %d times in the attempt whose reply was lost, want 1 (no SDK resend)", lost.Seen())
	}
	d := s.deliveries(iid)["email"]
	if d["status"] != "queued" || d["lastError"] != "the email service did not answer; the message may have gone out" {
		t.Fatalf("after the lost reply: %v", d)
	}
	if emails, _ := sent(t, addr, ""); emails != 1 {
		t.Fatalf("SES accepted %d emails before the retry, want 1", emails)
	}
	s.expire(ev, failed)
	if failed := s.handle(s.receive(1)); len(failed) != 0 {
		t.Fatalf("second receive: %v to retry", failed)
	}
	d = s.deliveries(iid)["email"]
	if d["status"] != "sent" || d["attempts"] != float64(2) {
		t.Fatalf("after the retry: %v", d)
	}
	if emails, _ := sent(t, addr, ""); emails != 2 {
		t.Errorf("SES accepted %d emails in all, want 2: the lost one and the retry", emails)
	}
	var shown bool
	for _, e := range s.activity(iid) {
		shown = shown || strings.Contains(e, "sent on attempt 2; an earlier attempt got no answer from the service and may also have arrived")
	}
	if !shown {
		t.Errorf("the invoice's history does not say the email may have arrived twice: %v", s.activity(iid))
	}
}
