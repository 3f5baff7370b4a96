package notify_test

import (
	"sync"
	"testing"
)

// TestConcurrentSendsOfADraftSendOnce is the probe's finding 8: ten
// simultaneous sends of one draft sent seven emails, and others failed
// with 409 though the invoice was then open. Now the draft is finalized
// once, the losers of that race carry on with the open invoice, and the
// same invoice, channel and recipient within SendWindow send once.
func TestConcurrentSendsOfADraftSendOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "Race Care")
	cid := h.client(map[string]any{"name": "Client", "contacts": []map[string]any{{"name": "Client", "email": "race-" + unique() + "@example.com"}}})
	iid := h.draft(cid)
	const n = 10
	replies := make([]reply, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			replies[i] = h.do("POST", "/v1/invoices/"+iid+"/send", map[string]any{"channels": []string{"email"}})
		})
	}
	wg.Wait()
	for i, r := range replies {
		if r.status != 200 || r.str("status") != "open" || r.str("number") != "INV-00001" {
			t.Errorf("send %d = %d %s, want 200 with the open INV-00001", i, r.status, r.raw)
		}
	}
	if d := h.must(200, "GET", "/v1/invoices/"+iid+"/deliveries", nil).list("data"); len(d) != 1 {
		t.Errorf("%d deliveries from %d simultaneous sends, want 1", len(d), n)
	}
	if depth := h.queueDepth("DeliveriesQueue"); depth != 1 {
		t.Errorf("%d messages queued, want 1", depth)
	}
	// A resend is its own action and still goes out.
	h.must(200, "POST", "/v1/invoices/"+iid+"/resend", map[string]any{"channels": []string{"email"}})
	if d := h.must(200, "GET", "/v1/invoices/"+iid+"/deliveries", nil).list("data"); len(d) != 2 {
		t.Errorf("%d deliveries after a resend, want 2", len(d))
	}
}
