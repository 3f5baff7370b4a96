package dynamo

import (
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
)

// accountingItem is the org's accounting settings, a map on its profile.
type accountingItem struct {
	TaxRounding      string `dynamodbav:"taxRounding"`
	AccountCode      string `dynamodbav:"accountCode"`
	XeroTaxTypeTaxed string `dynamodbav:"xeroTaxTypeTaxed"`
	XeroTaxTypeFree  string `dynamodbav:"xeroTaxTypeFree"`
	QBOTaxCodeTaxed  string `dynamodbav:"qboTaxCodeTaxed"`
	QBOTaxCodeFree   string `dynamodbav:"qboTaxCodeFree"`
	QBOItem          string `dynamodbav:"qboItem"`
}

func accountingToItem(a org.Accounting) *accountingItem {
	return &accountingItem{
		TaxRounding: string(a.TaxRounding), AccountCode: a.AccountCode,
		XeroTaxTypeTaxed: a.XeroTaxTypeTaxed, XeroTaxTypeFree: a.XeroTaxTypeFree,
		QBOTaxCodeTaxed: a.QBOTaxCodeTaxed, QBOTaxCodeFree: a.QBOTaxCodeFree, QBOItem: a.QBOItem,
	}
}

// toAccounting reads the settings; orgs stored before they existed get
// the defaults.
func (it *accountingItem) toAccounting() org.Accounting {
	if it == nil {
		return org.DefaultAccounting()
	}
	return org.Accounting{
		TaxRounding: invoice.TaxRounding(it.TaxRounding), AccountCode: it.AccountCode,
		XeroTaxTypeTaxed: it.XeroTaxTypeTaxed, XeroTaxTypeFree: it.XeroTaxTypeFree,
		QBOTaxCodeTaxed: it.QBOTaxCodeTaxed, QBOTaxCodeFree: it.QBOTaxCodeFree, QBOItem: it.QBOItem,
	}
}

// autoInvoiceItem is the org's auto-invoicing choice, a map on its profile.
type autoInvoiceItem struct {
	Enabled bool   `dynamodbav:"enabled"`
	Mode    string `dynamodbav:"mode"`
	Send    bool   `dynamodbav:"send"`
}

// toAutoInvoice reads the choice; orgs stored before it existed get the
// default (on, finalize, not sent).
func (it *autoInvoiceItem) toAutoInvoice() org.AutoInvoice {
	if it == nil {
		return org.DefaultAutoInvoice()
	}
	return org.AutoInvoice{Enabled: it.Enabled, Mode: org.AutoInvoiceMode(it.Mode), Send: it.Send}
}
