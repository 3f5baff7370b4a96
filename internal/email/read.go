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
	"strings"
)

// maxParts bounds how many MIME parts Read walks, so a hostile message
// cannot make it loop for long.
const maxParts = 100

// Read parses a MIME message, as MIME writes it or as mail clients send
// it: headers (RFC 2047 words decoded), the first text/plain and text/html
// bodies, and every other part as an attachment. Text is assumed UTF-8.
// The local outbox page shows captured email through it.
func Read(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, fmt.Errorf("read email: %w", err)
	}
	h := msg.Header
	var m Message
	dec := new(mime.WordDecoder)
	if m.Subject, err = dec.DecodeHeader(h.Get("Subject")); err != nil {
		m.Subject = h.Get("Subject")
	}
	if from, err := mail.ParseAddress(h.Get("From")); err == nil {
		m.From = *from
	}
	for _, f := range []struct {
		name string
		dst  *[]mail.Address
	}{{"To", &m.To}, {"Reply-To", &m.ReplyTo}} {
		list, err := h.AddressList(f.name)
		if err != nil && !errors.Is(err, mail.ErrHeaderNotPresent) {
			return Message{}, fmt.Errorf("read email: %s: %w", f.name, err)
		}
		for _, a := range list {
			*f.dst = append(*f.dst, *a)
		}
	}
	if d, err := h.Date(); err == nil {
		m.Date = d
	}
	parts := 0
	err = m.walk(h.Get("Content-Type"), h.Get("Content-Transfer-Encoding"), h.Get("Content-Disposition"), msg.Body, &parts)
	return m, err
}

func (m *Message) walk(contentType, encoding, disposition string, body io.Reader, parts *int) error {
	if *parts++; *parts > maxParts {
		return errors.New("read email: too many parts")
	}
	if contentType == "" {
		contentType = "text/plain; charset=utf-8"
	}
	media, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("read email: content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(media, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextPart() // decodes quoted-printable parts itself
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read email: %w", err)
			}
			if err := m.walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p, parts); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("read email: %w", err)
	}
	disp, dparams, _ := mime.ParseMediaType(disposition)
	switch {
	case disp != "attachment" && media == "text/plain" && m.Text == "":
		m.Text = strings.ReplaceAll(string(data), "\r\n", "\n")
	case disp != "attachment" && media == "text/html" && m.HTML == "":
		m.HTML = string(data)
	default:
		name := dparams["filename"]
		if name == "" {
			name = params["name"]
		}
		m.Attachments = append(m.Attachments, Attachment{Name: name, ContentType: media, Data: data})
	}
	return nil
}
