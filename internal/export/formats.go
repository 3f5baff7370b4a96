package export

import (
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/validation"
)

// Format is one accounting system's invoice import file.
type Format struct {
	// Name is the format's name in the API: "xero" or "quickbooks".
	Name string
	// MaxInvoices and MaxRows bound one file (0 = no bound); a range that
	// needs more is split over several files, never an invoice over two.
	MaxInvoices, MaxRows int
	header               []string
	rows                 func(e Invoice) [][]string
}

// XeroHeader is Xero's sales invoice import template, in its order
// ('*' = required by Xero).
var XeroHeader = []string{
	"*ContactName", "EmailAddress", "POAddressLine1", "POAddressLine2", "POAddressLine3", "POAddressLine4",
	"POCity", "PORegion", "POPostalCode", "POCountry", "*InvoiceNumber", "Reference", "*InvoiceDate", "*DueDate",
	"Total", "InventoryItemCode", "*Description", "*Quantity", "*UnitAmount", "Discount", "*AccountCode", "*TaxType",
	"TaxAmount", "TrackingName1", "TrackingOption1", "TrackingName2", "TrackingOption2", "Currency", "BrandingTheme",
}

// QuickBooksHeader is QuickBooks Online's invoice import columns;
// QuickBooksTaxHeader adds the GST/VAT regions' columns.
var (
	QuickBooksHeader = []string{
		"*InvoiceNo", "*Customer", "*InvoiceDate", "*DueDate", "Terms", "Location", "Memo",
		"Item(Product/Service)", "ItemDescription", "ItemQuantity", "ItemRate", "*ItemAmount", "Service Date",
	}
	QuickBooksTaxHeader = append(append([]string{}, QuickBooksHeader...), "*ItemTaxCode", "ItemTaxAmount", "Currency")
)

// Xero writes Xero's sales invoice import: dates DD/MM/YYYY, at most 500
// invoices per file, unit amounts tax exclusive (choose "Tax exclusive" at
// import), account code and tax type display names from the org's
// accounting settings, each line's tax amount as carebill computed it.
// The Total column repeats the invoice's total on each of its rows.
func Xero(acc org.Accounting) Format {
	return Format{Name: "xero", MaxInvoices: 500, header: XeroHeader, rows: func(e Invoice) [][]string {
		sp, cur := e.Spec, e.Spec.Currency
		const layout = "02/01/2006"
		total := cur.String(e.Totals().Total)
		var out [][]string
		for _, l := range lines(e.Invoice, true) {
			disc := ""
			if !l.discountPct.IsZero() {
				disc = l.discountPct.StringFixed(2)
			}
			out = append(out, []string{
				Text(contactName(e)), Text(contactEmail(e)), "", "", "", "", "", "", "", "",
				Text(e.Number), Text(sp.PONumber), sp.IssueDate.Format(layout), sp.DueDate.Format(layout),
				total, "", Text(l.description), l.quantity.String(), unitString(l.unit), disc,
				acc.AccountCode, taxName(acc, l.taxed, true), cur.String(l.tax),
				"", "", "", "", cur.Code(), "",
			})
		}
		return out
	}}
}

// QuickBooks writes QuickBooks Online's invoice import: at most 100
// invoices and 1,000 rows per file (QuickBooks' reported limits), dates
// day first (month first for a USD org, as QuickBooks US reads them), the
// product/service from the org's settings with any NDIS support item in
// the description, and the tax columns outside the US.
func QuickBooks(acc org.Accounting, usa bool) Format {
	layout, header := "02/01/2006", QuickBooksTaxHeader
	if usa {
		layout, header = "01/02/2006", QuickBooksHeader
	}
	return Format{Name: "quickbooks", MaxInvoices: 100, MaxRows: 1000, header: header, rows: func(e Invoice) [][]string {
		sp, cur := e.Spec, e.Spec.Currency
		var out [][]string
		for _, l := range lines(e.Invoice, false) {
			service := sp.IssueDate.Format(layout)
			if !l.serviceDate.IsZero() {
				service = l.serviceDate.Format(layout)
			}
			row := []string{
				Text(e.Number), Text(contactName(e)), sp.IssueDate.Format(layout), sp.DueDate.Format(layout), "", "", Text(oneLine(sp.Memo)),
				Text(acc.QBOItem), Text(l.description), l.quantity.String(), unitString(l.unit), cur.String(l.amount), service,
			}
			if !usa {
				row = append(row, taxName(acc, l.taxed, false), cur.String(l.tax), cur.Code())
			}
			out = append(out, row)
		}
		return out
	}}
}

// Lookup is the format called name.
func Lookup(name string, acc org.Accounting, usa bool) (Format, error) {
	switch name {
	case "xero":
		return Xero(acc), nil
	case "quickbooks":
		return QuickBooks(acc, usa), nil
	}
	return Format{}, validation.Errorf("format", "must be xero or quickbooks")
}

// Header is the format's header row.
func (f Format) Header() []string { return append([]string{}, f.header...) }

// Rows are an invoice's rows, one per line item and one per fee.
func (f Format) Rows(e Invoice) [][]string { return f.rows(e) }
