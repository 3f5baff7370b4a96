package cardpay_test

import (
	"testing"
	"time"

	"github.com/carebill/carebill/internal/cardpay"
	"github.com/carebill/carebill/internal/cardpay/cardpaytest"
	"github.com/carebill/carebill/internal/payment"
)

func TestParseRefundAndDisputeEvents(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s, err := cardpay.New(cardpay.Config{APIKey: "sk_test_x", WebhookSecret: cardpaytest.Secret, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	parse := func(body []byte) payment.CardEvent {
		t.Helper()
		ev, err := s.ParseEvent(body, cardpaytest.Sign(body, cardpaytest.Secret, now))
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	pay := cardpaytest.Payment{IntentID: "pi_r", OrgID: "org_a", InvoiceID: "inv_b", Currency: "jpy", Amount: 4107}
	ev := parse(pay.ChargeRefunded("evt_r", "ch_r", now, cardpaytest.Refund{ID: "re_1", Amount: 1000}, cardpaytest.Refund{ID: "re_2", Amount: 107}))
	r := ev.Refunded
	if r == nil || r.OrgID != "org_a" || r.IntentID != "pi_r" || r.ChargeID != "ch_r" || r.Currency.Code() != "JPY" ||
		r.Total.String() != "1107" || len(r.Refunds) != 2 || r.Refunds[1].ID != "re_2" || r.Refunds[1].Amount.String() != "107" {
		t.Fatalf("refunded: %+v", r)
	}
	// A charge without carebill metadata is another integration's.
	foreign := cardpaytest.Payment{IntentID: "pi_x", Currency: "aud", Amount: 100}
	if ev := parse(foreign.ChargeRefunded("evt_x", "ch_x", now, cardpaytest.Refund{ID: "re_x", Amount: 100})); ev.Refunded != nil {
		t.Fatalf("foreign refund read as ours: %+v", ev.Refunded)
	}

	for status, want := range map[string]string{"needs_response": payment.DisputeOpened, "won": payment.DisputeWon, "lost": payment.DisputeLost, "warning_closed": ""} {
		ev := parse(pay.Dispute("evt_d_"+status, "dp_1", "ch_r", status, now))
		switch {
		case want == "" && ev.Disputed != nil:
			t.Errorf("%s: %+v, want ignored", status, ev.Disputed)
		case want != "" && (ev.Disputed == nil || ev.Disputed.Outcome != want || ev.Disputed.IntentID != "pi_r" || ev.Disputed.DisputeID != "dp_1"):
			t.Errorf("%s: %+v, want %s", status, ev.Disputed, want)
		}
	}
}
