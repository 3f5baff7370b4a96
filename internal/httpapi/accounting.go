package httpapi

import (
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
)

// accountingJSON is the org's accounting settings: "taxRounding"
// ("per_rate" or "per_line"), the Xero account code and tax type names,
// and the QuickBooks Online tax codes and default product/service.
type accountingJSON struct {
	TaxRounding      string `json:"taxRounding"`
	AccountCode      string `json:"accountCode"`
	XeroTaxTypeTaxed string `json:"xeroTaxTypeTaxed"`
	XeroTaxTypeFree  string `json:"xeroTaxTypeFree"`
	QBOTaxCodeTaxed  string `json:"qboTaxCodeTaxed"`
	QBOTaxCodeFree   string `json:"qboTaxCodeFree"`
	QBOItem          string `json:"qboItem"`
}

func accountingOf(a org.Accounting) accountingJSON {
	r := string(a.TaxRounding)
	if r == "" {
		r = "per_rate"
	}
	return accountingJSON{
		TaxRounding: r, AccountCode: a.AccountCode, XeroTaxTypeTaxed: a.XeroTaxTypeTaxed, XeroTaxTypeFree: a.XeroTaxTypeFree,
		QBOTaxCodeTaxed: a.QBOTaxCodeTaxed, QBOTaxCodeFree: a.QBOTaxCodeFree, QBOItem: a.QBOItem,
	}
}

// accountingPatch changes some accounting settings; the org validates them.
type accountingPatch struct {
	TaxRounding      opt[string] `json:"taxRounding"`
	AccountCode      opt[string] `json:"accountCode"`
	XeroTaxTypeTaxed opt[string] `json:"xeroTaxTypeTaxed"`
	XeroTaxTypeFree  opt[string] `json:"xeroTaxTypeFree"`
	QBOTaxCodeTaxed  opt[string] `json:"qboTaxCodeTaxed"`
	QBOTaxCodeFree   opt[string] `json:"qboTaxCodeFree"`
	QBOItem          opt[string] `json:"qboItem"`
}

func applyAccounting(p opt[accountingPatch], a *org.Accounting) {
	if !p.Set {
		return
	}
	if p.Null {
		*a = org.DefaultAccounting()
		return
	}
	v := p.V
	if v.TaxRounding.Set {
		a.TaxRounding = invoice.TaxRounding(v.TaxRounding.V)
	}
	setStr(&a.AccountCode, v.AccountCode)
	setStr(&a.XeroTaxTypeTaxed, v.XeroTaxTypeTaxed)
	setStr(&a.XeroTaxTypeFree, v.XeroTaxTypeFree)
	setStr(&a.QBOTaxCodeTaxed, v.QBOTaxCodeTaxed)
	setStr(&a.QBOTaxCodeFree, v.QBOTaxCodeFree)
	setStr(&a.QBOItem, v.QBOItem)
}
