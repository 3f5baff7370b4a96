// Package cardpay is carebill's Stripe adapter: hosted Checkout Sessions
// for an invoice's balance, and verified webhook events turned into card
// payments to record.
//
// The platform model: one Stripe secret key, the operator's, comes from
// deployment configuration. An org never sees or holds a key; when an
// operator has connected the org's own Stripe account (the org setting
// stripeAccountId), charges are destination charges to it
// (payment_intent_data.transfer_data.destination) and any pass-through fee
// stays with the platform, which pays Stripe's processing fee on them
// (application_fee_amount).
package cardpay

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stripe/stripe-go/v82"

	"github.com/carebill/carebill/internal/card"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/payment"
)

// Metadata keys carebill puts on every Checkout Session and its payment
// intent, and reads back from webhook events.
const (
	metaOrg     = "carebill_org"
	metaInvoice = "carebill_invoice"
	metaClient  = "carebill_client" // a pay-all checkout: the client's whole open balance
	metaFee     = "carebill_fee"    // decimal string in the invoice currency
)

// DefaultTolerance is how old (or how far in the future) a webhook
// signature's timestamp may be: Stripe's own default.
const DefaultTolerance = 5 * time.Minute

// sessionLifetime bounds how long a checkout stays payable, so a forgotten
// tab cannot charge a balance that has since changed (Stripe's minimum is
// 30 minutes). A payment of a stale session still never gets lost: what
// the invoice no longer needs becomes client credit.
const sessionLifetime = time.Hour

// keyWindow is how long the same checkout request (the same invoice,
// amount, fee and return addresses) reuses one Stripe idempotency key,
// and so one Checkout Session: a payer whose first attempt timed out, or
// who clicks Pay twice, gets the session already made, never a second
// one. A session lives from 50 to 60 minutes (expiry is counted from the
// window's start, so the request's parameters match within it, as Stripe
// requires of a reused key).
const keyWindow = 10 * time.Minute

// ErrUnavailable is returned when Stripe cannot be reached or refuses a
// request; the detail is in the wrapped error, for the logs only. It is
// card.ErrUnavailable, so callers need not link Stripe to recognise it.
var ErrUnavailable = card.ErrUnavailable

// Config is what the adapter needs.
type Config struct {
	// APIKey is the operator's secret key (sk_…), read from SSM at the first card request.
	APIKey string
	// WebhookSecret is the webhook endpoint's signing secret (whsec_…).
	WebhookSecret string
	// APIBase is another Stripe API address, such as stripe-mock's; empty
	// means Stripe's own.
	APIBase string
	// Tolerance is how far a signature's timestamp may be from now;
	// DefaultTolerance when zero.
	Tolerance time.Duration
	// HTTPClient makes the API calls; a client with a 10-second timeout
	// when nil.
	HTTPClient *http.Client
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Stripe creates checkouts and verifies webhook events.
type Stripe struct {
	sc        *stripe.Client
	secret    string
	tolerance time.Duration
	now       func() time.Time
}

// New builds the adapter.
func New(cfg Config) (*Stripe, error) {
	if cfg.APIKey == "" || cfg.WebhookSecret == "" {
		return nil, errors.New("cardpay: a Stripe API key and a webhook signing secret are required")
	}
	if cfg.Tolerance <= 0 {
		cfg.Tolerance = DefaultTolerance
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	bc := &stripe.BackendConfig{
		HTTPClient:    cfg.HTTPClient,
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull}, // errors are returned, and logged by the caller
	}
	if cfg.APIBase != "" {
		bc.URL = stripe.String(strings.TrimRight(cfg.APIBase, "/"))
	}
	sc := stripe.NewClient(cfg.APIKey, stripe.WithBackends(stripe.NewBackendsWithConfig(bc)))
	return &Stripe{sc: sc, secret: cfg.WebhookSecret, tolerance: cfg.Tolerance, now: cfg.Now}, nil
}

// CreateCheckout opens a hosted Checkout Session that charges the
// invoice's balance, plus the pass-through fee as a line of its own, in
// the invoice currency, by card. The session and its payment intent carry
// the org and invoice ids and the fee, which the webhook reads back.
func (s *Stripe) CreateCheckout(ctx context.Context, req payment.CheckoutRequest) (payment.CheckoutSession, error) {
	amount, err := toMinor(req.Amount, req.Currency)
	if err != nil {
		return payment.CheckoutSession{}, err
	}
	fee, err := toMinor(req.Fee, req.Currency)
	if err != nil {
		return payment.CheckoutSession{}, err
	}
	if amount <= 0 || fee < 0 {
		return payment.CheckoutSession{}, fmt.Errorf("cardpay: checkout of %s + %s: nothing to charge", req.Amount, req.Fee)
	}
	cur := stripe.String(strings.ToLower(req.Currency.Code()))
	title := "Invoice " + req.InvoiceNumber
	if req.ClientID != "" {
		title = "All open invoices"
	}
	product := &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String(title)}
	if req.InvoiceName != "" {
		product.Description = stripe.String(req.InvoiceName)
	}
	lines := []*stripe.CheckoutSessionCreateLineItemParams{{
		Quantity:  stripe.Int64(1),
		PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{Currency: cur, UnitAmount: stripe.Int64(amount), ProductData: product},
	}}
	if fee > 0 {
		lines = append(lines, &stripe.CheckoutSessionCreateLineItemParams{
			Quantity: stripe.Int64(1),
			PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
				Currency: cur, UnitAmount: stripe.Int64(fee),
				ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Card processing fee")},
			},
		})
	}
	meta := map[string]string{metaOrg: req.OrgID, metaFee: req.Currency.String(req.Fee)}
	ref := req.InvoiceID
	if req.ClientID != "" {
		meta[metaClient], ref = req.ClientID, req.ClientID
	} else {
		meta[metaInvoice] = req.InvoiceID
	}
	intent := &stripe.CheckoutSessionCreatePaymentIntentDataParams{Description: stripe.String(title), Metadata: meta}
	if req.Account != "" {
		intent.TransferData = &stripe.CheckoutSessionCreatePaymentIntentDataTransferDataParams{Destination: stripe.String(req.Account)}
		if fee > 0 {
			intent.ApplicationFeeAmount = stripe.Int64(fee)
		}
	}
	window := s.now().Truncate(keyWindow)
	params := &stripe.CheckoutSessionCreateParams{
		Mode:               stripe.String(string(stripe.CheckoutSessionModePayment)),
		LineItems:          lines,
		PaymentMethodTypes: []*string{stripe.String("card")},
		ClientReferenceID:  stripe.String(ref),
		Metadata:           meta,
		PaymentIntentData:  intent,
		SuccessURL:         stripe.String(req.SuccessURL),
		CancelURL:          stripe.String(req.CancelURL),
		ExpiresAt:          stripe.Int64(window.Add(sessionLifetime).Unix()),
		// The client pays the invoice's own currency, never a converted one.
		AdaptivePricing: &stripe.CheckoutSessionCreateAdaptivePricingParams{Enabled: stripe.Bool(false)},
	}
	params.SetIdempotencyKey(checkoutKey(req, amount, fee, window))
	sess, err := s.sc.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		return payment.CheckoutSession{}, fmt.Errorf("create checkout session for %s: %w: %w", ref, ErrUnavailable, err)
	}
	if sess.URL == "" {
		return payment.CheckoutSession{}, fmt.Errorf("create checkout session for %s: %w: no URL in Stripe's answer", ref, ErrUnavailable)
	}
	return payment.CheckoutSession{ID: sess.ID, URL: sess.URL}, nil
}

// checkoutKey is the Stripe idempotency key of a checkout request in the
// key window starting at window: the same for the same payer's request,
// different when anything charged or any return address differs.
func checkoutKey(req payment.CheckoutRequest, amount, fee int64, window time.Time) string {
	h := sha256.New()
	for _, v := range []string{req.OrgID, req.InvoiceID, req.ClientID, req.Currency.Code(), strconv.FormatInt(amount, 10),
		strconv.FormatInt(fee, 10), req.Account, req.SuccessURL, req.CancelURL, strconv.FormatInt(window.Unix(), 10)} {
		h.Write([]byte(v))
		h.Write([]byte{0})
	}
	return "carebill-checkout-" + hex.EncodeToString(h.Sum(nil))[:40]
}

// Stripe writes amounts in a currency's smallest unit, which is ISO
// 4217's minor unit except for these, which Stripe writes with two
// decimals although they have none (the amount must be a multiple of 100).
var stripeDecimals = map[string]int32{"ISK": 2, "UGX": 2}

func exponent(c money.Currency) int32 {
	if e, ok := stripeDecimals[c.Code()]; ok {
		return e
	}
	return c.MinorUnits()
}

// toMinor writes an amount as Stripe's integer amount in c.
func toMinor(d decimal.Decimal, c money.Currency) (int64, error) {
	if !d.Equal(c.Round(d)) {
		return 0, fmt.Errorf("cardpay: %s has more decimal places than %s allows", d, c.Code())
	}
	return d.Shift(exponent(c)).IntPart(), nil
}

// fromMinor reads Stripe's integer amount in c.
func fromMinor(n int64, c money.Currency) decimal.Decimal {
	return decimal.New(n, -exponent(c))
}
