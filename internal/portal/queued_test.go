package portal_test

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/carebill/carebill/internal/queue"
)

// TestSignInEmailIsQueued is the probe's finding 5 at its root: the
// sign-in request sends nothing itself. It counts, stores and queues the
// request, the same AWS operations and the same page for an address on
// file and one not, and no SES call at all; the notifier then mails the
// link off the deliveries queue to the address on file only.
func TestSignInEmailIsQueued(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	co := s.signup("Queue Care")
	known := unique("known") + "@example.com"
	co.finalized(co.client("Known Client", known), "November sessions")
	unknown := unique("stranger") + "@example.com"
	path := "/portal/" + co.orgID + "/login"

	s.post(path, "", map[string]string{"email": unique("warm") + "@example.com"}) // a warm container
	s.portalCalls.reset()
	a := s.post(path, "", map[string]string{"email": unknown})
	unknownCalls := s.portalCalls.reset()
	b := s.post(path, "", map[string]string{"email": known})
	knownCalls := s.portalCalls.reset()

	if a.status != 200 || b.status != 200 || a.body != b.body || !strings.Contains(b.body, "Check your email") {
		t.Fatalf("answers differ: unknown %d, known %d\n%s\n---\n%s", a.status, b.status, a.body, b.body)
	}
	if !maps.Equal(unknownCalls, knownCalls) {
		t.Fatalf("the request did different work: unknown address %v, known address %v", unknownCalls, knownCalls)
	}
	for op := range knownCalls {
		if strings.HasPrefix(op, "SESv2.") || strings.HasPrefix(op, "SES.") {
			t.Fatalf("the sign-in request called %s itself: %v", op, knownCalls)
		}
	}
	if knownCalls["SQS.SendMessage"] != 1 {
		t.Fatalf("the sign-in request did not queue its email once: %v", knownCalls)
	}
	if m := mailsTo(t, known); len(m) != 0 {
		t.Fatalf("an email went out before the notifier ran: %v", m)
	}

	s.deliver()
	mails := mailsTo(t, known)
	if len(mails) != 1 || !strings.HasPrefix(linkRE.FindString(mails[0]), s.url+"/portal/"+co.orgID+"/auth/") {
		t.Fatalf("the known address got %d emails: %q", len(mails), mails)
	}
	if m := mailsTo(t, unknown); len(m) != 0 {
		t.Fatalf("an address not on file was mailed: %v", m)
	}
	// The link the queue's email carried signs the client in.
	if in := s.get(linkRE.FindString(mails[0]), ""); in.status != 303 {
		t.Fatalf("the queued email's link: %d %s", in.status, in.body)
	}
	// Each request is handled once: the queue is empty and nothing more
	// arrives on another pass.
	s.deliver()
	if again := mailsTo(t, known); len(again) != 1 {
		t.Fatalf("%d emails after a second pass, want 1", len(again))
	}
}

// TestSignInMessageTwiceSendsOnce: SQS delivers at least once, so one
// sign-in request's message handled twice, in one batch and again later,
// still sends one email.
func TestSignInMessageTwiceSendsOnce(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	co := s.signup("Twice Care")
	addr := unique("twice") + "@example.com"
	co.client("Twice Client", addr)
	if p := s.post("/portal/"+co.orgID+"/login", "", map[string]string{"email": addr}); p.status != 200 {
		t.Fatalf("sign-in request: %d", p.status)
	}
	api := sqs.NewFromConfig(s.st.AWS)
	url := s.st.Resources.IDs["DeliveriesQueue"]
	var msgs []sqstypes.Message
	for try := 0; len(msgs) == 0 && try < 20; try++ {
		out, err := api.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: &url, MaxNumberOfMessages: 1,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		if err != nil {
			t.Fatal(err)
		}
		msgs = out.Messages
	}
	if len(msgs) != 1 {
		t.Fatalf("%d messages on the deliveries queue, want the one sign-in request", len(msgs))
	}
	ev := queue.Event(s.st.Resources.ARNs["DeliveriesQueue"], []sqstypes.Message{msgs[0], msgs[0]})
	for pass := range 2 {
		res, err := s.notifier.Handle(context.Background(), ev)
		if err != nil || len(res.BatchItemFailures) != 0 {
			t.Fatalf("pass %d: %v %v", pass, err, res.BatchItemFailures)
		}
	}
	if m := mailsTo(t, addr); len(m) != 1 {
		t.Fatalf("%d sign-in emails for one request delivered four times, want 1", len(m))
	}
}
