package web

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/money"
)

// offeredCurrencies are the currencies the settings page lists. An org may
// hold another ISO 4217 code (set through the API); the browser then writes
// the code before the amount, as money.Display does.
var offeredCurrencies = []string{"AUD", "NZD", "USD", "CAD", "GBP", "EUR", "SGD", "HKD", "JPY", "INR", "CHF"}

// currencyFormat is how money.Display writes amounts of one currency: the
// text before the digits ("$", "CHF ") and the minor units. The browser
// formats the API's decimal strings with it, by string manipulation, so the
// page and the PDF agree to the character.
type currencyFormat struct {
	Prefix string `json:"prefix"`
	Minor  int32  `json:"minor"`
}

// currencyTable derives each code's format from money.Display itself, so
// there is still one money formatter, and returns it as JSON for the page.
func currencyTable(codes []string) (string, error) {
	table := make(map[string]currencyFormat, len(codes))
	for _, code := range codes {
		c, err := money.ParseCurrency(code)
		if err != nil {
			return "", fmt.Errorf("currency table: %w", err)
		}
		shown, digits := c.Display(decimal.Zero), c.String(decimal.Zero)
		prefix, ok := strings.CutSuffix(shown, digits)
		if !ok {
			return "", fmt.Errorf("currency table: %s displays zero as %q, which does not end in %q", code, shown, digits)
		}
		table[code] = currencyFormat{Prefix: prefix, Minor: c.MinorUnits()}
	}
	b, err := json.Marshal(table)
	if err != nil {
		return "", fmt.Errorf("currency table: %w", err)
	}
	return string(b), nil
}
