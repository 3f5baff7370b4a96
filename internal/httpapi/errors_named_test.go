package httpapi

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/cycle"
	"github.com/carebill/carebill/internal/idempotency"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/usecase"
	"github.com/carebill/carebill/internal/validation"
)

// named is err as a use case returns it: under its name, twice over when
// one use case calls another (record payment → finalize invoice).
func named(fail error) (err error) {
	defer usecase.Name(&err, "record payment %s", "pay_1")
	return func() (err error) {
		defer usecase.Name(&err, "finalize invoice %s", "in_1")
		return fail
	}()
}

// answer is what writeError sends for err, and what it logged.
func answer(t *testing.T, err error) (*httptest.ResponseRecorder, string) {
	t.Helper()
	var logged bytes.Buffer
	s := &server{log: slog.New(slog.NewTextHandler(&logged, nil))}
	rec := httptest.NewRecorder()
	s.writeError(rec, httptest.NewRequest(http.MethodPost, "/v1/payments", nil), err)
	return rec, logged.String()
}

// A use case's name changes nothing a client is told: every error of the
// one error map, and each typed error with its own words (figures, field,
// cycle, the id an earlier request made), answers the same status, code
// and body through usecase.Name as bare, and the name never reaches the
// client. The name is for the log: an unexpected error is logged with it.
func TestNamedErrorsKeepTheirAnswer(t *testing.T) {
	t.Parallel()
	errs := []error{
		validation.Errorf("dueDate", "is before the issue date"),
		&org.PeriodClosedError{Date: calendar.MustParse("2026-10-25"), Cycle: cycle.Period{Start: calendar.MustParse("2026-10-01"), End: calendar.MustParse("2026-10-31")}, Checked: true, HasStatement: true},
		&invoice.BalanceError{Amount: "$20.00", Balance: "$10.00"},
		&payment.OverRefundError{Amount: "$20.00", Left: "$5.00"},
		&ledger.MismatchError{Want: money.MustCurrency("AUD"), Got: money.MustCurrency("USD"), What: "payment"},
		&auth.PasswordError{Rule: "at least 10 characters"},
		&idempotency.AppliedError{Ref: "inv_1"},
		&smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"},
	}
	for _, f := range failures {
		errs = append(errs, f.err)
	}
	for _, bare := range errs {
		t.Run(bare.Error(), func(t *testing.T) {
			t.Parallel()
			want, _ := answer(t, bare)
			got, _ := answer(t, named(bare))
			if want.Code == http.StatusInternalServerError {
				t.Fatalf("bare %T %v answers 500: the error map does not know it", bare, bare)
			}
			if got.Code != want.Code || got.Header().Get("Retry-After") != want.Header().Get("Retry-After") {
				t.Fatalf("named: %d (Retry-After %q), bare: %d (Retry-After %q)", got.Code, got.Header().Get("Retry-After"), want.Code, want.Header().Get("Retry-After"))
			}
			if bare == errBadJSON || bare == errTooLarge {
				return // their message is the decoder's own text (httpapi's, never a use case's)
			}
			if strings.Contains(got.Body.String(), "finalize invoice") || strings.Contains(got.Body.String(), "record payment") {
				t.Fatalf("the use case's name reached the client: %s", got.Body)
			}
			if got.Body.String() != want.Body.String() {
				t.Fatalf("named body %s, bare body %s", got.Body, want.Body)
			}
		})
	}
	t.Run("unexpected", func(t *testing.T) {
		t.Parallel()
		got, logged := answer(t, named(errors.New("disk on fire")))
		if got.Code != http.StatusInternalServerError || strings.Contains(got.Body.String(), "disk on fire") || strings.Contains(got.Body.String(), "finalize invoice") {
			t.Fatalf("unexpected error answered %d %s", got.Code, got.Body)
		}
		if !strings.Contains(logged, "record payment pay_1: finalize invoice in_1: disk on fire") {
			t.Fatalf("the log line lacks the use cases' names: %s", logged)
		}
	})
}
