// Package money holds carebill's currency and decimal rules: ISO 4217
// currencies with their minor units, strict decimal parsing, rounding half
// away from zero and one formatter. There is no float anywhere.
package money

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// ErrUnknownCurrency is returned for a code that is not an active ISO 4217 currency.
var ErrUnknownCurrency = errors.New("unknown currency")

// Currency is an ISO 4217 currency. The zero value is invalid; build one
// with ParseCurrency.
type Currency struct {
	code  string
	minor int32
}

// minorUnits lists active ISO 4217 codes and their minor units. Currencies
// with 2 minor units are the default and listed in twoDecimal.
var minorUnits = map[string]int32{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
}

var twoDecimal = strings.Fields(`AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL
BSD BTN BWP BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP
GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK
LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR
NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN
SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UZS VES WST XCD YER ZAR ZMW ZWG`)

func init() {
	for _, c := range twoDecimal {
		minorUnits[c] = 2
	}
}

// ParseCurrency returns the currency for an ISO 4217 code such as "AUD".
// Codes are case-sensitive upper case, as the standard writes them.
func ParseCurrency(code string) (Currency, error) {
	m, ok := minorUnits[code]
	if !ok {
		return Currency{}, fmt.Errorf("%w: %q", ErrUnknownCurrency, code)
	}
	return Currency{code: code, minor: m}, nil
}

// MustCurrency is ParseCurrency for codes known at compile time.
func MustCurrency(code string) Currency {
	c, err := ParseCurrency(code)
	if err != nil {
		panic(err)
	}
	return c
}

// Code is the ISO 4217 code, e.g. "AUD".
func (c Currency) Code() string { return c.code }

// MinorUnits is the number of decimal places the currency uses (AUD 2, JPY 0).
func (c Currency) MinorUnits() int32 { return c.minor }

// IsZero reports whether c is the invalid zero value.
func (c Currency) IsZero() bool { return c.code == "" }

// Round rounds d to the currency's minor unit, half away from zero.
func (c Currency) Round(d decimal.Decimal) decimal.Decimal {
	return RoundHalfAwayFromZero(d, c.minor)
}

// String formats an amount in this currency with exactly its minor units,
// e.g. "2055.00"; it is the one wire and storage format for amounts.
func (c Currency) String(d decimal.Decimal) string {
	return c.Round(d).StringFixed(c.minor)
}

// Display formats an amount for people: thousands separators and the
// currency's symbol or code, e.g. "$2,055.00", "¥1,200", "CHF 10.50".
func (c Currency) Display(d decimal.Decimal) string {
	return c.display(c.String(d))
}

// DisplayRate formats a unit rate for people as it was entered: never
// rounded to the currency, with at least its minor units and as many more
// decimals as the rate has ("¥4.5", "$334.416", "$50.00"), so that
// quantity × rate visibly gives a line's amount.
func (c Currency) DisplayRate(d decimal.Decimal) string {
	places := c.minor
	if _, frac, ok := strings.Cut(d.String(), "."); ok && int32(len(frac)) > places {
		places = int32(len(frac))
	}
	return c.display(d.StringFixed(places))
}

// display groups thousands of a fixed-point amount and adds the symbol.
func (c Currency) display(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	sign := ""
	if neg {
		sign = "-"
	}
	if sym, ok := symbols[c.code]; ok {
		return sign + sym + b.String()
	}
	return sign + c.code + " " + b.String()
}

var symbols = map[string]string{
	"AUD": "$", "USD": "$", "NZD": "$", "CAD": "$", "SGD": "$", "HKD": "$",
	"GBP": "£", "EUR": "€", "JPY": "¥", "INR": "₹",
}

// RoundHalfAwayFromZero rounds d to places decimal places; 2.345 → 2.35 and
// −2.345 → −2.35. shopspring's Round already does this; naming it here keeps
// the rule explicit and in one place.
func RoundHalfAwayFromZero(d decimal.Decimal, places int32) decimal.Decimal {
	return d.Round(places)
}
