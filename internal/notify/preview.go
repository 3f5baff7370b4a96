package notify

import (
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
)

// Wording is the plain text of the email and of the text message the
// notifier would send for inv now, with body as the coordinator's message
// ("" for the default greeting) and payLink in place of the pay link.
// It is the same composition the notifier sends, for previews.
func Wording(o *org.Org, inv *invoice.Invoice, body, payLink string) (emailText, smsText string, err error) {
	d := &delivery.Delivery{Body: body, PayLinkURL: payLink}
	return invoiceText(letterFor(o, inv, d)), composeSMS(o, inv, d), nil
}
