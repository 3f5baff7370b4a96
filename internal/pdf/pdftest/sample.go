// Package pdftest builds sample documents for the pdf package's tests and
// for the PDF benchmark, so both measure the same invoices.
package pdftest

import (
	"fmt"

	"github.com/carebill/carebill/internal/pdf"
)

// PayLink is the pay link every sample invoice carries.
const PayLink = "https://pay.carebill.example/p/4f9c2a7be1d04b6e8a3f"

// Invoice returns a realistic NDIS support-coordination tax invoice with n
// line items. Line i has description "Support coordination session i" and
// amount fmt.Sprintf("%d.%02d", 100+i, i%100); the totals are not the sum
// (this package renders strings, it does not add them up).
func Invoice(n int) pdf.Document {
	d := pdf.Document{
		Kind: "Tax invoice",
		Org: pdf.Party{
			Name:       "Søren & Łukasz Care Coordination Pty Ltd",
			TaxIDLabel: "ABN",
			TaxID:      "51 824 753 556",
			Lines:      []string{"Level 2, 10 Smith Street", "Fitzroy VIC 3065", "accounts@sorencare.example", "03 9000 1234"},
		},
		Colour: "#2B6CB0",
		Number: "INV-00042",
		Title:  "Client invoice – November",
		Dates: []pdf.Field{
			{Label: "Issue date", Value: "1 Dec 2025"},
			{Label: "Due date", Value: "15 Dec 2025"},
		},
		BillTo: pdf.Party{
			Name:  "Zoë Müller-Ng",
			Lines: []string{"c/o Plan Partners", "zoe.muller-ng@example.com"},
		},
		Refs: []pdf.Field{
			{Label: "NDIS number", Value: "430123456"},
			{Label: "PO number", Value: "PO-7781"},
		},
		Totals: []pdf.Field{
			{Label: "Subtotal", Value: "$10,014.00"},
			{Label: "GST 10%", Value: "$0.00"},
			{Label: "Total", Value: "$10,014.00"},
			{Label: "Paid", Value: "$14.00"},
			{Label: "Balance due", Value: "$10,000.00"},
		},
		Memo:    "Thank you, Zoë. Sessions are billed per the NDIS Pricing Arrangements 2025–26.",
		PayLink: PayLink,
		Transfer: []pdf.Field{
			{Label: "Account name", Value: "Søren & Łukasz Care Coordination"},
			{Label: "BSB", Value: "063-000"},
			{Label: "Account", Value: "12345678"},
			{Label: "Reference", Value: "INV-00042"},
		},
		Footer: "Søren & Łukasz Care Coordination Pty Ltd · ABN 51 824 753 556 · Payment due within 14 days.",
	}
	for i := 1; i <= n; i++ {
		d.Lines = append(d.Lines, pdf.Line{
			Description: fmt.Sprintf("Support coordination session %d", i),
			Period:      fmt.Sprintf("%d Nov 2025", 1+i%30),
			Ref:         "07_002_0106_8_3",
			Quantity:    "1.00",
			Unit:        "hours",
			Rate:        "$100.14",
			Amount:      Amount(i),
		})
	}
	return d
}

// Amount is the amount string of sample line i.
func Amount(i int) string { return fmt.Sprintf("$%d.%02d", 100+i, i%100) }
