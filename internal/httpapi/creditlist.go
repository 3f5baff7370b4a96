package httpapi

import (
	"net/http"

	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/validation"
)

// listCreditNotes is GET /v1/credit-notes?invoiceId=inv_…: the credit
// notes issued against one invoice, oldest first, voided ones included
// (each with void and voidReason). invoiceId is required (400 without a
// well-formed one); an invoice the org does not have is 404. All of an
// invoice's notes fit one page, so there is no cursor.
func (s *server) listCreditNotes(w http.ResponseWriter, r *http.Request) {
	iid := r.URL.Query().Get("invoiceId")
	if !id.Valid(id.Invoice, iid) {
		s.writeError(w, r, validation.Errorf("invoiceId", "is required: the invoice whose credit notes to list"))
		return
	}
	notes, err := s.billing.InvoiceCreditNotes(r.Context(), principal(r.Context()), iid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := list[creditResponse]{Data: []creditResponse{}}
	for _, n := range notes {
		out.Data = append(out.Data, creditJSON(n))
	}
	writeJSON(w, http.StatusOK, out)
}
