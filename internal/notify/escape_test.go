package notify

import (
	"html"
	"strings"
	"testing"
)

// hostile is a name a coordinator or client could type: markup, quotes
// that would end an attribute, and text in several scripts.
const hostile = `Zoë "陈小明" <script>alert('محمد')</script> & <img src=x onerror=alert(1)>`

// TestLettersEscapeHostileNames renders each letter's HTML with hostile
// text in every field that comes from a person (org, client, message,
// numbers, amounts' labels) and a javascript: pay link: the text appears
// escaped, never as markup, and the link is neutralised. The text part
// carries the text as typed.
func TestLettersEscapeHostileNames(t *testing.T) {
	t.Parallel()
	const link = "javascript:alert(1)"
	msg := []string{hostile, hostile + "\n" + hostile}
	inv := letter{OrgName: hostile, Colour: defaultColour, Number: hostile, ClientName: hostile, Message: msg, Amount: hostile, DueDate: hostile, PayLink: link, FileName: hostile}
	st := statementLetter{OrgName: hostile, Colour: defaultColour, ClientName: hostile, Period: hostile, AsAt: hostile, Balance: hostile, Owing: true, Message: msg, PayLink: link, FileName: hostile}
	rc := receiptLetter{OrgName: hostile, Colour: defaultColour, Number: hostile, ClientName: hostile, Message: msg, Amount: hostile, Date: hostile, Method: hostile, Applied: []string{hostile}, FileName: hostile}
	for _, l := range []struct {
		name       string
		html, text func() (string, error)
	}{
		{"invoice", func() (string, error) { return renderHTML(invoiceHTML(inv)) }, func() (string, error) { return invoiceText(inv), nil }},
		{"statement", func() (string, error) { return renderHTML(statementHTML(st)) }, func() (string, error) { return statementText(st), nil }},
		{"receipt", func() (string, error) { return renderHTML(receiptHTML(rc)) }, func() (string, error) { return receiptText(rc), nil }},
	} {
		out, err := l.html()
		if err != nil {
			t.Fatalf("%s: %v", l.name, err)
		}
		if !strings.Contains(out, html.EscapeString(hostile)) {
			t.Errorf("%s: the name is not shown escaped:\n%s", l.name, out)
		}
		for _, bad := range []string{"<script", "<img src=x", `"陈小明"`, `href="javascript:`} {
			if strings.Contains(out, bad) {
				t.Errorf("%s: %q reached the HTML unescaped:\n%s", l.name, bad, out)
			}
		}
		if text, _ := l.text(); !strings.Contains(text, hostile) {
			t.Errorf("%s: the text part does not carry the name as typed:\n%s", l.name, text)
		}
	}
}
