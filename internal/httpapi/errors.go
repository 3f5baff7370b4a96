package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/card"
	"github.com/carebill/carebill/internal/cases"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/cycle"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/idempotency"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/member"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/paylink"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/recurring"
	"github.com/carebill/carebill/internal/session"
	"github.com/carebill/carebill/internal/statement"
	"github.com/carebill/carebill/internal/validation"
)

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// CycleID names the closed billing cycle of a period_closed error.
	CycleID string `json:"cycleId,omitempty"`
	// ID names what the earlier execution of a request_already_applied
	// request made or changed (inv_…, cli_…).
	ID string `json:"id,omitempty"`
}

// failure is how one kind of error reaches a client.
type failure struct {
	status int
	code   string
	msg    string // "" uses the error's own sentinel text
}

// failures maps each expected error to its status and stable code. It is
// the one place that decides what a client is told.
var failures = []struct {
	err error
	failure
}{
	{errBadJSON, failure{http.StatusBadRequest, "malformed_json", ""}},
	{errTooLarge, failure{http.StatusRequestEntityTooLarge, "body_too_large", ""}},
	{errMediaType, failure{http.StatusUnsupportedMediaType, "unsupported_media_type", ""}},
	{dynamo.ErrBadCursor, failure{http.StatusBadRequest, "invalid_cursor", "the cursor is not one this list handed out"}},
	{auth.ErrUnauthenticated, failure{http.StatusUnauthorized, "unauthenticated", "sign in again: the session is missing, invalid or expired"}},
	{auth.ErrBadCredentials, failure{http.StatusUnauthorized, "invalid_credentials", "the email or password is wrong"}},
	{auth.ErrNewPasswordRequired, failure{http.StatusConflict, "new_password_required", ""}},
	{auth.ErrEmailTaken, failure{http.StatusConflict, "email_taken", "an account with this email already exists"}},
	{auth.ErrWeakPassword, failure{http.StatusBadRequest, "weak_password", ""}},
	{billing.ErrForbidden, failure{http.StatusForbidden, "forbidden", ""}},
	{member.ErrNotFound, failure{http.StatusNotFound, "not_found", ""}},
	{member.ErrSelf, failure{http.StatusUnprocessableEntity, "cannot_change_self", ""}},
	{member.ErrExists, failure{http.StatusConflict, "email_taken", ""}},
	{idempotency.ErrApplied, failure{http.StatusConflict, "request_already_applied", "a request with this Idempotency-Key took effect earlier and its reply was lost; nothing was done again (id names what it made or changed)"}},
	{invoice.ErrNotFound, failure{http.StatusNotFound, "not_found", ""}},
	{client.ErrNotFound, failure{http.StatusNotFound, "not_found", ""}},
	{org.ErrNotFound, failure{http.StatusNotFound, "not_found", ""}},
	{errNotFound, failure{http.StatusNotFound, "not_found", ""}},
	{invoice.ErrNotDraft, failure{http.StatusConflict, "invoice_not_draft", ""}},
	{invoice.ErrNotOpen, failure{http.StatusConflict, "invoice_not_open", ""}},
	{invoice.ErrNotFinalized, failure{http.StatusConflict, "invoice_not_finalized", ""}},
	{invoice.ErrLocked, failure{http.StatusConflict, "invoice_locked", ""}},
	{invoice.ErrNotLocked, failure{http.StatusConflict, "invoice_not_locked", ""}},
	{invoice.ErrConflict, failure{http.StatusConflict, "conflict", ""}},
	{invoice.ErrExternalNumberTaken, failure{http.StatusConflict, "number_taken", ""}},
	{client.ErrConflict, failure{http.StatusConflict, "conflict", ""}},
	{org.ErrConflict, failure{http.StatusConflict, "conflict", ""}},
	{invoice.ErrHasPayments, failure{http.StatusUnprocessableEntity, "invoice_has_payments", ""}},
	{invoice.ErrSettled, failure{http.StatusUnprocessableEntity, "invoice_settled", ""}},
	{invoice.ErrExceedsBalance, failure{http.StatusUnprocessableEntity, "amount_exceeds_balance", ""}},
	{ledger.ErrCurrencyMismatch, failure{http.StatusUnprocessableEntity, "currency_mismatch", ""}},
	{ledger.ErrInsufficientCredit, failure{http.StatusConflict, "conflict", "the client's credit changed meanwhile; reload and try again"}},
	{payment.ErrReversed, failure{http.StatusConflict, "payment_reversed", ""}},
	{payment.ErrParkedNotFound, failure{http.StatusNotFound, "not_found", ""}},
	{payment.ErrParkedResolved, failure{http.StatusConflict, "parked_resolved", ""}},
	{payment.ErrParkedConflict, failure{http.StatusConflict, "conflict", ""}},
	{payment.ErrOverRefund, failure{http.StatusUnprocessableEntity, "refund_exceeds_payment", ""}},
	{payment.ErrNothingToUndo, failure{http.StatusUnprocessableEntity, "payment_refunded", ""}},
	{payment.ErrCreditSpent, failure{http.StatusUnprocessableEntity, "credit_spent", ""}},
	{credit.ErrNeedsExcess, failure{http.StatusUnprocessableEntity, "credit_note_excess", ""}},
	{credit.ErrVoided, failure{http.StatusConflict, "credit_note_void", ""}},
	{client.ErrCurrencyLocked, failure{http.StatusUnprocessableEntity, "currency_locked", ""}},
	{credit.ErrNotFound, failure{http.StatusNotFound, "not_found", ""}},
	{payment.ErrNotFound, failure{http.StatusNotFound, "not_found", ""}},
	{payment.ErrConflict, failure{http.StatusConflict, "conflict", ""}},
	{paylink.ErrInvalid, failure{http.StatusNotFound, "not_found", ""}},
	{billing.ErrNothingOwed, failure{http.StatusConflict, "nothing_owed", ""}},
	{billing.ErrCardPaymentPending, failure{http.StatusConflict, "payment_pending", "the card payment is not recorded yet; deliver the event again later"}},
	{card.ErrUnavailable, failure{http.StatusServiceUnavailable, "card_payments_unavailable", ""}},
	{card.ErrBadSignature, failure{http.StatusBadRequest, "invalid_signature", ""}},
	{card.ErrMalformed, failure{http.StatusBadRequest, "invalid_event", ""}},
	{invoice.ErrEmpty, failure{http.StatusUnprocessableEntity, "invoice_empty", "add at least one line item before finalizing"}},
	{invoice.ErrVoidNotSent, failure{http.StatusConflict, "invoice_void", ""}},
	{delivery.ErrNDIAManaged, failure{http.StatusUnprocessableEntity, "ndia_managed", ""}},
	{billing.ErrNDIAManaged, failure{http.StatusUnprocessableEntity, "ndia_managed", ""}},
	{delivery.ErrNoEmail, failure{http.StatusUnprocessableEntity, "no_email_address", ""}},
	{delivery.ErrNoPhone, failure{http.StatusUnprocessableEntity, "no_phone_number", ""}},
	{delivery.ErrNotFound, failure{http.StatusNotFound, "not_found", ""}},
	{org.ErrPeriodClosed, failure{http.StatusUnprocessableEntity, "period_closed", ""}},
	{billing.ErrSameNumberOff, failure{http.StatusUnprocessableEntity, "same_number_off", ""}},
	{invoice.ErrNotVoid, failure{http.StatusConflict, "invoice_not_void", ""}},
	{billing.ErrCycleNotDue, failure{http.StatusUnprocessableEntity, "cycle_not_due", ""}},
	{billing.ErrCycleNotFound, failure{http.StatusNotFound, "not_found", ""}},
	{billing.ErrNotAClosedCycle, failure{http.StatusUnprocessableEntity, "cycle_not_closed", ""}},
	{statement.ErrNotFound, failure{http.StatusNotFound, "not_found", ""}},
	{statement.ErrInvalid, failure{http.StatusBadRequest, "invalid_statement", ""}},
	{cycle.ErrBusy, failure{http.StatusConflict, "cycle_busy", ""}},
	{billing.ErrQueueUnavailable, failure{http.StatusServiceUnavailable, "send_unavailable", ""}},
	{cases.ErrNotFound, failure{http.StatusNotFound, "not_found", ""}},
	{cases.ErrConflict, failure{http.StatusConflict, "conflict", ""}},
	{cases.ErrState, failure{http.StatusConflict, "case_state", ""}},
	{cases.ErrInvoicePaid, failure{http.StatusUnprocessableEntity, "invoice_has_payments", ""}},
	{org.ErrStandaloneOff, failure{http.StatusUnprocessableEntity, "standalone_invoices_off", ""}},
	{ndis.ErrTaskNotFound, failure{http.StatusNotFound, "not_found", ""}},
	{ndis.ErrPlanNotFound, failure{http.StatusNotFound, "not_found", ""}},
	{ndis.ErrConflict, failure{http.StatusConflict, "conflict", ""}},
	{ndis.ErrTaskInvoiced, failure{http.StatusConflict, "task_invoiced", ""}},
	{session.ErrNotFound, failure{http.StatusNotFound, "not_found", ""}},
	{session.ErrConflict, failure{http.StatusConflict, "conflict", ""}},
	{session.ErrInvoiceKept, failure{http.StatusUnprocessableEntity, "invoice_kept", ""}},
	{session.ErrBilledByRun, failure{http.StatusConflict, "billed_by_run", ""}},
	{session.ErrNotShortNotice, failure{http.StatusUnprocessableEntity, "not_short_notice", ""}},
	{session.ErrCancellationNotClaimable, failure{http.StatusUnprocessableEntity, "cancellation_not_claimable", ""}},
	{billing.ErrInitialBalanceSet, failure{http.StatusConflict, "initial_balance_set", ""}},
	{recurring.ErrNotFound, failure{http.StatusNotFound, "not_found", ""}},
	{recurring.ErrConflict, failure{http.StatusConflict, "conflict", ""}},
	{recurring.ErrScheduleFixed, failure{http.StatusConflict, "schedule_fixed", ""}},
}

var errNotFound = errors.New("not found")

// retryAfterSeconds is the Retry-After of a 503 for a busy store: long
// enough for DynamoDB's throttling to ease (its capacity refills each
// second), short enough for a person waiting.
const retryAfterSeconds = "2"

// publicMessager is an expected error that carries its own words for the
// client (the figures or currencies involved), safe to show.
type publicMessager interface{ PublicMessage() string }

// writeError answers with the error's status and code; unexpected errors
// are logged and answered with a generic 500, never their text.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if ae := s.appliedEarlier(r, err); ae != nil {
		if s.replayApplied(w, r, ae) {
			return
		}
		err = ae
	}
	if v, ok := validation.As(err); ok {
		writeJSON(w, http.StatusBadRequest, errorBody{errorDetail{Code: "invalid_field", Message: v.Error(), Field: v.Field}})
		return
	}
	for _, f := range failures {
		if errors.Is(err, f.err) {
			msg := f.msg
			var pm publicMessager
			if msg == "" && errors.As(err, &pm) {
				msg = pm.PublicMessage()
			}
			if msg == "" {
				msg = f.err.Error()
				if f.err == errBadJSON || f.err == errTooLarge {
					msg = err.Error()
				}
				if pe := (*auth.PasswordError)(nil); errors.As(err, &pe) {
					msg = pe.Error() // the rule it broke, never the SDK's text
				}
			}
			detail := errorDetail{Code: f.code, Message: msg}
			if pc := (*org.PeriodClosedError)(nil); errors.As(err, &pc) {
				detail.CycleID = pc.Cycle.ID()
			}
			if ae := (*idempotency.AppliedError)(nil); errors.As(err, &ae) {
				detail.ID = ae.Ref
			}
			writeJSON(w, f.status, errorBody{detail})
			return
		}
	}
	if dynamo.Unavailable(err) {
		// Throttled past the SDK's retries: nothing was written, and the
		// same request (with the same Idempotency-Key) may be sent again.
		s.log.WarnContext(r.Context(), "request throttled", slog.String("error", err.Error()))
		w.Header().Set("Retry-After", retryAfterSeconds)
		writeJSON(w, http.StatusServiceUnavailable, errorBody{errorDetail{Code: "unavailable", Message: "carebill is busy just now and changed nothing; send the same request again in a few seconds"}})
		return
	}
	s.log.ErrorContext(r.Context(), "request failed", slog.String("error", err.Error()))
	writeJSON(w, http.StatusInternalServerError, errorBody{errorDetail{Code: "internal", Message: "something went wrong on our side; it has been logged"}})
}

// crossOriginRefused answers a browser write from another site.
func crossOriginRefused(w http.ResponseWriter, r *http.Request) {
	fail(w, r, http.StatusForbidden, "cross_origin", "requests from other sites are refused; use carebill's own pages or an API client")
}

// fail writes a JSON error with an explicit status and code.
func fail(w http.ResponseWriter, _ *http.Request, status int, code, message string) {
	writeJSON(w, status, errorBody{errorDetail{Code: code, Message: message}})
}
