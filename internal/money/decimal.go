package money

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
)

// ErrInvalidDecimal is returned for text that is not a plain decimal number.
var ErrInvalidDecimal = errors.New("invalid decimal")

// Limits bound a decimal read from outside: how many places it may have,
// its range, and whether it may be negative.
type Limits struct {
	MaxPlaces     int32
	Max           decimal.Decimal
	AllowNegative bool
}

// maxDigits bounds the text itself so a huge string never reaches the
// decimal library.
const maxDigits = 24

// ParseDecimal reads a plain decimal string such as "2055.00", "0.25" or
// "-3": an optional minus, digits, and an optional point followed by
// digits. Exponents, spaces, '+', thousands separators, NaN and the like are
// rejected, and so is anything outside lim.
func ParseDecimal(s string, lim Limits) (decimal.Decimal, error) {
	if len(s) == 0 {
		return decimal.Decimal{}, fmt.Errorf("%w: empty", ErrInvalidDecimal)
	}
	if len(s) > maxDigits+2 {
		return decimal.Decimal{}, fmt.Errorf("%w: too long", ErrInvalidDecimal)
	}
	i := 0
	if s[0] == '-' {
		i++
	}
	digits, places, sawPoint := 0, int32(0), false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
			if sawPoint {
				places++
			}
		case c == '.' && !sawPoint && digits > 0:
			sawPoint = true
		default:
			return decimal.Decimal{}, fmt.Errorf("%w: %q is not a plain decimal number", ErrInvalidDecimal, s)
		}
	}
	if digits == 0 || (sawPoint && places == 0) {
		return decimal.Decimal{}, fmt.Errorf("%w: %q is not a plain decimal number", ErrInvalidDecimal, s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%w: %q", ErrInvalidDecimal, s)
	}
	if places > lim.MaxPlaces {
		return decimal.Decimal{}, fmt.Errorf("%w: %q has more than %d decimal places", ErrInvalidDecimal, s, lim.MaxPlaces)
	}
	if d.IsNegative() && !lim.AllowNegative {
		return decimal.Decimal{}, fmt.Errorf("%w: %q must not be negative", ErrInvalidDecimal, s)
	}
	if !lim.Max.IsZero() && d.Abs().GreaterThan(lim.Max) {
		return decimal.Decimal{}, fmt.Errorf("%w: %q is beyond the limit of %s", ErrInvalidDecimal, s, lim.Max.String())
	}
	return d, nil
}
