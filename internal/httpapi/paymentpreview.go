package httpapi

import (
	"net/http"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/validation"
)

// previewParam reads POST /v1/payments?preview=true.
func previewParam(r *http.Request) (bool, error) {
	switch r.URL.Query().Get("preview") {
	case "":
		return false, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, validation.Errorf("preview", "is true or false")
}

// previewPayment answers POST /v1/payments?preview=true: the payment as
// it would be recorded now (allocations, and what becomes credit), with
// no id and no receipt number, recording nothing; 200, not 201.
func (s *server) previewPayment(w http.ResponseWriter, r *http.Request, in payment.Input, paramErr error) {
	if paramErr != nil {
		s.writeError(w, r, paramErr)
		return
	}
	p, err := s.billing.PreviewPayment(r.Context(), principal(r.Context()), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// A preview is not recorded: nothing to act on.
	writeJSON(w, http.StatusOK, paymentJSON(auth.Principal{}, p))
}
