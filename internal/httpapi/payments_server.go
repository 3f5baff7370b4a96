package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/crossorigin"
	"github.com/carebill/carebill/internal/idempotency"
	"github.com/carebill/carebill/internal/payment"
)

// CardEvents verifies and reads the card processor's webhook deliveries
// (internal/cardpay).
type CardEvents interface {
	ParseEvent(payload []byte, signature string) (payment.CardEvent, error)
}

// PaymentsConfig is what the payments function's API needs.
type PaymentsConfig struct {
	Billing    *billing.Service
	Checkout   *billing.Checkout
	Reversals  *billing.Reversals
	Disputes   *billing.CardDisputes
	Receipts   *billing.Receipts
	Parked     *billing.ParkedCards
	Team       *billing.Team
	CardEvents CardEvents
	Verifier   Verifier
	// Idempotency keeps Idempotency-Key records and, under their own
	// keys, the ids of processed webhook events.
	Idempotency idempotency.Store
	Log         *slog.Logger
	Now         func() time.Time
	// PublicBaseURL is where clients reach pay pages, to which a checkout
	// returns. Required: never the request's Host.
	PublicBaseURL string
	// Requests finds an earlier execution's request marker (Config.Requests).
	Requests AppliedRequests
}

// NewPayments builds the payments function's handler: the coordinator
// payment routes (the same handlers, sign-in, idempotency and error
// mapping as the invoicing API), card checkout from pay links, and
// Stripe's webhook.
func NewPayments(cfg PaymentsConfig) (http.Handler, error) {
	if cfg.Billing == nil || cfg.Checkout == nil || cfg.Reversals == nil || cfg.Team == nil || cfg.Disputes == nil || cfg.Receipts == nil || cfg.Parked == nil || cfg.CardEvents == nil || cfg.Verifier == nil || cfg.Idempotency == nil {
		return nil, errors.New("httpapi: billing, checkout, reversals, team, card disputes, receipts, parked cards, card events, verifier and idempotency store are required")
	}
	if err := checkBaseURL(cfg.PublicBaseURL); err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &server{
		billing: cfg.Billing, team: cfg.Team, requests: cfg.Requests, verifier: cfg.Verifier, log: cfg.Log, now: cfg.Now, baseURL: strings.TrimRight(cfg.PublicBaseURL, "/"),
		receipts: cfg.Receipts, parked: cfg.Parked, checkout: cfg.Checkout, reversals: cfg.Reversals, disputes: cfg.Disputes, cards: cfg.CardEvents, events: cfg.Idempotency,
	}
	idem := func(scope func(*http.Request) string, h http.Handler) http.Handler {
		return idempotency.Middleware(cfg.Idempotency, scope, cfg.Now, fail, cfg.Log, h)
	}
	orgScope := func(r *http.Request) string { return principal(r.Context()).OrgID }

	var patterns []string
	v1 := newRouter(&patterns)
	s.paymentRoutes(v1)
	v1.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, r, http.StatusNotFound, "not_found", "no such API path")
	})
	mux := newRouter(&patterns)
	mux.Handle("/v1/", s.authenticate(idem(orgScope, v1)))
	mux.Handle("POST /pay/{token}/checkout", idem(payLinkScope, http.HandlerFunc(s.startCheckout)))
	mux.Handle("POST /pay-all/{token}/checkout", idem(payLinkScope, http.HandlerFunc(s.startPayAllCheckout)))
	mux.HandleFunc("POST /webhooks/stripe", s.stripeWebhook)
	return &api{Handler: s.observe(crossorigin.Protect(mux, http.HandlerFunc(crossOriginRefused))), patterns: patterns}, nil
}

// paymentRoutes are the coordinator's payment routes, served by both the
// invoicing and the payments functions (API Gateway sends /v1/payments to
// the latter).
func (s *server) paymentRoutes(v1 router) {
	v1.HandleFunc("POST /v1/payments", s.recordPayment)
	v1.HandleFunc("GET /v1/payments", s.listPayments)
	v1.HandleFunc("GET /v1/payments/{id}", s.getPayment)
	v1.HandleFunc("POST /v1/payments/{id}/reverse", s.reversePayment)
	v1.HandleFunc("POST /v1/payments/{id}/refund", s.refundPayment)
	s.receiptRoutes(v1)
	s.parkedRoutes(v1)
}

// payLinkScope keeps a pay link's Idempotency-Keys apart from every other
// link's, without storing the link's secret.
func payLinkScope(r *http.Request) string {
	h := sha256.Sum256([]byte(r.PathValue("token")))
	return "paylink#" + hex.EncodeToString(h[:])
}
