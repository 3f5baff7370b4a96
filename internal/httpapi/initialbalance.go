package httpapi

import (
	"net/http"

	"github.com/carebill/carebill/internal/billing"
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
	existed := err == nil && before.Status != "draft"
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
	writeJSON(w, status, invoiceJSON(v))
}
