// Package export writes invoices as the CSV files accounting systems
// import: Xero's sales invoice import and QuickBooks Online's invoice
// import, one row per line item, split into files at each system's limit
// (a zip when there is more than one file). It knows nothing of AWS or HTTP:
// it reads invoices from a Source page by page and writes to an io.Writer,
// so memory stays constant however many invoices a range holds.
package export

import "strings"

// Text makes a free-text value safe for a spreadsheet cell (OWASP CSV
// injection): a value starting with =, +, -, @, TAB, CR, LF or NUL gets a
// leading apostrophe, so no spreadsheet runs it as a formula. RFC 4180
// quoting of commas, quotes and line breaks is encoding/csv's.
func Text(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n', 0:
		return "'" + s
	}
	return s
}

// oneLine folds line breaks and tabs to spaces: accounting imports take a
// description per cell, and a stray newline splits nothing but confuses
// people reading the file.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
