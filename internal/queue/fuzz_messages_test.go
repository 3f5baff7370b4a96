package queue

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/clientauth"
	"github.com/carebill/carebill/internal/id"
)

// FuzzParseRun: a runs-queue body may be anything (a redrive, an
// operator's test message). ParseRun never panics, refuses what is not
// exactly a run message with ErrMalformedRun, accepts only well-formed
// org, run and client ids, and the body the queue writes reads back.
func FuzzParseRun(f *testing.F) {
	at := time.Unix(0, 0)
	org, run, cli := id.New(id.Org, at), id.New("run", at), id.New(id.Client, at)
	good, _ := json.Marshal(runMessage{OrgID: org, RunID: run, ClientID: cli})
	for _, s := range []string{string(good), string(good) + `{}`, `{"orgId":"` + org + `"}`, `{"orgId":1}`, strings.Replace(string(good), "}", `,"x":1}`, 1), ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		o, r, c, err := ParseRun(body)
		if err != nil {
			if !errors.Is(err, ErrMalformedRun) {
				t.Fatalf("ParseRun(%q) = %v, want ErrMalformedRun", body, err)
			}
			return
		}
		if !id.Valid(id.Org, o) || !id.Valid("run", r) || !id.Valid(id.Client, c) {
			t.Fatalf("ParseRun(%q) accepted ids %q, %q, %q", body, o, r, c)
		}
		again, _ := json.Marshal(runMessage{OrgID: o, RunID: r, ClientID: c})
		if o2, r2, c2, err := ParseRun(string(again)); err != nil || o2 != o || r2 != r || c2 != c {
			t.Fatalf("re-encoded %s reads back as %q, %q, %q, %v", again, o2, r2, c2, err)
		}
	})
}

// FuzzParseSignIn: the deliveries queue also carries portal sign-in
// requests. ParseSignIn never panics, refuses anything else with
// ErrMalformed, accepts only a well-formed org and request id, and the
// body EnqueueSignIn writes reads back.
func FuzzParseSignIn(f *testing.F) {
	org, req := id.New(id.Org, time.Unix(0, 0)), strings.Repeat("ab", 32)
	good, _ := json.Marshal(signInMessage{OrgID: org, SignInRequest: req})
	dlv, _ := json.Marshal(deliveryMessage{OrgID: org, DeliveryID: id.New(id.Delivery, time.Unix(0, 0))})
	for _, s := range []string{string(good), string(dlv), string(good) + `[]`, `{"orgId":"` + org + `","signInRequestId":"AB"}`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		o, r, err := ParseSignIn(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseSignIn(%q) = %v, want ErrMalformed", body, err)
			}
			return
		}
		if !id.Valid(id.Org, o) || !clientauth.ValidRequestID(r) {
			t.Fatalf("ParseSignIn(%q) accepted %q, %q", body, o, r)
		}
		again, _ := json.Marshal(signInMessage{OrgID: o, SignInRequest: r})
		if o2, r2, err := ParseSignIn(string(again)); err != nil || o2 != o || r2 != r {
			t.Fatalf("re-encoded %s reads back as %q, %q, %v", again, o2, r2, err)
		}
	})
}
