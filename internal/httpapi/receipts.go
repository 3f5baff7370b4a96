package httpapi

import (
	"net/http"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/payment"
)

// receiptRoutes are the receipt-email routes, served with the other
// payment routes by both the invoicing and the payments functions.
func (s *server) receiptRoutes(v1 router) {
	v1.HandleFunc("POST /v1/payments/{id}/email-receipt", s.emailReceipt)
	v1.HandleFunc("GET /v1/payments/{id}/deliveries", s.receiptDeliveries)
}

type emailReceiptBody struct {
	To      string    `json:"to"`
	Message paragraph `json:"message"`
}

func paymentID(r *http.Request) (string, error) {
	pid := r.PathValue("id")
	if !id.Valid(id.Payment, pid) {
		return "", payment.ErrNotFound
	}
	return pid, nil
}

// emailReceipt serves POST /v1/payments/{id}/email-receipt {to?, message?}
// (the body may be left out): the receipt, PDF attached, is queued for the
// notifier to email, by default to the client's billing contact. 202 with
// the delivery; an identical request within half a minute answers the
// delivery the first made, and queues nothing.
func (s *server) emailReceipt(w http.ResponseWriter, r *http.Request) {
	pid, err := paymentID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b emailReceiptBody
	if r.ContentLength != 0 {
		if err := decode(r, &b); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	d, err := s.receipts.Email(r.Context(), principal(r.Context()), pid, billing.ReceiptEmail{To: b.To, Message: string(b.Message)})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, deliveryJSON(d))
}

// receiptDeliveries serves GET /v1/payments/{id}/deliveries: the
// payment's receipt emails and where each is, newest first.
func (s *server) receiptDeliveries(w http.ResponseWriter, r *http.Request) {
	pid, err := paymentID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeDeliveries(s, w, r, pid, s.receipts.Deliveries, deliveryJSON)
}

// recordedResponse is a payment just recorded, with its receipt email
// when the request asked for one.
type recordedResponse struct {
	paymentResponse
	ReceiptDelivery *deliveryResponse `json:"receiptDelivery,omitempty"`
}

func receiptDeliveryJSON(d *delivery.Delivery) *deliveryResponse {
	if d == nil {
		return nil
	}
	out := deliveryJSON(d)
	return &out
}
