// Package email writes MIME messages and sends them through Amazon SES v2
// as raw content, which is how an email carries both a plain-text and an
// HTML body and a PDF attachment.
package email

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode"
)

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string // the file name the recipient sees, such as "INV-00042.pdf"
	ContentType string // such as "application/pdf"
	Data        []byte
}

// Message is one email.
type Message struct {
	From        mail.Address
	To          []mail.Address
	ReplyTo     []mail.Address
	Subject     string
	Text        string // the plain-text body
	HTML        string // the HTML body; "" sends text only
	Attachments []Attachment
	Date        time.Time
}

// ErrHeader is returned for a message whose headers would not be safe to
// write, such as a subject with a line break.
var ErrHeader = errors.New("email: unsafe header value")

// MIME writes the message as RFC 5322 text: multipart/mixed holding a
// multipart/alternative (text, then HTML: clients show the last they can)
// and the attachments, base64-encoded. Bodies are UTF-8 in
// quoted-printable; headers with other than ASCII are RFC 2047-encoded, so
// the whole message is 7-bit ASCII with CRLF line ends.
func (m Message) MIME() ([]byte, error) {
	if len(m.To) == 0 {
		return nil, errors.New("email: a message needs a recipient")
	}
	for _, s := range []string{m.Subject, m.From.Name, m.From.Address} {
		if strings.ContainsFunc(s, unicode.IsControl) {
			return nil, fmt.Errorf("%w: %q", ErrHeader, s)
		}
	}
	var buf bytes.Buffer
	mixed := multipart.NewWriter(&buf)
	header := []struct{ k, v string }{
		{"From", m.From.String()},
		{"To", addressList(m.To)},
		{"Reply-To", addressList(m.ReplyTo)},
		{"Subject", mime.QEncoding.Encode("utf-8", m.Subject)},
		{"Date", date(m.Date)},
		{"MIME-Version", "1.0"},
		{"Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": mixed.Boundary()})},
	}
	var head bytes.Buffer
	for _, h := range header {
		if h.v == "" {
			continue
		}
		if strings.ContainsAny(h.v, "\r\n") {
			return nil, fmt.Errorf("%w in %s", ErrHeader, h.k)
		}
		fmt.Fprintf(&head, "%s: %s\r\n", h.k, h.v)
	}
	head.WriteString("\r\n")

	boundary := multipart.NewWriter(io.Discard).Boundary() // a fresh random one
	w, err := mixed.CreatePart(textproto.MIMEHeader{
		"Content-Type": {mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": boundary})},
	})
	if err != nil {
		return nil, err
	}
	alt := multipart.NewWriter(w)
	if err := alt.SetBoundary(boundary); err != nil {
		return nil, err
	}
	if err := writeText(alt, "text/plain; charset=utf-8", m.Text); err != nil {
		return nil, err
	}
	if m.HTML != "" {
		if err := writeText(alt, "text/html; charset=utf-8", m.HTML); err != nil {
			return nil, err
		}
	}
	if err := alt.Close(); err != nil {
		return nil, err
	}
	for _, a := range m.Attachments {
		if err := writeAttachment(mixed, a); err != nil {
			return nil, err
		}
	}
	if err := mixed.Close(); err != nil {
		return nil, err
	}
	return append(head.Bytes(), buf.Bytes()...), nil
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC1123Z)
}

func addressList(as []mail.Address) string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return strings.Join(out, ", ")
}

func writeText(w *multipart.Writer, contentType, body string) error {
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", contentType)
	h.Set("Content-Transfer-Encoding", "quoted-printable")
	p, err := w.CreatePart(h)
	if err != nil {
		return err
	}
	qp := quotedprintable.NewWriter(p)
	if _, err := qp.Write([]byte(strings.ReplaceAll(body, "\r\n", "\n"))); err != nil {
		return err
	}
	return qp.Close()
}

func writeAttachment(w *multipart.Writer, a Attachment) error {
	if a.Name == "" || strings.ContainsFunc(a.Name, unicode.IsControl) || strings.ContainsAny(a.Name, `"/\`) {
		return fmt.Errorf("%w: attachment name %q", ErrHeader, a.Name)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", mime.FormatMediaType(a.ContentType, map[string]string{"name": a.Name}))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	h.Set("Content-Transfer-Encoding", "base64")
	p, err := w.CreatePart(h)
	if err != nil {
		return err
	}
	enc := base64.StdEncoding.EncodeToString(a.Data)
	for len(enc) > 76 {
		if _, err := p.Write([]byte(enc[:76] + "\r\n")); err != nil {
			return err
		}
		enc = enc[76:]
	}
	_, err = p.Write([]byte(enc + "\r\n"))
	return err
}
