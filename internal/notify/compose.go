package notify

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/email"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
)

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
	html, err := renderHTML(invoiceHTML(l))
	if err != nil {
		return email.Message{}, fmt.Errorf("compose invoice email %s: %w", inv.ID, err)
	}
	m := email.Message{
		From:    mail.Address{Name: l.OrgName, Address: sender},
		To:      []mail.Address{{Address: d.Recipient}},
		Subject: d.Subject,
		Text:    invoiceText(l), HTML: html, Date: now,
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
