package httpapi

import (
	"errors"
	"net/http"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/invoice"
)

// setInitialBalance is POST /v1/clients/{id}/initial-balance
// {amount, date?}: what the billing account owed when it was created, as
// an invoice without a number on its ledger and balance (201 the first
// time, 200 when asked again with the same amount, 409 with another).
func (s *server) setInitialBalance(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Amount string `json:"amount"`
		Date   string `json:"date"`
	}
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	amount, err := parseDec("amount", b.Amount, amountLimits)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	date, err := parseDate("date", b.Date)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p := principal(r.Context())
	cid := r.PathValue("id")
	before, err := s.billing.Invoice(r.Context(), p, billing.InitialBalanceID(cid))
	existed := err == nil && before.Status() != "draft"
	v, err := s.billing.SetInitialBalance(r.Context(), p, cid, amount, date)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusCreated
	if existed {
		status = http.StatusOK
	}
	w.Header().Set("Location", "/v1/invoices/"+v.ID)
	writeJSON(w, status, invoiceJSON(principal(r.Context()), v))
}

// getInitialBalance is GET /v1/clients/{id}/initial-balance:
// {"invoice": …} with the client's initial-balance invoice, or null when
// none is set (a client of another org is 404).
func (s *server) getInitialBalance(w http.ResponseWriter, r *http.Request) {
	p := principal(r.Context())
	cid := r.PathValue("id")
	if _, err := s.billing.Client(r.Context(), p, cid); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.billing.Invoice(r.Context(), p, billing.InitialBalanceID(cid))
	if errors.Is(err, invoice.ErrNotFound) {
		writeJSON(w, http.StatusOK, map[string]any{"invoice": nil})
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"invoice": invoiceJSON(principal(r.Context()), v)})
}
