package cardpay_test

import (
	"errors"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/cardpay"
	"github.com/carebill/carebill/internal/cardpay/cardpaytest"
)

// FuzzParseEvent: Stripe's webhook payloads, correctly signed (so the
// parser reads them) but otherwise arbitrary. ParseEvent never panics;
// it refuses with ErrMalformed or reads an event whose payment, refund
// or dispute passes the domain's own checks. The same payload unsigned
// or signed with another secret is always ErrBadSignature.
func FuzzParseEvent(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	pay := cardpaytest.Payment{SessionID: "cs_test_1", IntentID: "pi_test_1", OrgID: "org_a", InvoiceID: "inv_b", Currency: "aud", Amount: 230036, Fee: "39.86"}
	for _, p := range [][]byte{
		pay.SessionCompleted("evt_1", now), pay.IntentSucceeded("evt_2", now),
		pay.ChargeRefunded("evt_3", "ch_1", now, cardpaytest.Refund{ID: "re_1", Amount: 1000}),
		pay.Dispute("evt_4", "dp_1", "ch_1", "lost", now),
		cardpaytest.Event("evt_5", "checkout.session.completed", now, map[string]any{"payment_status": "paid", "metadata": map[string]any{"carebill_org": "org_a"}}),
		[]byte(`{"id":"evt_6","type":"payment_intent.succeeded","data":{"object":{"status":"succeeded","amount_received":-5,"metadata":{"carebill_org":"org_a","carebill_invoice":"inv_b"}}}}`),
		[]byte(`{}`), []byte(`not json`),
	} {
		f.Add(p)
	}
	s, err := cardpay.New(cardpay.Config{APIKey: "sk_test_x", WebhookSecret: cardpaytest.Secret, Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		ev, err := s.ParseEvent(payload, cardpaytest.Sign(payload, cardpaytest.Secret, now))
		switch {
		case err != nil && !errors.Is(err, cardpay.ErrMalformed):
			t.Fatalf("signed payload %q: %v, want ErrMalformed", payload, err)
		case err == nil && ev.Paid != nil:
			if verr := ev.Paid.Validate(); verr != nil {
				t.Fatalf("signed payload %q read as a payment the domain refuses: %v", payload, verr)
			}
		}
		for _, sig := range []string{"", cardpaytest.Sign(payload, "whsec_someone_else", now)} {
			if _, err := s.ParseEvent(payload, sig); !errors.Is(err, cardpay.ErrBadSignature) {
				t.Fatalf("payload %q with signature %q: %v, want ErrBadSignature", payload, sig, err)
			}
		}
	})
}
