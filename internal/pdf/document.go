// Package pdf renders carebill documents (invoices, receipts, credit notes,
// statements) as A4 PDF files, natively and fast. Names in Latin (with
// Vietnamese), Greek, Cyrillic, Hebrew and Arabic script print with the
// embedded DejaVu Sans; Chinese, Japanese kanji and Korean with Noto Sans
// SC and KR, read from CAREBILL_FONT_DIR only when a document needs them.
// Text is shaped (HarfBuzz, via go-text/typesetting) and laid out in
// visual order (the Unicode bidi algorithm), and extracts as typed.
//
// The package knows nothing about invoices as a domain: callers pass strings
// that are already formatted (money, dates, quantities), so there is one
// money formatter in the service and it is not here. What this package owns
// is layout: a header band in the brand colour with logo, legal name and tax
// id; dates and references; a line-item table that paginates with its header
// repeated on every page; totals on the last page only; "Page n of m".
//
// Output is deterministic: the same Document yields the same bytes, unless
// Created is set, which is written as the PDF creation date.
package pdf

import (
	"errors"
	"time"
)

// Errors a caller can map to a validation failure (422) rather than a crash.
var (
	// ErrInvalidColour means Document.Colour is not of the form "#RRGGBB".
	ErrInvalidColour = errors.New("pdf: brand colour must be #RRGGBB")
	// ErrInvalidLogo means Document.LogoPNG is not a readable PNG of a
	// sensible size.
	ErrInvalidLogo = errors.New("pdf: logo is not a readable PNG")
)

// Document is everything printed on one carebill document. All values are
// display strings; empty ones are left out of the page.
type Document struct {
	// Kind is the heading, e.g. "Tax invoice" (required by the ATO where GST
	// applies), "Invoice", "Receipt", "Credit note", "Statement".
	Kind string
	// Org is the seller: legal name, tax id (e.g. ABN) and contact lines.
	Org Party
	// LogoPNG is an optional PNG logo, drawn in the header band.
	LogoPNG []byte
	// Colour is the brand colour "#RRGGBB" of the header band and accents;
	// empty means a calm blue.
	Colour string
	// Number is the document number, e.g. "INV-00042"; may be empty (an
	// initial-balance invoice has none).
	Number string
	// Title is the document's name, e.g. "Client invoice – November".
	Title string
	// Dates are shown top right: issue date, due date, service period.
	Dates []Field
	// BillTo is the billing contact: name, optional tax id, contact lines.
	BillTo Party
	// Refs are references under the dates: NDIS number, PO numbers.
	Refs []Field
	// Lines are the line items, in order.
	Lines []Line
	// Totals are label/value rows under the table (subtotal, GST, fees,
	// total, paid, balance due). The last row is emphasised.
	Totals []Field
	// Memo is free text printed as notes beside the totals; line breaks are
	// kept.
	Memo string
	// PayLink is printed and, when it is an http(s) URL, clickable and
	// printed beside as a QR code, for paying from a phone.
	PayLink string
	// Transfer is how to pay by bank transfer, printed as label/value rows
	// under the pay link: account name, BSB and account number or IBAN,
	// the reference to quote.
	Transfer []Field
	// Stamp is an optional large mark across the first page, e.g. "PAID" or
	// "VOID".
	Stamp string
	// Footer is small print at the bottom of every page (payment terms, bank
	// details, thanks).
	Footer string
	// Created, when not zero, is written as the PDF creation date. Zero keeps
	// the output byte-for-byte reproducible.
	Created time.Time
}

// Party is a seller or a billing contact.
type Party struct {
	// Name is the legal or contact name.
	Name string
	// TaxIDLabel names the tax id, e.g. "ABN".
	TaxIDLabel string
	// TaxID is the tax id, e.g. "12 345 678 901".
	TaxID string
	// Lines are address, email and phone lines, printed in order.
	Lines []string
}

// Field is a label and its value, e.g. "Due date" and "30 Nov 2025".
type Field struct {
	// Label is printed muted, on the left.
	Label string
	// Value is printed on the right.
	Value string
}

// Line is one row of the line-item table. Columns that are empty on every
// line (say, Discount) are left out of the table.
type Line struct {
	// Description is the item; it wraps, and line breaks are kept.
	Description string
	// Period is the service period, e.g. "3 Nov – 7 Nov 2025", printed
	// under the description.
	Period string
	// Ref is an item reference such as an NDIS support item number, printed
	// under the description.
	Ref string
	// Quantity, Unit, Rate, Discount and Amount are right-aligned columns.
	Quantity, Unit, Rate, Discount, Amount string
}
