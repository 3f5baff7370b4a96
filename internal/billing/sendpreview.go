package billing

import (
	"context"
	"fmt"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/usecase"
)

// SendPreview is what a send would do, worked out without doing it: the
// recipient of each channel (or why there is none), the email's subject
// and reply-to, and the invoice as the message would describe it.
type SendPreview struct {
	Org      *org.Org
	Client   *client.Client
	Invoice  *invoice.Invoice // a draft comes finalized, numbered with Numbered false
	Numbered bool             // false: the number shown is a placeholder, given on sending
	Channels []ChannelPreview
	Subject  string // email only
	ReplyTo  string // email only; "" when there is none
}

// ChannelPreview is one channel's recipient, or the reason it has none
// (delivery.ErrNoEmail, ErrNoPhone, ErrNDIAManaged).
type ChannelPreview struct {
	Channel   delivery.Channel
	Recipient string
	Err       error
}

// previewNumber stands in for a draft's number until sending gives it one.
const previewNumber = "(number given on sending)"

// Preview answers what Send (or Resend) would do with req, changing
// nothing: the same recipient rules, subject and reply-to. A draft is
// shown as it would be finalized today (dates filled in, a placeholder
// number); credit that finalizing would apply is not shown.
func (s *Sender) Preview(ctx context.Context, p auth.Principal, invoiceID string, req SendRequest, resend bool) (_ SendPreview, err error) {
	defer usecase.Name(&err, "preview invoice send %s", invoiceID)
	if err := allow(p, auth.Bill); err != nil {
		return SendPreview{}, err
	}
	if err := req.validate(resend); err != nil {
		return SendPreview{}, err
	}
	inv, err := s.store.GetInvoice(ctx, p.OrgID, invoiceID)
	if err != nil {
		return SendPreview{}, err
	}
	switch {
	case inv.Status() == invoice.Void:
		return SendPreview{}, invoice.ErrVoidNotSent
	case inv.Status() == invoice.Draft && resend:
		return SendPreview{}, invoice.ErrNotFinalized
	}
	c, err := s.store.GetClient(ctx, p.OrgID, inv.Spec.ClientID)
	if err != nil {
		return SendPreview{}, err
	}
	o, err := s.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return SendPreview{}, err
	}
	out := SendPreview{Org: o, Client: c, Invoice: inv, Numbered: inv.Status() != invoice.Draft}
	if !out.Numbered {
		draft := *inv
		if err := draft.Finalize(o.Settings.NumberPrefix, 1, calendar.Today(s.svc.now(), o.Location()), s.svc.now()); err != nil {
			return SendPreview{}, fmt.Errorf("preview send of %s: %w", invoiceID, err)
		}
		draft.Number = previewNumber
		out.Invoice = &draft
	}
	for _, ch := range req.Channels {
		to, err := delivery.Recipient(c, ch, req.Email.To)
		out.Channels = append(out.Channels, ChannelPreview{Channel: ch, Recipient: to, Err: err})
		if ch == delivery.Email {
			out.Subject, out.ReplyTo = subject(o, out.Invoice, req.Email), replyTo(o, req.Email)
		}
	}
	return out, nil
}
