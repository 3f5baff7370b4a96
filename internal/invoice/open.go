package invoice

import "github.com/shopspring/decimal"

// OpenTotals are what an org's open invoices still owe: all of them, and
// those past their due date (the dashboard's figures).
type OpenTotals struct {
	Open, Overdue               int64
	OpenBalance, OverdueBalance decimal.Decimal
}
