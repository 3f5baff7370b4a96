package testkit

import (
	"net/mail"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/email"
)

// Mail is one captured email as email.Read reads it (the reader the local
// outbox page shows mail through: net/mail and mime/multipart underneath).
type Mail struct {
	// Source is the sender SES was given (the outbox's, not the header's).
	Source      string
	From        *mail.Address
	To, ReplyTo []*mail.Address
	Subject     string
	// Text and HTML are the message's text/plain and text/html bodies,
	// decoded; Text has "\n" line ends.
	Text, HTML string
	// Attachments maps each attachment's file name to its bytes.
	Attachments map[string][]byte
}

// MailsTo is each email in the outbox whose To header names addr (any
// case), oldest first, parsed; an email that does not parse fails t.
func (o Outbox) MailsTo(t testing.TB, addr string) []Mail {
	t.Helper()
	var out []Mail
	for _, m := range o.SES.RawMessage {
		p := ParseMail(t, m.RawData)
		p.Source = m.Source
		for _, a := range p.To {
			if strings.EqualFold(a.Address, addr) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// ParseMail reads a raw message, failing t on one a mail client could not
// read or that names no sender.
func ParseMail(t testing.TB, raw string) Mail {
	t.Helper()
	m, err := email.Read([]byte(raw))
	if err != nil {
		t.Fatalf("captured email does not parse: %v\n%s", err, raw)
	}
	if m.From.Address == "" {
		t.Fatalf("captured email has no From address:\n%s", raw)
	}
	p := Mail{From: &m.From, Subject: m.Subject, Text: m.Text, HTML: m.HTML, Attachments: map[string][]byte{}}
	for i := range m.To {
		p.To = append(p.To, &m.To[i])
	}
	for i := range m.ReplyTo {
		p.ReplyTo = append(p.ReplyTo, &m.ReplyTo[i])
	}
	for _, a := range m.Attachments {
		p.Attachments[a.Name] = a.Data
	}
	return p
}
