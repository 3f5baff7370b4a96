package httpapi

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/card"
	"github.com/carebill/carebill/internal/idempotency"
	"github.com/carebill/carebill/internal/paylink"
	"github.com/carebill/carebill/internal/payment"
)

// startCheckout sends the client from the pay page to a hosted card
// checkout for the invoice's whole balance (plus the org's pass-through
// fee): the amount is never the client's to choose.
func (s *server) startCheckout(w http.ResponseWriter, r *http.Request) {
	sess, err := s.checkout.Start(r.Context(), r.PathValue("token"), s.publicBase(r))
	if err != nil {
		if errors.Is(err, card.ErrUnavailable) {
			s.log.ErrorContext(r.Context(), "checkout", slog.String("error", err.Error()))
		}
		if wantsHTML(r) {
			s.checkoutFailedPage(w, r, err)
			return
		}
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, sess.URL, http.StatusSeeOther)
}

// startPayAllCheckout sends the client from a pay-all page to one hosted
// card checkout for everything they have open (plus the pass-through fee).
func (s *server) startPayAllCheckout(w http.ResponseWriter, r *http.Request) {
	sess, err := s.checkout.StartPayAll(r.Context(), r.PathValue("token"), s.publicBase(r))
	if err != nil {
		if errors.Is(err, card.ErrUnavailable) {
			s.log.ErrorContext(r.Context(), "pay-all checkout", slog.String("error", err.Error()))
		}
		if wantsHTML(r) {
			s.checkoutFailedPage(w, r, err)
			return
		}
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, sess.URL, http.StatusSeeOther)
}

// wantsHTML reports whether a browser sent the request (the pay page's
// form): it gets a page back, not JSON.
func wantsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html") ||
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

// checkoutFailed is the page checkoutFailedPage fills with a heading, a
// text and the way back, each HTML-escaped. It is a format, not an
// html/template: executing a template makes the linker keep every
// exported method of every type in the payments binary (text/template
// calls methods by name through reflect), which was 10 MiB of it.
const checkoutFailed = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Payment not started</title></head>
<body><main><h1>%s</h1><p>%s</p><p><a href="%s">Back to the invoice</a></p></main></body></html>
`

// checkoutFailedPage answers a browser whose checkout could not start
// with a page in words, keeping the status the error maps to.
func (s *server) checkoutFailedPage(w http.ResponseWriter, r *http.Request, err error) {
	status, heading, text := http.StatusInternalServerError, "Payment could not be started", "Something went wrong on our side; it has been logged. Please try again in a few minutes."
	switch {
	case errors.Is(err, paylink.ErrInvalid):
		status, heading, text = http.StatusNotFound, "This link is not valid", "It may have been replaced by a newer link. Please use the most recent link you were sent."
	case errors.Is(err, billing.ErrNothingOwed):
		status, heading, text = http.StatusConflict, "Nothing to pay", "Nothing is owing: it is paid or void."
	case errors.Is(err, billing.ErrNDIAManaged):
		status, heading, text = http.StatusUnprocessableEntity, "Nothing to pay by card", "The NDIA pays this: it is claimed from the NDIA for your plan, so there is nothing for you to pay."
	case errors.Is(err, card.ErrUnavailable):
		status, heading, text = http.StatusServiceUnavailable, "Card payments are unavailable", "Card payments cannot be taken right now. Please try again later, or pay another way."
	default:
		s.log.ErrorContext(r.Context(), "checkout", slog.String("error", err.Error()))
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	back := "/pay/" + r.PathValue("token")
	if strings.HasPrefix(r.URL.Path, "/pay-all/") {
		back = "/pay-all/" + r.PathValue("token")
	}
	_, _ = fmt.Fprintf(w, checkoutFailed, html.EscapeString(heading), html.EscapeString(text), html.EscapeString(back))
}

// webhookEventPrefix keys processed Stripe event ids in the idempotency
// table, apart from every org's Idempotency-Keys.
const webhookEventPrefix = "stripe-event#"

type webhookReply struct {
	Received  bool   `json:"received"`
	Duplicate bool   `json:"duplicate,omitempty"`
	PaymentID string `json:"paymentId,omitempty"`
	// ReceiptEmailed: the card payment's receipt is queued for email.
	ReceiptEmailed bool `json:"receiptEmailed,omitempty"`
	// Parked: the payment is not in the client's currency; it is kept for
	// an admin (GET /v1/payments/parked), recorded nowhere else.
	Parked bool `json:"parked,omitempty"`
}

// stripeWebhook takes Stripe's event deliveries. A delivery whose
// signature or timestamp does not verify is refused (400) before anything
// is read or written. Each event id is processed once: its id is claimed
// in the idempotency table, and a redelivery of a processed event is
// acknowledged without effect. Recording is keyed by the payment intent
// too, so two different events about one payment, in either order,
// record it once. Failures release the claim and answer non-2xx, and
// Stripe retries.
func (s *server) stripeWebhook(w http.ResponseWriter, r *http.Request) {
	payload, err := io.ReadAll(r.Body)
	if err != nil {
		s.writeError(w, r, errTooLarge)
		return
	}
	ev, err := s.cards.ParseEvent(payload, r.Header.Get("Stripe-Signature"))
	if err != nil {
		s.log.WarnContext(r.Context(), "stripe webhook refused", slog.String("reason", err.Error()))
		s.writeError(w, r, err)
		return
	}
	key := webhookEventPrefix + ev.ID
	prev, err := s.events.Begin(r.Context(), key, ev.Type, s.now())
	switch {
	case errors.Is(err, idempotency.ErrExists) && prev.Status == idempotency.Completed:
		writeJSON(w, http.StatusOK, webhookReply{Received: true, Duplicate: true})
		return
	case errors.Is(err, idempotency.ErrExists):
		fail(w, r, http.StatusConflict, "event_in_progress", "this event is being processed; deliver it again later")
		return
	case err != nil:
		s.log.ErrorContext(r.Context(), "stripe webhook: claim event", slog.String("event", ev.ID), slog.String("error", err.Error()))
		fail(w, r, http.StatusServiceUnavailable, "unavailable", "could not record the event; deliver it again later")
		return
	}
	reply := webhookReply{Received: true}
	if ev.Paid != nil {
		pay, parked, fresh, err := s.parked.RecordCardPayment(r.Context(), ev.ID, *ev.Paid)
		if err != nil {
			_ = s.events.Release(context.WithoutCancel(r.Context()), key)
			s.log.ErrorContext(r.Context(), "stripe webhook: record card payment", slog.String("event", ev.ID),
				slog.String("org", ev.Paid.OrgID), slog.String("invoice", ev.Paid.InvoiceID), slog.String("error", err.Error()))
			s.writeError(w, r, err)
			return
		}
		if parked != nil {
			// Acknowledged: Stripe must not retry what only an admin can
			// resolve (GET /v1/payments/parked).
			reply.Parked = true
			s.log.WarnContext(r.Context(), "card payment parked: not in the client's currency", slog.String("event", ev.ID),
				slog.String("org", ev.Paid.OrgID), slog.String("invoice", ev.Paid.InvoiceID), slog.String("intent", ev.Paid.IntentID),
				slog.String("currency", ev.Paid.Currency.Code()), slog.Bool("parked", fresh))
			s.completeEvent(r, key, ev)
			writeJSON(w, http.StatusOK, reply)
			return
		}
		reply.PaymentID = pay.ID
		// Its receipt is emailed once, whichever delivery of whichever
		// event gets here; a queue failure lets Stripe deliver again.
		emailed, err := s.receipts.CardReceipt(r.Context(), pay)
		if err != nil {
			_ = s.events.Release(context.WithoutCancel(r.Context()), key)
			s.log.ErrorContext(r.Context(), "stripe webhook: email card receipt", slog.String("event", ev.ID),
				slog.String("org", ev.Paid.OrgID), slog.String("payment", pay.ID), slog.String("error", err.Error()))
			s.writeError(w, r, err)
			return
		}
		reply.ReceiptEmailed = emailed
		s.log.InfoContext(r.Context(), "card payment", slog.String("event", ev.ID), slog.String("type", ev.Type),
			slog.String("org", ev.Paid.OrgID), slog.String("invoice", ev.Paid.InvoiceID), slog.String("payment", pay.ID),
			slog.Bool("recorded", fresh))
	}
	if ev.Refunded != nil {
		// A parked payment has nothing in carebill to refund: its refund
		// in Stripe resolves it.
		if parked, err := s.parked.RefundedInStripe(r.Context(), *ev.Refunded); err != nil || parked {
			if err != nil {
				_ = s.events.Release(context.WithoutCancel(r.Context()), key)
				s.writeError(w, r, err)
				return
			}
			reply.Parked = true
			s.completeEvent(r, key, ev)
			writeJSON(w, http.StatusOK, reply)
			return
		}
		pay, fresh, err := s.reversals.RecordCardRefund(r.Context(), *ev.Refunded)
		if err != nil {
			// Released, so a redelivery (after the payment's own event,
			// when it came first) records the refund.
			_ = s.events.Release(context.WithoutCancel(r.Context()), key)
			s.log.WarnContext(r.Context(), "stripe webhook: record card refund", slog.String("event", ev.ID),
				slog.String("org", ev.Refunded.OrgID), slog.String("intent", ev.Refunded.IntentID), slog.String("error", err.Error()))
			s.writeError(w, r, err)
			return
		}
		reply.PaymentID = pay.ID
		s.log.InfoContext(r.Context(), "card refund", slog.String("event", ev.ID), slog.String("org", ev.Refunded.OrgID),
			slog.String("payment", pay.ID), slog.Bool("recorded", fresh))
	}
	if ev.Disputed != nil {
		pay, found, err := s.disputes.Record(r.Context(), *ev.Disputed)
		if err != nil {
			_ = s.events.Release(context.WithoutCancel(r.Context()), key)
			s.log.ErrorContext(r.Context(), "stripe webhook: record card dispute", slog.String("event", ev.ID),
				slog.String("intent", ev.Disputed.IntentID), slog.String("error", err.Error()))
			s.writeError(w, r, err)
			return
		}
		if !found {
			// Disputes carry no carebill metadata: an intent with no
			// recorded payment is another integration's charge.
			s.log.WarnContext(r.Context(), "stripe webhook: dispute of an unknown payment", slog.String("event", ev.ID),
				slog.String("intent", ev.Disputed.IntentID))
		} else {
			reply.PaymentID = pay.ID
			s.log.InfoContext(r.Context(), "card dispute", slog.String("event", ev.ID), slog.String("org", pay.OrgID),
				slog.String("payment", pay.ID), slog.String("outcome", ev.Disputed.Outcome))
		}
	}
	s.completeEvent(r, key, ev)
	writeJSON(w, http.StatusOK, reply)
}

// completeEvent marks a webhook event processed, so a redelivery is
// acknowledged without effect.
func (s *server) completeEvent(r *http.Request, key string, ev payment.CardEvent) {
	if err := s.events.Complete(context.WithoutCancel(r.Context()), idempotency.Record{
		Key: key, RequestHash: ev.Type, Status: idempotency.Completed, StatusCode: http.StatusOK,
	}, s.now()); err != nil {
		// The effect happened and is itself idempotent; a redelivery finds
		// the payment by its intent.
		s.log.WarnContext(r.Context(), "stripe webhook: complete event", slog.String("event", ev.ID), slog.String("error", err.Error()))
	}
}
