package httpapi

import "net/http"

// reissueBody is a void-and-re-issue: the reason for voiding, and
// sameNumber to keep the voided invoice's number with a revision suffix
// (where the org allows it).
type reissueBody struct {
	Reason     string `json:"reason"`
	SameNumber bool   `json:"sameNumber,omitempty"`
}

// reissueInvoice voids the invoice (if open) and answers 201 with the new
// draft that corrects it, linked both ways (replacesId, replacedById).
func (s *server) reissueInvoice(w http.ResponseWriter, r *http.Request) {
	iid, err := invoiceID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b reissueBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.billing.ReissueInvoice(r.Context(), principal(r.Context()), iid, b.Reason, b.SameNumber)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, invoiceJSON(principal(r.Context()), v))
}
