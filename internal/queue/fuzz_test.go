package queue

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/id"
)

// FuzzParseDelivery: a queue message body may be anything (a redrive, an
// operator's test message). ParseDelivery never panics, refuses what is
// not exactly a delivery message with ErrMalformed, and what it accepts
// names a well-formed org and delivery; the body Enqueue writes reads back.
func FuzzParseDelivery(f *testing.F) {
	org, dlv := id.New(id.Org, time.Unix(0, 0)), id.New(id.Delivery, time.Unix(0, 0))
	good, _ := json.Marshal(deliveryMessage{OrgID: org, DeliveryID: dlv})
	for _, s := range []string{string(good), `{"orgId":"org_x"}`, `{"orgId":1}`, string(good) + `{}`, `{"orgId":"` + org + `","deliveryId":"` + dlv + `","x":1}`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		o, d, err := ParseDelivery(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseDelivery(%q) = %v, want ErrMalformed", body, err)
			}
			return
		}
		if !id.Valid(id.Org, o) || !id.Valid(id.Delivery, d) {
			t.Fatalf("ParseDelivery(%q) accepted ids %q, %q", body, o, d)
		}
		again, _ := json.Marshal(deliveryMessage{OrgID: o, DeliveryID: d})
		if o2, d2, err := ParseDelivery(string(again)); err != nil || o2 != o || d2 != d {
			t.Fatalf("re-encoded %s reads back as %q, %q, %v", again, o2, d2, err)
		}
	})
}
