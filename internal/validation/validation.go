// Package validation carries the one error type for bad input: which field
// is wrong and why, in words a person can act on. The transport layer turns
// it into a 400 with code "invalid_field".
package validation

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Error says which input field is wrong and why.
type Error struct {
	Field   string
	Message string
}

func (e *Error) Error() string { return e.Field + ": " + e.Message }

// Errorf builds an *Error for field.
func Errorf(field, format string, args ...any) error {
	return &Error{Field: field, Message: fmt.Sprintf(format, args...)}
}

// As reports whether err is or wraps a validation error.
func As(err error) (*Error, bool) {
	var v *Error
	ok := errors.As(err, &v)
	return v, ok
}

// Prefix puts a parent path in front of a validation error's field
// ("lineItems[2]" + "quantity"); other errors pass through unchanged.
func Prefix(parent string, err error) error {
	if v, ok := As(err); ok {
		return &Error{Field: parent + "." + v.Field, Message: v.Message}
	}
	return err
}

// Text checks a free-text field's length in characters; required fields
// must not be empty.
func Text(field, value string, required bool, max int) error {
	n := utf8.RuneCountInString(value)
	switch {
	case !utf8.ValidString(value):
		return Errorf(field, "must be valid UTF-8 text")
	case required && n == 0:
		return Errorf(field, "is required")
	case n > max:
		return Errorf(field, "must be at most %d characters (got %d)", max, n)
	}
	return nil
}

// Email checks that value is one plain email address ("name@example.com",
// no display name) of at most 254 characters, as mail servers accept.
func Email(field, value string) error {
	if len(value) > 254 {
		return Errorf(field, "is too long")
	}
	a, err := mail.ParseAddress(value)
	if err != nil || a.Address != value || !strings.Contains(value[strings.LastIndexByte(value, '@'):], ".") {
		return Errorf(field, "must be an email address such as name@example.com")
	}
	return nil
}

// FreeText is the one rule for text people type into any field: valid
// UTF-8, no control characters (C0, DEL, C1), no bidirectional overrides
// or isolates (U+202A–U+202E, U+2066–U+2069, which make printed text read
// differently from what is stored), and, unless multiline, no line breaks
// of any kind. Multiline text may hold LF, CR LF and tabs. The error
// names field.
func FreeText(field, value string, multiline bool) error {
	if !utf8.ValidString(value) {
		return Errorf(field, "must be valid UTF-8 text")
	}
	for _, r := range value {
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			if !multiline || r != '\n' && r != '\r' {
				return Errorf(field, "must be one line (no line breaks)")
			}
		case r == '\t' && multiline:
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			return Errorf(field, "must not contain control characters (found U+%04X)", r)
		case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			return Errorf(field, "must not contain bidirectional override characters (found U+%04X)", r)
		}
	}
	return nil
}

// Phone checks a phone number in E.164 form: "+", a country code and
// subscriber number, 8 to 15 digits in all ("+61412345678"). Spaces,
// dashes and brackets are not accepted: SMS needs the canonical form.
func Phone(field, value string) error {
	digits, ok := strings.CutPrefix(value, "+")
	if !ok || len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
		return Errorf(field, "must be a phone number in international form such as +61412345678")
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return Errorf(field, "must be a phone number in international form such as +61412345678")
		}
	}
	return nil
}
