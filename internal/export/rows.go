package export

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
)

// Invoice is one invoice to export and the client it bills.
type Invoice struct {
	*invoice.Invoice
	Client *client.Client // nil when the client is gone: the invoice's own copy of the name is used
}

// line is an invoice line as an accounting system will see it: quantity ×
// unit amount less a discount percentage comes back to carebill's amount
// to the cent, and tax is the line's share under the invoice's rounding.
type line struct {
	description string
	quantity    decimal.Decimal
	unit        decimal.Decimal // up to 4 decimal places, never rounded
	discountPct decimal.Decimal // 0 when none
	amount      decimal.Decimal // what the accounting system will compute
	tax         decimal.Decimal
	taxed       bool
	serviceDate calendar.Date // the line's period start (zero = none)
}

var hundred = decimal.NewFromInt(100)

// lines turns an invoice's lines and fees into export lines. A discounted
// line becomes a discount percentage (two decimals, as the accounting
// systems take it) when that gives back carebill's amount exactly;
// otherwise it becomes one unit at the discounted amount, with the
// quantity, rate and discount in the description, so nothing is silently
// rounded. When pctDiscount is false (QuickBooks has no discount column)
// every discounted line takes the second form.
func lines(inv *invoice.Invoice, pctDiscount bool) []line {
	cur := inv.Spec.Currency
	taxes := invoice.LineTaxes(cur, inv.Spec.TaxRounding, inv.Spec.Lines)
	out := make([]line, 0, len(inv.Spec.Lines)+len(inv.Spec.Fees))
	for i, l := range inv.Spec.Lines {
		e := line{description: describe(l), amount: l.Amount(cur), tax: taxes[i], taxed: !l.TaxRate.IsZero(), serviceDate: l.PeriodStart}
		if l.Type == invoice.Variable {
			e.quantity, e.unit = l.Quantity, l.Rate
		} else {
			e.quantity, e.unit = decimal.NewFromInt(1), l.Price
		}
		if !l.Discount.IsZero() {
			gross := e.quantity.Mul(e.unit)
			pct := l.Discount.Mul(hundred).Div(gross).Round(2)
			if pctDiscount && cur.Round(gross.Mul(hundred.Sub(pct)).Div(hundred)).Equal(e.amount) {
				e.discountPct = pct
			} else {
				unitWord := "× "
				if l.Type == invoice.Fixed {
					unitWord = "at "
				}
				e.description = fmt.Sprintf("%s (%s %s%s less discount %s)", e.description, e.quantity, unitWord, e.unit, cur.String(l.Discount))
				e.quantity, e.unit = decimal.NewFromInt(1), e.amount
			}
		}
		out = append(out, e)
	}
	for _, f := range inv.Spec.Fees {
		amt := cur.Round(f.Amount)
		out = append(out, line{description: oneLine(f.Description), quantity: decimal.NewFromInt(1), unit: amt, amount: amt})
	}
	return out
}

// describe is a line's description as plan managers want it: support
// item number first, then the words, then the service period.
func describe(l invoice.Line) string {
	d := oneLine(l.Description)
	if l.SupportItem != "" {
		d = oneLine(l.SupportItem) + " " + d
	}
	switch {
	case !l.PeriodStart.IsZero() && !l.PeriodEnd.IsZero() && l.PeriodStart != l.PeriodEnd:
		d += fmt.Sprintf(" (%s to %s)", l.PeriodStart.Format("02/01/2006"), l.PeriodEnd.Format("02/01/2006"))
	case !l.PeriodStart.IsZero():
		d += fmt.Sprintf(" (%s)", l.PeriodStart.Format("02/01/2006"))
	}
	return d
}

// unitString writes a unit amount with at least two decimal places and as
// many as it has (up to four): 50 → "50.00", 0.3333 → "0.3333". Xero
// takes four places only with its four-decimal unit amount option, which
// the README tells the accountant to choose when a file has any.
func unitString(d decimal.Decimal) string {
	if d.Equal(d.Truncate(2)) {
		return d.StringFixed(2)
	}
	return d.String()
}

// contactName is the name the invoice was issued to.
func contactName(e Invoice) string {
	if e.ClientName != "" {
		return e.ClientName
	}
	if e.Client != nil {
		return e.Client.Profile.Name
	}
	return ""
}

// contactEmail is the address the invoice is sent to, as sending picks it
// (delivery.Recipient): a plan-managed participant's plan manager, else
// the client's billing contact; an NDIA-managed participant, who is sent
// nothing, is exported with the billing contact's. "" when there is none.
func contactEmail(e Invoice) string {
	if e.Client == nil {
		return ""
	}
	if to, err := delivery.Recipient(e.Client, delivery.Email, ""); err == nil {
		return to
	}
	if bc, ok := e.Client.BillingContact(); ok {
		return bc.Email
	}
	return ""
}

func taxName(acc org.Accounting, taxed bool, xero bool) string {
	switch {
	case xero && taxed:
		return acc.XeroTaxTypeTaxed
	case xero:
		return acc.XeroTaxTypeFree
	case taxed:
		return acc.QBOTaxCodeTaxed
	}
	return acc.QBOTaxCodeFree
}
