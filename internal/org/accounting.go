package org

import (
	"regexp"

	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/validation"
)

// Accounting is how the org's accounting system (Xero, QuickBooks Online)
// sees carebill's invoices: how tax is rounded, and the codes an invoice
// export fills in. Names are the accounting system's own and change from
// one file to the next only through these settings.
type Accounting struct {
	// TaxRounding is the method invoices' tax follows (per rate, or per
	// line as Xero, QuickBooks Online and Stripe compute it).
	TaxRounding invoice.TaxRounding
	// AccountCode is the Xero revenue account of every exported line
	// ("200" = Sales in Xero's default chart).
	AccountCode string
	// XeroTaxTypeTaxed and XeroTaxTypeFree are the display names of the
	// Xero tax rates for taxed and tax-free lines ("GST on Income",
	// "GST Free Income" in an Australian organisation).
	XeroTaxTypeTaxed string
	XeroTaxTypeFree  string
	// QBOTaxCodeTaxed and QBOTaxCodeFree are the QuickBooks Online tax
	// codes of taxed and tax-free lines ("GST", "GST free" in Australia).
	QBOTaxCodeTaxed string
	QBOTaxCodeFree  string
	// QBOItem is the QuickBooks product/service of lines without an NDIS
	// support item ("Services").
	QBOItem string
}

// DefaultAccounting suits an Australian organisation on Xero's or
// QuickBooks Online's default chart of accounts.
func DefaultAccounting() Accounting {
	return Accounting{
		TaxRounding: invoice.PerRate, AccountCode: "200",
		XeroTaxTypeTaxed: "GST on Income", XeroTaxTypeFree: "GST Free Income",
		QBOTaxCodeTaxed: "GST", QBOTaxCodeFree: "GST free", QBOItem: "Services",
	}
}

// accountCodeRE is Xero's account code: up to 10 letters, digits, '.' or '-'.
var accountCodeRE = regexp.MustCompile(`^[A-Za-z0-9.-]{1,10}$`)

// Validate checks accounting settings.
func (a Accounting) Validate() error {
	if err := invoice.ValidateTaxRounding("accounting.taxRounding", a.TaxRounding); err != nil {
		return err
	}
	if !accountCodeRE.MatchString(a.AccountCode) {
		return validation.Errorf("accounting.accountCode", "must be 1 to 10 letters, digits, '.' or '-' (a Xero account code such as 200)")
	}
	for _, f := range []struct{ name, v string }{
		{"accounting.xeroTaxTypeTaxed", a.XeroTaxTypeTaxed}, {"accounting.xeroTaxTypeFree", a.XeroTaxTypeFree},
		{"accounting.qboTaxCodeTaxed", a.QBOTaxCodeTaxed}, {"accounting.qboTaxCodeFree", a.QBOTaxCodeFree},
		{"accounting.qboItem", a.QBOItem},
	} {
		if err := validation.Text(f.name, f.v, true, 50); err != nil {
			return err
		}
		if !safeCell(f.v) {
			return validation.Errorf(f.name, "must not start with =, +, -, @ or a control character (it is written into spreadsheets)")
		}
	}
	return nil
}

// safeCell reports whether a code can go into a CSV cell as it is: codes
// are matched exactly by the accounting system, so they are refused here
// rather than prefixed in the file (formats: strict fields are validated).
func safeCell(s string) bool {
	if s == "" {
		return true
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n', 0:
		return false
	}
	return true
}
