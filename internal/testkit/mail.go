package testkit

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
)

// Mail is one captured email as the standard library reads it.
type Mail struct {
	// Source is the sender SES was given (the outbox's, not the header's).
	Source      string
	From        *mail.Address
	To, ReplyTo []*mail.Address
	Subject     string
	// Text and HTML are the message's text/plain and text/html parts,
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

// ParseMail reads a raw message with net/mail and mime/multipart, failing
// t on anything a mail client could not read.
func ParseMail(t testing.TB, raw string) Mail {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("captured email does not parse: %v\n%s", err, raw)
	}
	p := Mail{Attachments: map[string][]byte{}}
	if p.From, err = mail.ParseAddress(msg.Header.Get("From")); err != nil {
		t.Fatalf("From %q: %v", msg.Header.Get("From"), err)
	}
	p.To, _ = msg.Header.AddressList("To")
	p.ReplyTo, _ = msg.Header.AddressList("Reply-To")
	if p.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	// leaf keeps one non-multipart part (or the whole message's body).
	leaf := func(ct, cte, file string, body []byte) {
		if strings.EqualFold(cte, "quoted-printable") {
			body, _ = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		}
		switch {
		case file != "":
			data, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(body), "\r\n", ""))
			if err != nil {
				t.Fatalf("attachment %s: %v", file, err)
			}
			p.Attachments[file] = data
		case strings.HasPrefix(ct, "text/plain"), ct == "":
			p.Text = strings.ReplaceAll(string(body), "\r\n", "\n")
		case strings.HasPrefix(ct, "text/html"):
			p.HTML = string(body)
		}
	}
	var walk func(contentType string, r io.Reader)
	walk = func(contentType string, r io.Reader) {
		media, params, err := mime.ParseMediaType(contentType)
		if err != nil {
			t.Fatalf("content type %q: %v", contentType, err)
		}
		mr := multipart.NewReader(r, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				t.Fatalf("%s part: %v", media, err)
			}
			ct := part.Header.Get("Content-Type")
			body, _ := io.ReadAll(part)
			if strings.HasPrefix(ct, "multipart/") {
				walk(ct, bytes.NewReader(body))
				continue
			}
			leaf(ct, part.Header.Get("Content-Transfer-Encoding"), part.FileName(), body)
		}
	}
	ct := msg.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "multipart/") {
		walk(ct, msg.Body)
	} else {
		body, _ := io.ReadAll(msg.Body)
		leaf(ct, msg.Header.Get("Content-Transfer-Encoding"), "", body)
	}
	return p
}
