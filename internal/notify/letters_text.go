package notify

import (
	"context"
	"strings"

	"github.com/a-h/templ"
)

// The HTML part is letters.templ; after editing it, regenerate
// letters_templ.go (make test fails while it is stale) with
//
//go:generate go tool templ generate -f letters.templ

// The plain-text part of every email letter, written in Go: text needs no
// escaping, and text/template's execution would link reflection into the
// functions (BENCHMARKS.md, start-up). The three letters share
// textLetter: the message's paragraphs, the facts in an aligned column,
// the letter's own lines, then which file is attached and who sent it.

// textLetter builds a letter's text part.
type textLetter struct{ b strings.Builder }

// message writes the paragraphs, each followed by a blank line.
func (t *textLetter) message(paragraphs []string) *textLetter {
	for _, p := range paragraphs {
		t.b.WriteString(p + "\n\n")
	}
	return t
}

// fact writes "Label:" padded to a column of 13 and the value; an empty
// label continues the fact above.
func (t *textLetter) fact(label, value string) *textLetter {
	if label != "" {
		label += ":"
	}
	t.b.WriteString(label + strings.Repeat(" ", max(1, 13-len(label))) + value + "\n")
	return t
}

// line writes s and a line break.
func (t *textLetter) line(s string) *textLetter {
	t.b.WriteString(s + "\n")
	return t
}

// end writes which file is attached and the org's name, and returns the text.
func (t *textLetter) end(document, fileName, orgName string) string {
	t.b.WriteString("\nThe " + document + " is attached as " + fileName + ".\n\n" + orgName + "\n")
	return t.b.String()
}

func invoiceText(l letter) string {
	t := new(textLetter).message(l.Message).fact("Invoice", l.Number).fact("Client", l.ClientName)
	if l.Paid {
		t.fact("Status", "Paid in full – thank you").line("").line("View online:")
	} else {
		t.fact("Amount due", l.Amount).fact("Due date", l.DueDate).line("").line("View and pay online:")
	}
	return t.line(l.PayLink).end("invoice", l.FileName, l.OrgName)
}

func receiptText(l receiptLetter) string {
	t := new(textLetter).message(l.Message).fact("Receipt", l.Number).fact("Client", l.ClientName).
		fact("Received", l.Amount+" on "+l.Date).fact("Method", l.Method)
	for _, a := range l.Applied {
		t.fact("", a)
	}
	return t.end("receipt", l.FileName, l.OrgName)
}

func statementText(l statementLetter) string {
	t := new(textLetter).message(l.Message).fact("Statement", l.Period).fact("Client", l.ClientName).
		fact("Balance", l.Balance+" as at "+l.AsAt)
	if l.Owing {
		t.line("").line("What is open now (payments since " + l.AsAt + " taken off), and paying it all online:").line(l.PayLink)
	}
	return t.end("statement", l.FileName, l.OrgName)
}

// renderHTML renders a letter's HTML part.
func renderHTML(c templ.Component) (string, error) {
	var b strings.Builder
	if err := c.Render(context.Background(), &b); err != nil {
		return "", err
	}
	return b.String(), nil
}
