package notify

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"time"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/email"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/statement"
)

// StatementDocuments renders statement PDFs (documents.Renderer), the
// same document the API and the portal serve.
type StatementDocuments interface {
	StatementPDF(ctx context.Context, orgID, statementID string) ([]byte, *statement.Statement, error)
}

// errStatementGone stops a delivery whose statement was deleted after it
// was queued.
var errStatementGone = errors.New("the statement was deleted before it went out")

// statementLetter is what the statement email templates show.
type statementLetter struct {
	OrgName    string
	Colour     string
	ClientName string
	Period     string
	AsAt       string // the statement's date, which its balance is as at
	Balance    string // the closing balance, "In credit …" or "Nothing outstanding"
	Owing      bool
	Message    []string
	PayLink    string
	FileName   string
}

func statementLetterFor(o *org.Org, st *statement.Statement, d *delivery.Delivery) statementLetter {
	cur := st.Currency
	l := statementLetter{
		OrgName: orgName(o), Colour: o.Settings.Colour, ClientName: d.ClientName, Period: period(st), AsAt: st.To.Format(dateLayout),
		Owing: st.Closing.IsPositive(), PayLink: d.PayLinkURL, FileName: "Statement " + st.To.String() + ".pdf",
	}
	switch {
	case st.Closing.IsPositive():
		l.Balance = cur.Display(st.Closing) + " owing"
	case st.Closing.IsNegative():
		l.Balance = "In credit " + cur.Display(st.Closing.Neg())
	default:
		l.Balance = "Nothing outstanding"
	}
	if l.Colour == "" {
		l.Colour = defaultColour
	}
	switch {
	case d.Body != "":
		l.Message = paragraphs(d.Body)
	case l.Owing:
		// The statement's balance is as at its date; the pay-all link shows
		// and charges what is open when it is opened, which payments made
		// since have lowered: say which is which.
		l.Message = []string{"Hello,", "Please find attached your statement from " + l.OrgName + " (" + l.Period + "), showing " +
			cur.Display(st.Closing) + " owing as at " + l.AsAt + ".",
			"The link below shows what is open now, with any payment made since " + l.AsAt + " taken off, and pays it all at once."}
	default:
		l.Message = []string{"Hello,", "Please find attached your statement from " + l.OrgName + " (" + l.Period + "). Nothing is owing – thank you."}
	}
	return l
}

// period names the statement's range in words.
func period(st *statement.Statement) string {
	if st.Kind == statement.Outstanding || st.From.IsZero() {
		return "as at " + st.To.Format(dateLayout)
	}
	return st.From.Format(dateLayout) + " – " + st.To.Format(dateLayout)
}

// composeStatementEmail is the statement email: the letter as text and
// HTML, the PDF attached, and the pay-all link.
func composeStatementEmail(o *org.Org, st *statement.Statement, d *delivery.Delivery, pdf []byte, sender string, now time.Time) (email.Message, error) {
	l := statementLetterFor(o, st, d)
	html, err := renderHTML(statementHTML(l))
	if err != nil {
		return email.Message{}, fmt.Errorf("compose statement email %s: %w", st.ID, err)
	}
	m := email.Message{
		From: mail.Address{Name: l.OrgName, Address: sender}, To: []mail.Address{{Address: d.Recipient}},
		Subject: d.Subject, Text: statementText(l), HTML: html, Date: now,
		Attachments: []email.Attachment{{Name: l.FileName, ContentType: "application/pdf", Data: pdf}},
	}
	if m.Subject == "" {
		m.Subject = "Statement " + l.Period + " from " + l.OrgName
	}
	if d.ReplyTo != "" {
		m.ReplyTo = []mail.Address{{Address: d.ReplyTo}}
	}
	return m, nil
}

// composeStatementSMS is the statement text: who it is from, the balance
// and the pay-all link.
func composeStatementSMS(o *org.Org, st *statement.Statement, d *delivery.Delivery) string {
	l := statementLetterFor(o, st, d)
	if l.Owing {
		return l.OrgName + ": your statement " + l.Period + " shows " + st.Currency.Display(st.Closing) + " owing as at " + l.AsAt +
			". See and pay what is open now: " + l.PayLink
	}
	return l.OrgName + ": your statement " + l.Period + ": " + l.Balance + ". Thank you."
}

// sendStatement sends a statement's delivery over its channel.
func (h *Handler) sendStatement(ctx context.Context, o *org.Org, d *delivery.Delivery) (string, error) {
	if h.statements == nil {
		return "", errors.New("this notifier cannot render statements")
	}
	pdf, st, err := h.statements.StatementPDF(ctx, d.OrgID, d.StatementID)
	if errors.Is(err, statement.ErrNotFound) {
		return "", errStatementGone
	}
	if err != nil {
		return "", err
	}
	switch d.Channel {
	case delivery.Email:
		m, err := composeStatementEmail(o, st, d, pdf, h.sender, h.now())
		if err != nil {
			return "", err
		}
		return h.mail.Send(ctx, m)
	case delivery.SMS:
		return h.texts.Send(ctx, d.Recipient, composeStatementSMS(o, st, d))
	}
	return "", errors.New("delivery " + d.ID + ": unknown channel " + string(d.Channel))
}

// eventKind is the activity kind of a delivery's outcome: the statement
// kinds for a statement's delivery.
func eventKind(d *delivery.Delivery, kind activity.Kind) activity.Kind {
	if d.StatementID == "" {
		return kind
	}
	switch kind {
	case activity.Delivered:
		return activity.StatementDelivered
	case activity.Failed:
		return activity.StatementFailed
	}
	return kind
}
