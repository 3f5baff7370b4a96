package httpapi

import (
	"net/http"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/statement"
	"github.com/carebill/carebill/internal/validation"
)

// statementSendBody is POST /v1/statements/{id}/send: channels "email"
// and/or "sms"; to, subject and message (plain text) apply to email only.
type statementSendBody struct {
	Channels []string  `json:"channels"`
	To       string    `json:"to"`
	Subject  string    `json:"subject"`
	Message  paragraph `json:"message"`
}

// statementSentResponse is the statement after a send, with the
// deliveries it made (none when the same send is already under way).
type statementSentResponse struct {
	Statement  statementResponse           `json:"statement"`
	Deliveries []statementDeliveryResponse `json:"deliveries"`
}

// statementDeliveryResponse is one delivery of a statement; like an
// invoice's, it leaves out the pay link (it holds the link's secret).
type statementDeliveryResponse struct {
	ID          string `json:"id"`
	StatementID string `json:"statementId"`
	deliveryState
}

func statementDeliveryJSON(d *delivery.Delivery) statementDeliveryResponse {
	return statementDeliveryResponse{ID: d.ID, StatementID: d.StatementID, deliveryState: deliveryStateOf(d)}
}

// sendStatement serves POST /v1/statements/{id}/send: each channel gets a
// delivery the notifier sends, the email with the statement's PDF and one
// pay-all link for everything the client has open.
func (s *server) sendStatement(w http.ResponseWriter, r *http.Request) {
	sid := r.PathValue("id")
	if !id.Valid(id.Statement, sid) {
		s.writeError(w, r, statement.ErrNotFound)
		return
	}
	var b statementSendBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	chs, err := delivery.ParseChannels(b.Channels)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	req := billing.SendRequest{Channels: chs, Email: delivery.EmailOptions{To: b.To, Subject: b.Subject, Body: string(b.Message)}}
	out, err := s.statementSender.Send(r.Context(), principal(r.Context()), sid, s.publicBase(r), req)
	if err != nil {
		s.writeError(w, r, bodyField(err))
		return
	}
	writeJSON(w, http.StatusOK, statementSentResponse{Statement: statementJSON(out.Statement), Deliveries: showDeliveries(out.Deliveries, statementDeliveryJSON)})
}

// statementDeliveries serves GET /v1/statements/{id}/deliveries, newest
// first: each send's status per channel.
func (s *server) statementDeliveries(w http.ResponseWriter, r *http.Request) {
	sid := r.PathValue("id")
	if !id.Valid(id.Statement, sid) {
		s.writeError(w, r, statement.ErrNotFound)
		return
	}
	writeDeliveries(s, w, r, sid, s.statementSender.Deliveries, statementDeliveryJSON)
}

// bodyField names an email option's error by its field in this body: the
// use case checks email.to, email.subject and email.body, which this body
// calls to, subject and message.
func bodyField(err error) error {
	v, ok := validation.As(err)
	if !ok {
		return err
	}
	switch v.Field {
	case "email.to":
		return &validation.Error{Field: "to", Message: v.Message}
	case "email.subject":
		return &validation.Error{Field: "subject", Message: v.Message}
	case "email.body":
		return &validation.Error{Field: "message", Message: v.Message}
	case "email":
		return &validation.Error{Field: "to", Message: "to, subject and message apply only when sending by email"}
	}
	return err
}
