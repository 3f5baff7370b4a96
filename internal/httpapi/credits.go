package httpapi

import (
	"net/http"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/validation"
)

type creditRequest struct {
	InvoiceID string `json:"invoiceId"`
	Amount    string `json:"amount"`
	Reason    string `json:"reason"`
	// ExcessTo says where the part above the invoice's balance goes when
	// it has been paid: client_credit, refund or outside.
	ExcessTo string `json:"excessTo"`
}

type partsJSON struct {
	Balance      string `json:"balance"`
	ClientCredit string `json:"clientCredit"`
	Refund       string `json:"refund"`
	Outside      string `json:"outside"`
}

type creditResponse struct {
	ID            string    `json:"id"`
	Number        string    `json:"number"`
	InvoiceID     string    `json:"invoiceId"`
	InvoiceNumber string    `json:"invoiceNumber"`
	ClientID      string    `json:"clientId"`
	Amount        string    `json:"amount"`
	Currency      string    `json:"currency"`
	Reason        string    `json:"reason"`
	Parts         partsJSON `json:"parts"` // where the amount went; sums to amount
	Void          bool      `json:"void"`
	VoidReason    string    `json:"voidReason,omitempty"`
	CreatedAt     time.Time `json:"createdAt"`
}

func creditJSON(n *credit.Note) creditResponse {
	return creditResponse{
		ID: n.ID, Number: n.Number, InvoiceID: n.InvoiceID, InvoiceNumber: n.Invoice, ClientID: n.ClientID,
		Amount: n.Currency.String(n.Amount), Currency: n.Currency.Code(), Reason: n.Reason, CreatedAt: n.CreatedAt,
		Parts: partsJSON{
			Balance: n.Currency.String(n.Parts.Balance), ClientCredit: n.Currency.String(n.Parts.ClientCredit),
			Refund: n.Currency.String(n.Parts.Refund), Outside: n.Currency.String(n.Parts.Outside),
		},
		Void: !n.VoidedAt.IsZero(), VoidReason: n.VoidReason,
	}
}

func (s *server) issueCreditNote(w http.ResponseWriter, r *http.Request) {
	var req creditRequest
	if err := decode(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !id.Valid(id.Invoice, req.InvoiceID) {
		s.writeError(w, r, validation.Errorf("invoiceId", "is not an invoice id"))
		return
	}
	amt, err := parseDec("amount", req.Amount, amountLimits)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.billing.IssueCreditNote(r.Context(), principal(r.Context()), req.InvoiceID, amt, req.Reason, credit.Excess(req.ExcessTo))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/credit-notes/"+n.ID)
	writeJSON(w, http.StatusCreated, creditJSON(n))
}

func (s *server) getCreditNote(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("id")
	if !id.Valid(id.Credit, cid) {
		s.writeError(w, r, credit.ErrNotFound)
		return
	}
	n, err := s.billing.CreditNote(r.Context(), principal(r.Context()), cid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, creditJSON(n))
}

type applyCreditRequest struct {
	Amount string `json:"amount"`
}

func (s *server) applyCredit(w http.ResponseWriter, r *http.Request) {
	iid, err := invoiceID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req applyCreditRequest
	if r.ContentLength != 0 {
		if err := decode(r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	var amount *decimal.Decimal
	if req.Amount != "" {
		a, err := parseDec("amount", req.Amount, amountLimits)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		amount = &a
	}
	v, err := s.billing.ApplyCredit(r.Context(), principal(r.Context()), iid, amount)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, invoiceJSON(principal(r.Context()), v))
}
