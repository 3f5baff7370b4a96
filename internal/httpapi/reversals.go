package httpapi

import (
	"net/http"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/payment"
)

type refundBody struct {
	Amount string `json:"amount"`
	Reason string `json:"reason"`
}

type amountBody struct {
	Amount string `json:"amount"` // "" means all of it
}

// reversePayment is POST /v1/payments/{id}/reverse {reason}.
func (s *server) reversePayment(w http.ResponseWriter, r *http.Request) {
	pid := r.PathValue("id")
	if !id.Valid(id.Payment, pid) {
		s.writeError(w, r, payment.ErrNotFound)
		return
	}
	var b reasonBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.reversals.ReversePayment(r.Context(), principal(r.Context()), pid, b.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paymentJSON(principal(r.Context()), p))
}

// refundPayment is POST /v1/payments/{id}/refund {amount,reason}.
func (s *server) refundPayment(w http.ResponseWriter, r *http.Request) {
	pid := r.PathValue("id")
	if !id.Valid(id.Payment, pid) {
		s.writeError(w, r, payment.ErrNotFound)
		return
	}
	var b refundBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	amt, err := parseDec("amount", b.Amount, amountLimits)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.reversals.RefundPayment(r.Context(), principal(r.Context()), pid, amt, b.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paymentJSON(principal(r.Context()), p))
}

// voidCreditNote is POST /v1/credit-notes/{id}/void {reason}.
func (s *server) voidCreditNote(w http.ResponseWriter, r *http.Request) {
	nid := r.PathValue("id")
	if !id.Valid(id.Credit, nid) {
		s.writeError(w, r, credit.ErrNotFound)
		return
	}
	var b reasonBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.reversals.VoidCreditNote(r.Context(), principal(r.Context()), nid, b.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, creditJSON(n))
}

// unapplyCredit is POST /v1/invoices/{id}/unapply-credit {amount?}.
func (s *server) unapplyCredit(w http.ResponseWriter, r *http.Request) {
	iid, err := invoiceID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b amountBody
	if r.ContentLength != 0 {
		if err := decode(r, &b); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	var amount *decimal.Decimal
	if b.Amount != "" {
		a, err := parseDec("amount", b.Amount, amountLimits)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		amount = &a
	}
	v, err := s.reversals.UnapplyCredit(r.Context(), principal(r.Context()), iid, amount)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, invoiceJSON(principal(r.Context()), v))
}
