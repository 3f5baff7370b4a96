package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/delivery"
)

type emailJSON struct {
	To      string    `json:"to"`
	ReplyTo string    `json:"replyTo"`
	Subject string    `json:"subject"`
	Body    paragraph `json:"body"`
}

// sendBody is POST /v1/invoices/{id}/send.
type sendBody struct {
	Channels []string   `json:"channels"`
	Email    *emailJSON `json:"email"`
}

// resendBody is POST /v1/invoices/{id}/resend.
type resendBody struct {
	Channels   []string   `json:"channels"`
	Email      *emailJSON `json:"email"`
	RotateLink bool       `json:"rotateLink"`
}

func sendRequest(channels []string, e *emailJSON, rotate bool) (billing.SendRequest, error) {
	chs, err := delivery.ParseChannels(channels)
	if err != nil {
		return billing.SendRequest{}, err
	}
	req := billing.SendRequest{Channels: chs, RotateLink: rotate}
	if e != nil {
		req.Email = delivery.EmailOptions{To: e.To, ReplyTo: e.ReplyTo, Subject: e.Subject, Body: string(e.Body)}
	}
	return req, nil
}

// deliveryResponse is one delivery. The pay link it carries is left out:
// it holds the link's secret, and send responses are kept for
// Idempotency-Key replays (GET /v1/invoices/{id}/pay-link issues links).
type deliveryResponse struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"` // invoice or receipt
	InvoiceID string `json:"invoiceId,omitempty"`
	PaymentID string `json:"paymentId,omitempty"`
	Number    string `json:"number,omitempty"` // the invoice's or receipt's number
	deliveryState
}

// deliveryState is where a delivery is, whatever document it carries (an
// invoice, a receipt, a statement).
type deliveryState struct {
	Channel   string     `json:"channel"`
	Recipient string     `json:"recipient"`
	ReplyTo   string     `json:"replyTo,omitempty"`
	Subject   string     `json:"subject,omitempty"`
	Body      string     `json:"body,omitempty"`
	Status    string     `json:"status"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"lastError,omitempty"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
	SentAt    *time.Time `json:"sentAt,omitempty"`
}

func deliveryStateOf(d *delivery.Delivery) deliveryState {
	return deliveryState{
		Channel: string(d.Channel), Recipient: d.Recipient, ReplyTo: d.ReplyTo, Subject: d.Subject, Body: d.Body,
		Status: string(d.Status), Attempts: d.Attempts, LastError: d.LastError,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, SentAt: timePtr(d.SentAt),
	}
}

func deliveryJSON(d *delivery.Delivery) deliveryResponse {
	kind := "invoice"
	if d.Kind == delivery.ReceiptKind {
		kind = "receipt"
	}
	return deliveryResponse{ID: d.ID, Kind: kind, InvoiceID: d.InvoiceID, PaymentID: d.PaymentID, Number: d.Number, deliveryState: deliveryStateOf(d)}
}

// sentResponse is the invoice after a send, with the deliveries it made.
type sentResponse struct {
	invoiceResponse
	Deliveries []deliveryResponse `json:"deliveries"`
}

// sendInvoice serves POST /v1/invoices/{id}/send: a draft is finalized
// first; each channel gets a delivery that the notifier sends.
func (s *server) sendInvoice(w http.ResponseWriter, r *http.Request) {
	var b sendBody
	s.send(w, r, &b, func() (billing.SendRequest, error) { return sendRequest(b.Channels, b.Email, false) }, s.sender.Send)
}

// resendInvoice serves POST /v1/invoices/{id}/resend {…, rotateLink?}.
func (s *server) resendInvoice(w http.ResponseWriter, r *http.Request) {
	var b resendBody
	s.send(w, r, &b, func() (billing.SendRequest, error) { return sendRequest(b.Channels, b.Email, b.RotateLink) }, s.sender.Resend)
}

func (s *server) send(w http.ResponseWriter, r *http.Request, body any, request func() (billing.SendRequest, error),
	send func(context.Context, auth.Principal, string, string, billing.SendRequest) (billing.Sent, error)) {
	iid, err := invoiceID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := decode(r, body); err != nil {
		s.writeError(w, r, err)
		return
	}
	req, err := request()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := send(r.Context(), principal(r.Context()), iid, s.publicBase(r), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sentResponse{invoiceResponse: invoiceJSON(principal(r.Context()), out.Invoice), Deliveries: showDeliveries(out.Deliveries, deliveryJSON)})
}

// deliveries serves GET /v1/invoices/{id}/deliveries, newest first.
func (s *server) deliveries(w http.ResponseWriter, r *http.Request) {
	iid, err := invoiceID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeDeliveries(s, w, r, iid, s.sender.Deliveries, deliveryJSON)
}
