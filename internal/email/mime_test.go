package email_test

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/carebill/carebill/internal/email"
)

func sample() email.Message {
	pdf := bytes.Repeat([]byte("%PDF-1.7 binary \x00\xff\x10 "), 200)
	return email.Message{
		From:        mail.Address{Name: "Zoë's Care, Pty Ltd", Address: "invoices@carebill.example"},
		To:          []mail.Address{{Address: "client@example.com"}},
		ReplyTo:     []mail.Address{{Address: "office@zoe.example"}},
		Subject:     "Invoice INV-00001 from Zoë's Care – thank you",
		Text:        "Hello,\n\nA line that is long enough to need a soft line break in quoted-printable, with = signs and ünïcode, " + strings.Repeat("x", 100) + "\n",
		HTML:        `<p>Hello &amp; <a href="https://pay.example/pay/x">pay</a></p>`,
		Attachments: []email.Attachment{{Name: "INV-00001.pdf", ContentType: "application/pdf", Data: pdf}},
		Date:        time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC),
	}
}

// TestMIMEParsesBack writes a message and reads it with the standard
// library alone: headers, the alternative text and HTML, the attachment.
func TestMIMEParsesBack(t *testing.T) {
	t.Parallel()
	want := sample()
	raw, err := want.MIME()
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 || strings.ContainsRune(line, '\n') {
			t.Fatalf("line %d is not a valid RFC 5322 line: %q", i, line)
		}
		for _, r := range line {
			if r > 126 {
				t.Fatalf("line %d is not 7-bit: %q", i, line)
			}
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	if err != nil || *from != want.From {
		t.Errorf("From %q → %v %v", msg.Header.Get("From"), from, err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != want.Subject {
		t.Errorf("Subject %q → %q %v", msg.Header.Get("Subject"), subject, err)
	}
	if rt := msg.Header.Get("Reply-To"); rt != "<office@zoe.example>" {
		t.Errorf("Reply-To %q", rt)
	}
	if d, err := msg.Header.Date(); err != nil || !d.Equal(want.Date) {
		t.Errorf("Date %v %v", d, err)
	}
	media, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || media != "multipart/mixed" {
		t.Fatalf("Content-Type %q", msg.Header.Get("Content-Type"))
	}
	mixed := multipart.NewReader(msg.Body, params["boundary"])
	alt, err := mixed.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	media, params, _ = mime.ParseMediaType(alt.Header.Get("Content-Type"))
	if media != "multipart/alternative" {
		t.Fatalf("first part is %s", media)
	}
	ar := multipart.NewReader(alt, params["boundary"])
	var bodies []string
	for {
		p, err := ar.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		bodies = append(bodies, p.Header.Get("Content-Type")+"|"+strings.ReplaceAll(string(b), "\r\n", "\n"))
	}
	if diff := cmp.Diff([]string{"text/plain; charset=utf-8|" + want.Text, "text/html; charset=utf-8|" + want.HTML}, bodies); diff != "" {
		t.Errorf("alternative bodies (-want +got):\n%s", diff)
	}
	att, err := mixed.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if att.FileName() != "INV-00001.pdf" || att.Header.Get("Content-Transfer-Encoding") != "base64" {
		t.Errorf("attachment header %v", att.Header)
	}
	// email.Read, which the outbox uses, reads the same message back whole.
	got, err := email.Read(raw)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Read (-want +got):\n%s", diff)
	}
}

func TestMIMERefusesHeaderInjection(t *testing.T) {
	t.Parallel()
	for name, edit := range map[string]func(*email.Message){
		"subject line break":  func(m *email.Message) { m.Subject = "Hi\r\nBcc: victim@example.com" },
		"from name break":     func(m *email.Message) { m.From.Name = "Care\nBcc: x@example.com" },
		"attachment quote":    func(m *email.Message) { m.Attachments[0].Name = `a".pdf` },
		"attachment path":     func(m *email.Message) { m.Attachments[0].Name = "../a.pdf" },
		"attachment nameless": func(m *email.Message) { m.Attachments[0].Name = "" },
		"no recipient":        func(m *email.Message) { m.To = nil },
	} {
		m := sample()
		edit(&m)
		if raw, err := m.MIME(); err == nil {
			t.Errorf("%s: wrote %q", name, raw[:200])
		}
	}
}
