package httpapi

import (
	"errors"
	"net/http"

	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/notify"
)

// sendPreviewBody is POST /v1/invoices/{id}/send-preview: a send's or a
// resend's body, and which of the two it previews.
type sendPreviewBody struct {
	Channels   []string   `json:"channels"`
	Email      *emailJSON `json:"email"`
	RotateLink bool       `json:"rotateLink"`
	Resend     bool       `json:"resend"`
}

type channelPreviewJSON struct {
	Channel   string       `json:"channel"`
	Recipient string       `json:"recipient,omitempty"`
	Error     *errorDetail `json:"error,omitempty"` // why this channel cannot be sent
}

type messagePreviewJSON struct {
	To      string `json:"to,omitempty"`
	ReplyTo string `json:"replyTo,omitempty"`
	Subject string `json:"subject,omitempty"`
	Text    string `json:"text"`
}

// sendPreviewResponse says what the send would do: each channel's
// recipient or problem, and the email and text as they would read (the
// pay link shown as a placeholder: previewing issues none).
type sendPreviewResponse struct {
	Number   string               `json:"number"`
	Numbered bool                 `json:"numbered"` // false: a draft, numbered on sending
	Channels []channelPreviewJSON `json:"channels"`
	Email    *messagePreviewJSON  `json:"email,omitempty"`
	SMS      *messagePreviewJSON  `json:"sms,omitempty"`
}

// payLinkPlaceholder stands where the pay link will be.
const payLinkPlaceholder = "[pay link]"

// sendPreview serves POST /v1/invoices/{id}/send-preview: what sending
// would do, changing nothing, so the coordinator sees the recipients and
// the message before sending.
func (s *server) sendPreview(w http.ResponseWriter, r *http.Request) {
	iid, err := invoiceID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b sendPreviewBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	req, err := sendRequest(b.Channels, b.Email, b.RotateLink)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	pv, err := s.sender.Preview(r.Context(), principal(r.Context()), iid, req, b.Resend)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	emailText, smsText, err := notify.Wording(pv.Org, pv.Invoice, req.Email.Body, payLinkPlaceholder)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := sendPreviewResponse{Number: pv.Invoice.Number, Numbered: pv.Numbered, Channels: []channelPreviewJSON{}}
	for _, c := range pv.Channels {
		cp := channelPreviewJSON{Channel: string(c.Channel), Recipient: c.Recipient}
		if c.Err != nil {
			cp.Error = detailOf(c.Err)
		}
		out.Channels = append(out.Channels, cp)
		switch c.Channel {
		case delivery.Email:
			out.Email = &messagePreviewJSON{To: c.Recipient, ReplyTo: pv.ReplyTo, Subject: pv.Subject, Text: emailText}
		case delivery.SMS:
			out.SMS = &messagePreviewJSON{To: c.Recipient, Text: smsText}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// detailOf is the code and message writeError would answer for err.
func detailOf(err error) *errorDetail {
	for _, f := range failures {
		if errors.Is(err, f.err) {
			msg := f.msg
			if msg == "" {
				msg = f.err.Error()
			}
			return &errorDetail{Code: f.code, Message: msg}
		}
	}
	return &errorDetail{Code: "unavailable", Message: "this channel cannot be used for this client"}
}
