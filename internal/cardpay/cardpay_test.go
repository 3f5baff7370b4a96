package cardpay_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/cardpay"
	"github.com/carebill/carebill/internal/cardpay/cardpaytest"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/testenv"
)

var stripeMock *testenv.StripeMock

func TestMain(m *testing.M) { testenv.MainWithStripe(m, &stripeMock) }

func newAdapter(t *testing.T) (*cardpay.Stripe, *testenv.StripeRecorder) {
	t.Helper()
	rec := stripeMock.Recorder(t)
	s, err := cardpay.New(cardpay.Config{APIKey: "sk_test_carebill", WebhookSecret: cardpaytest.Secret, APIBase: rec.URL})
	if err != nil {
		t.Fatal(err)
	}
	return s, rec
}

func TestCheckoutChargesBalanceAndPassThroughFee(t *testing.T) {
	t.Parallel()
	s, rec := newAdapter(t)
	d := decimal.RequireFromString
	sess, err := s.CreateCheckout(context.Background(), payment.CheckoutRequest{
		OrgID: "org_a", InvoiceID: "inv_b", InvoiceNumber: "INV-00001", InvoiceName: "Client Invoice – November",
		Currency: money.MustCurrency("AUD"), Amount: d("2260.50"), Fee: d("39.86"), Account: "acct_1Nv0FGQ9RKHgCVdK",
		SuccessURL: "https://pay.example/pay/tok?checkout=success", CancelURL: "https://pay.example/pay/tok?checkout=cancelled",
	})
	if err != nil {
		t.Fatal(err)
	}
	if sess.ID == "" || sess.URL == "" {
		t.Fatalf("session %+v", sess)
	}
	path, f := rec.Last(t)
	if path != "POST /v1/checkout/sessions" {
		t.Fatalf("asked Stripe for %s", path)
	}
	for k, want := range map[string]string{
		"mode":                                            "payment",
		"line_items[0][price_data][currency]":             "aud",
		"line_items[0][price_data][unit_amount]":          "226050",
		"line_items[0][price_data][product_data][name]":   "Invoice INV-00001",
		"line_items[0][quantity]":                         "1",
		"line_items[1][price_data][unit_amount]":          "3986",
		"line_items[1][price_data][product_data][name]":   "Card processing fee",
		"metadata[carebill_org]":                          "org_a",
		"metadata[carebill_invoice]":                      "inv_b",
		"metadata[carebill_fee]":                          "39.86",
		"payment_intent_data[metadata][carebill_invoice]": "inv_b",
		"payment_intent_data[transfer_data][destination]": "acct_1Nv0FGQ9RKHgCVdK",
		"payment_intent_data[application_fee_amount]":     "3986",
		"payment_method_types[0]":                         "card",
		"adaptive_pricing[enabled]":                       "false",
		"client_reference_id":                             "inv_b",
		"success_url":                                     "https://pay.example/pay/tok?checkout=success",
		"cancel_url":                                      "https://pay.example/pay/tok?checkout=cancelled",
	} {
		if got := f.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestCheckoutAbsorbedFeeOnPlatformAccount(t *testing.T) {
	t.Parallel()
	s, rec := newAdapter(t)
	_, err := s.CreateCheckout(context.Background(), payment.CheckoutRequest{
		OrgID: "org_a", InvoiceID: "inv_b", InvoiceNumber: "INV-00002",
		Currency: money.MustCurrency("JPY"), Amount: decimal.RequireFromString("12000"),
		SuccessURL: "https://pay.example/s", CancelURL: "https://pay.example/c",
	})
	if err != nil {
		t.Fatal(err)
	}
	_, f := rec.Last(t)
	if f.Get("line_items[0][price_data][unit_amount]") != "12000" || f.Get("line_items[0][price_data][currency]") != "jpy" {
		t.Fatalf("yen amount: %v", f)
	}
	for _, k := range []string{"line_items[1][price_data][unit_amount]", "payment_intent_data[transfer_data][destination]", "payment_intent_data[application_fee_amount]"} {
		if f.Has(k) {
			t.Errorf("%s sent without a fee or a connected account: %q", k, f.Get(k))
		}
	}
	if f.Get("metadata[carebill_fee]") != "0" {
		t.Errorf("fee metadata %q", f.Get("metadata[carebill_fee]"))
	}
}

func TestCheckoutRefusesSubMinorAmounts(t *testing.T) {
	t.Parallel()
	s, _ := newAdapter(t)
	_, err := s.CreateCheckout(context.Background(), payment.CheckoutRequest{
		OrgID: "org_a", InvoiceID: "inv_b", InvoiceNumber: "INV-1", Currency: money.MustCurrency("AUD"),
		Amount: decimal.RequireFromString("10.005"), SuccessURL: "https://x/s", CancelURL: "https://x/c",
	})
	if err == nil {
		t.Fatal("a sub-cent amount went to Stripe")
	}
}

func TestCheckoutStripeDown(t *testing.T) {
	t.Parallel()
	s, err := cardpay.New(cardpay.Config{APIKey: "sk_test_x", WebhookSecret: cardpaytest.Secret, APIBase: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateCheckout(context.Background(), payment.CheckoutRequest{
		OrgID: "org_a", InvoiceID: "inv_b", InvoiceNumber: "INV-1", Currency: money.MustCurrency("AUD"),
		Amount: decimal.RequireFromString("10"), SuccessURL: "https://x/s", CancelURL: "https://x/c",
	})
	if !errors.Is(err, cardpay.ErrUnavailable) {
		t.Fatalf("got %v", err)
	}
}

func TestParseEvent(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s, err := cardpay.New(cardpay.Config{APIKey: "sk_test_x", WebhookSecret: cardpaytest.Secret, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	pay := cardpaytest.Payment{SessionID: "cs_test_1", IntentID: "pi_test_1", OrgID: "org_a", InvoiceID: "inv_b", Currency: "aud", Amount: 230036, Fee: "39.86"}
	want := payment.CardPaid{
		OrgID: "org_a", InvoiceID: "inv_b", IntentID: "pi_test_1", Currency: money.MustCurrency("AUD"),
		Amount: decimal.RequireFromString("2300.36"), Fee: decimal.RequireFromString("39.86"), At: time.Unix(now.Unix(), 0),
	}
	for name, body := range map[string][]byte{
		"session completed": pay.SessionCompleted("evt_1", now),
		"intent succeeded":  pay.IntentSucceeded("evt_2", now),
	} {
		ev, err := s.ParseEvent(body, cardpaytest.Sign(body, cardpaytest.Secret, now))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if ev.Paid == nil {
			t.Fatalf("%s: no payment in %+v", name, ev)
		}
		got := *ev.Paid
		if got.OrgID != want.OrgID || got.InvoiceID != want.InvoiceID || got.IntentID != want.IntentID || got.Currency != want.Currency ||
			!got.Amount.Equal(want.Amount) || !got.Fee.Equal(want.Fee) || !got.At.Equal(want.At) {
			t.Errorf("%s: paid %+v, want %+v", name, got, want)
		}
	}

	// Events that confirm nothing of ours are read, not acted on.
	unpaid := cardpaytest.Event("evt_3", "checkout.session.completed", now, map[string]any{
		"id": "cs_1", "object": "checkout.session", "payment_status": "unpaid", "metadata": map[string]string{"carebill_org": "org_a"},
	})
	foreign := cardpaytest.Event("evt_4", "payment_intent.succeeded", now, map[string]any{
		"id": "pi_9", "object": "payment_intent", "status": "succeeded", "amount_received": 500, "currency": "aud", "metadata": map[string]string{},
	})
	other := cardpaytest.Event("evt_5", "charge.refunded", now, map[string]any{"id": "ch_1", "object": "charge"})
	for name, body := range map[string][]byte{"unpaid": unpaid, "foreign": foreign, "other type": other} {
		ev, err := s.ParseEvent(body, cardpaytest.Sign(body, cardpaytest.Secret, now))
		if err != nil || ev.Paid != nil || ev.ID == "" {
			t.Errorf("%s: %+v, %v", name, ev, err)
		}
	}

	// Forged, stale, future-dated, tampered and unsigned deliveries.
	body := pay.SessionCompleted("evt_6", now)
	tampered := bytes.Replace(body, []byte(`"amount_total":230036`), []byte(`"amount_total":1`), 1)
	for name, c := range map[string]struct {
		body []byte
		sig  string
	}{
		"wrong secret": {body, cardpaytest.Sign(body, "whsec_attacker", now)},
		"stale":        {body, cardpaytest.Sign(body, cardpaytest.Secret, now.Add(-6*time.Minute))},
		"future":       {body, cardpaytest.Sign(body, cardpaytest.Secret, now.Add(6*time.Minute))},
		"tampered":     {tampered, cardpaytest.Sign(body, cardpaytest.Secret, now)},
		"unsigned":     {body, ""},
		"garbage":      {body, "t=abc,v1=zz"},
	} {
		if _, err := s.ParseEvent(c.body, c.sig); !errors.Is(err, cardpay.ErrBadSignature) {
			t.Errorf("%s: got %v, want ErrBadSignature", name, err)
		}
	}

	// Signed but unusable: a fee above the charge.
	bad := cardpaytest.Payment{SessionID: "cs_2", IntentID: "pi_2", OrgID: "org_a", InvoiceID: "inv_b", Currency: "aud", Amount: 100, Fee: "5.00"}
	b := bad.SessionCompleted("evt_7", now)
	if _, err := s.ParseEvent(b, cardpaytest.Sign(b, cardpaytest.Secret, now)); !errors.Is(err, cardpay.ErrMalformed) {
		t.Errorf("fee above the charge: %v", err)
	}
}

func TestStripeAmountsOfZeroDecimalSpecialCases(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s, _ := cardpay.New(cardpay.Config{APIKey: "sk_test_x", WebhookSecret: cardpaytest.Secret})
	// Stripe writes ISK with two decimals though it has none.
	p := cardpaytest.Payment{SessionID: "cs", IntentID: "pi_isk", OrgID: "org_a", InvoiceID: "inv_b", Currency: "isk", Amount: 500000, Fee: "0"}
	b := p.SessionCompleted("evt_isk", now)
	ev, err := s.ParseEvent(b, cardpaytest.Sign(b, cardpaytest.Secret, now))
	if err != nil || ev.Paid == nil || !ev.Paid.Amount.Equal(decimal.NewFromInt(5000)) {
		t.Fatalf("ISK: %+v %v", ev.Paid, err)
	}
}
