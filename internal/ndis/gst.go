package ndis

import "github.com/shopspring/decimal"

// LineTaxRate is the GST rate of an invoice line for an NDIS support:
// supports provided to a participant under their plan are GST-free (A New
// Tax System (Goods and Services Tax) Act 1999 s38-38; the NDIS Pricing
// Arrangements treat support items as GST-free), so a line naming a support
// item (supportItem non-empty) is 0; any other line keeps rate, the rate
// the caller would otherwise charge (percent, 10 = 10%). Every path
// that turns work into invoice lines applies it: the invoice run and the
// org's own invoicing of sessions, recurring charges and drafts.
func LineTaxRate(supportItem string, rate decimal.Decimal) decimal.Decimal {
	if supportItem != "" {
		return decimal.Zero
	}
	return rate
}
