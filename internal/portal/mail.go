package portal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"time"

	"github.com/carebill/carebill/internal/email"
	"github.com/carebill/carebill/internal/org"
)

// EmailSender sends one email (internal/email's SES sender).
type EmailSender interface {
	Send(ctx context.Context, m email.Message) (string, error)
}

// SignInMailer writes and sends the sign-in email; it is the
// clientauth.Mailer of the portal.
type SignInMailer struct {
	send EmailSender
	from string
}

// NewSignInMailer sends from the address from (a verified SES identity),
// under the org's name.
func NewSignInMailer(send EmailSender, from string) (*SignInMailer, error) {
	if send == nil || from == "" {
		return nil, errors.New("portal: an email sender and a From address are required")
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("portal: sender %q: %w", from, err)
	}
	return &SignInMailer{send: send, from: from}, nil
}

// signInEmailData is what the sign-in email shows.
type signInEmailData struct {
	Org     string
	URL     string
	Minutes int
	Brand   brand
}

// SendSignInLink emails url to the client, from the org by name and with
// replies going to the org's own address when it has one.
func (m *SignInMailer) SendSignInLink(ctx context.Context, to string, o *org.Org, url string, valid time.Duration) error {
	st := o.Settings
	minutes := int(valid.Minutes())
	data := signInEmailData{Org: st.LegalName, URL: url, Minutes: minutes, Brand: brandOf(o)}
	var html bytes.Buffer
	if err := signInEmail(data).Render(ctx, &html); err != nil {
		return fmt.Errorf("sign-in email: %w", err)
	}
	msg := email.Message{
		From:    mail.Address{Name: st.Name, Address: m.from},
		To:      []mail.Address{{Address: to}},
		Subject: "Your sign-in link for " + st.Name,
		Text: fmt.Sprintf("Hello,\n\nUse this link to see your invoices from %s. It works once, for %d minutes:\n\n%s\n\n"+
			"If you did not ask to sign in, you can ignore this email; nobody can sign in without the link.\n", st.LegalName, minutes, url),
		HTML: html.String(),
		Date: time.Now(),
	}
	if st.Email != "" {
		msg.ReplyTo = []mail.Address{{Name: st.Name, Address: st.Email}}
	}
	if _, err := m.send.Send(ctx, msg); err != nil {
		return err
	}
	return nil
}
