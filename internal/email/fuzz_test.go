package email

import (
	"net/mail"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzRead: Read parses whatever a mailbox holds (the local outbox shows
// moto's captures through it), so it must never panic on any bytes; and
// any subject and body the notifier could write come back from Read
// exactly as written.
func FuzzRead(f *testing.F) {
	seed, _ := Message{From: mail.Address{Name: "Alpha Care", Address: "billing@example.com"}, To: []mail.Address{{Address: "zoe@example.com"}},
		Subject: "Invoice INV-00001 from Zoë's", Text: "Hi,\nyour invoice.", HTML: "<p>Hi</p>",
		Attachments: []Attachment{{Name: "INV-00001.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7")}}}.MIME()
	f.Add(seed, "Invoice INV-00001", "Body\nline two")
	f.Add([]byte("Subject: =?utf-8?b?////?=\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"), "=?utf-8?q?x?=", "")
	f.Add([]byte("Content-Type: multipart/mixed\r\n\r\n"), "日本語の件名", "Ünïcödé\r\n.")
	f.Fuzz(func(t *testing.T, raw []byte, subject, text string) {
		_, _ = Read(raw) // any bytes: an error or a message, never a panic

		if !utf8.ValidString(subject) || !utf8.ValidString(text) || strings.ContainsFunc(subject, unicode.IsControl) ||
			strings.TrimSpace(subject) != subject || strings.Contains(subject, "  ") || strings.Contains(text, "\r") ||
			strings.Contains(subject, "=?") {
			return // what MIME refuses, folds as RFC 5322 allows, or a subject already written as encoded words (sent as such)
		}
		out, err := Message{From: mail.Address{Address: "billing@example.com"}, To: []mail.Address{{Address: "zoe@example.com"}}, Subject: subject, Text: text}.MIME()
		if err != nil {
			t.Fatalf("MIME of subject %q: %v", subject, err)
		}
		m, err := Read(out)
		if err != nil {
			t.Fatalf("Read of our own message: %v\n%s", err, out)
		}
		if m.Subject != subject || strings.TrimRight(m.Text, "\r\n") != strings.TrimRight(text, "\r\n") {
			t.Fatalf("subject %q, text %q read back as %q, %q", subject, text, m.Subject, m.Text)
		}
	})
}
