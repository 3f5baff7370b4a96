package notify

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/email"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/payment"
)

// errReversed stops a receipt email whose payment was reversed after it
// was queued.
var errReversed = errors.New("the payment was reversed before its receipt went out")

// receiptLetter is what the receipt email templates show.
type receiptLetter struct {
	OrgName    string
	Colour     string
	Number     string
	ClientName string
	Message    []string
	Amount     string // received, with any card fee
	Date       string
	Method     string
	Applied    []string // "towards invoice INV-00042: $80.00", "held as credit: $20.00"
	FileName   string
}

// sendReceipt emails a receipt delivery: the letter and the receipt's PDF,
// the same document GET /v1/payments/{id}/receipt.pdf serves.
func (h *Handler) sendReceipt(ctx context.Context, d *delivery.Delivery) (string, error) {
	o, err := h.store.GetOrg(ctx, d.OrgID)
	if err != nil {
		return "", err
	}
	pdf, pay, err := h.docs.ReceiptPDF(ctx, d.OrgID, d.PaymentID)
	if err != nil {
		return "", err
	}
	if pay.Reversed {
		return "", errReversed
	}
	m, err := composeReceipt(o, pay, d, pdf, h.sender, h.now())
	if err != nil {
		return "", err
	}
	return h.mail.Send(ctx, m)
}

// composeReceipt is the receipt email: the letter as text and HTML, the
// receipt's PDF attached, from the org's name at the sender address.
func composeReceipt(o *org.Org, pay *payment.Payment, d *delivery.Delivery, pdf []byte, sender string, now time.Time) (email.Message, error) {
	cur := pay.Input.Currency
	l := receiptLetter{
		OrgName: orgName(o), Colour: o.Settings.Colour, Number: pay.ReceiptNumber, ClientName: d.ClientName,
		Amount: cur.Display(pay.Input.Amount.Add(pay.Fee)), Date: pay.Input.Date.Format(dateLayout),
		Method:   billing.MethodName(pay.Input.Method),
		FileName: strings.NewReplacer("/", "-", `\`, "-", `"`, "-").Replace(pay.ReceiptNumber) + ".pdf",
	}
	if l.Colour == "" {
		l.Colour = defaultColour
	}
	for _, a := range pay.Allocations {
		l.Applied = append(l.Applied, "towards invoice "+a.Number+": "+cur.Display(a.Amount))
	}
	if pay.Credit.IsPositive() {
		l.Applied = append(l.Applied, "held as credit on your account: "+cur.Display(pay.Credit))
	}
	if d.Body != "" {
		l.Message = paragraphs(d.Body)
	} else {
		l.Message = []string{"Hello,", "Thank you for your payment of " + l.Amount + " to " + l.OrgName + ". Your receipt " + l.Number + " is attached."}
	}
	html, err := renderHTML(receiptHTML(l))
	if err != nil {
		return email.Message{}, fmt.Errorf("compose receipt email %s: %w", l.Number, err)
	}
	m := email.Message{
		From:    mail.Address{Name: l.OrgName, Address: sender},
		To:      []mail.Address{{Address: d.Recipient}},
		Subject: "Receipt " + l.Number + " from " + l.OrgName,
		Text:    receiptText(l), HTML: html, Date: now,
		Attachments: []email.Attachment{{Name: l.FileName, ContentType: "application/pdf", Data: pdf}},
	}
	if e := o.Settings.Email; e != "" {
		if a, err := mail.ParseAddress(e); err == nil {
			m.ReplyTo = []mail.Address{{Address: a.Address}}
		}
	}
	return m, nil
}
