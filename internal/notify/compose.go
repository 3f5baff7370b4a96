package notify

import (
	"bytes"
	"embed"
	htmltemplate "html/template"
	"net/mail"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/email"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
)

//go:embed templates
var templateFS embed.FS

// letterTemplates are one email's HTML and text templates, parsed on
// first use rather than at cold start: the payments and invoicing
// functions link this package for Wording and receipts but most of their
// instances never write a letter (BENCHMARKS.md, start-up). A function
// over a sync.Once, not a package-level sync.OnceValue, so that a binary
// that never writes a letter does not link the parsing either.
type letterTemplates struct {
	once sync.Once
	name string // templates/<name>.html and .txt
	html *htmltemplate.Template
	text *texttemplate.Template
}

// get parses the templates the first time; they are embedded, so an
// error is a bug the package's tests catch, and panics as Must would.
func (l *letterTemplates) get() (*htmltemplate.Template, *texttemplate.Template) {
	l.once.Do(func() {
		l.html = htmltemplate.Must(htmltemplate.New(l.name+".html").
			Funcs(htmltemplate.FuncMap{"lines": lines}).ParseFS(templateFS, "templates/"+l.name+".html"))
		l.text = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/"+l.name+".txt"))
	})
	return l.html, l.text
}

var invoiceTemplates = &letterTemplates{name: "invoice"}

// dateLayout is how dates read in emails and texts, as on the PDF.
const dateLayout = "2 Jan 2006"

// defaultColour is the accent when an org has chosen none.
const defaultColour = "#1F6FEB"

// letter is what the email templates show.
type letter struct {
	OrgName    string
	Colour     string
	Number     string
	ClientName string
	Message    []string // paragraphs: the coordinator's message or the default
	Paid       bool
	Amount     string // the balance due
	DueDate    string
	PayLink    string
	FileName   string
}

func letterFor(o *org.Org, inv *invoice.Invoice, d *delivery.Delivery) letter {
	cur := inv.Spec.Currency
	l := letter{
		OrgName: orgName(o), Colour: o.Settings.Colour, Number: inv.Number, ClientName: inv.ClientName,
		Paid: inv.Status() == invoice.Paid || !inv.Balance().IsPositive(), Amount: cur.Display(inv.Balance()),
		DueDate: inv.Spec.DueDate.Format(dateLayout), PayLink: d.PayLinkURL, FileName: attachmentName(inv),
	}
	if l.Colour == "" {
		l.Colour = defaultColour
	}
	if d.Body != "" {
		l.Message = paragraphs(d.Body)
	} else if l.Paid {
		l.Message = []string{"Hello,", "Please find attached invoice " + inv.Number + " from " + l.OrgName + ". It is paid in full – thank you."}
	} else {
		l.Message = []string{"Hello,", "Please find attached invoice " + inv.Number + " from " + l.OrgName +
			" for " + l.Amount + ", due on " + l.DueDate + ". You can view and pay it online with the link below."}
	}
	return l
}

// composeEmail is the invoice email: the letter as text and HTML, the PDF
// attached, from the org's name at the sender address.
func composeEmail(o *org.Org, inv *invoice.Invoice, d *delivery.Delivery, pdf []byte, sender string, now time.Time) (email.Message, error) {
	l := letterFor(o, inv, d)
	htmlTemplate, textTemplate := invoiceTemplates.get()
	var text, html bytes.Buffer
	if err := textTemplate.Execute(&text, l); err != nil {
		return email.Message{}, err
	}
	if err := htmlTemplate.Execute(&html, l); err != nil {
		return email.Message{}, err
	}
	m := email.Message{
		From:    mail.Address{Name: l.OrgName, Address: sender},
		To:      []mail.Address{{Address: d.Recipient}},
		Subject: d.Subject,
		Text:    text.String(), HTML: html.String(), Date: now,
		Attachments: []email.Attachment{{Name: l.FileName, ContentType: "application/pdf", Data: pdf}},
	}
	if m.Subject == "" {
		m.Subject = "Invoice " + inv.Number + " from " + l.OrgName
	}
	if d.ReplyTo != "" {
		m.ReplyTo = []mail.Address{{Address: d.ReplyTo}}
	}
	return m, nil
}

// composeSMS is the invoice text: who it is from, the number, the amount
// and due date, and the pay link.
func composeSMS(o *org.Org, inv *invoice.Invoice, d *delivery.Delivery) string {
	l := letterFor(o, inv, d)
	if l.Paid {
		return l.OrgName + ": invoice " + l.Number + " is paid in full, thank you. View it: " + l.PayLink
	}
	return l.OrgName + ": invoice " + l.Number + " for " + l.Amount + " is due " + l.DueDate + ". View and pay: " + l.PayLink
}

func orgName(o *org.Org) string {
	if o.Settings.Name != "" {
		return o.Settings.Name
	}
	return o.Settings.LegalName
}

// attachmentName is the PDF's file name: the invoice number, with the
// characters a file name cannot hold (a number prefix may contain '/')
// replaced.
func attachmentName(inv *invoice.Invoice) string {
	return strings.NewReplacer("/", "-", `\`, "-", `"`, "-").Replace(inv.Number) + ".pdf"
}

// paragraphs splits a coordinator's message at blank lines.
func paragraphs(body string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func lines(s string) []string { return strings.Split(s, "\n") }
