package portal_test

import (
	"maps"
	"strings"
	"testing"
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
