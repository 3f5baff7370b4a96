package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

// maxBody caps request bodies; a 500-line invoice is far below it.
const maxBody = 1 << 20

// errBadJSON marks a body that is not the JSON the route expects.
var errBadJSON = errors.New("malformed JSON")

// decode reads exactly one JSON object into dst, refusing unknown fields,
// trailing data and oversized bodies.
func decode(r *http.Request, dst any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return fmt.Errorf("%w: %v", errBadJSON, err)
	}
	if len(body) > maxBody {
		return errTooLarge
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("%w: %s", errBadJSON, describeJSONError(err))
	}
	if dec.More() {
		return fmt.Errorf("%w: unexpected data after the JSON object", errBadJSON)
	}
	return nil
}

var errTooLarge = errors.New("request body is too large")

func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("%s must be %s (amounts and quantities are strings such as \"2055.00\")", typ.Field, jsonKind(typ.Type.Kind().String()))
		}
		return "wrong JSON type"
	case errors.Is(err, io.EOF):
		return "empty body"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "not valid JSON"
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	case "bool":
		return "true or false"
	}
	return "a number"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// list is the shape of every list response.
type list[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// opt is a PATCH field: absent, null, or a value.
type opt[T any] struct {
	Set  bool
	Null bool
	V    T
}

func (o *opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// Decimal limits for text read from requests; the domain checks the
// tighter, field-specific rules.
var (
	amountLimits = money.Limits{MaxPlaces: 4, Max: decimal.NewFromInt(1_000_000_000)}
	rateLimits   = money.Limits{MaxPlaces: 4, Max: decimal.NewFromInt(100)}
)

func parseDec(field, s string, lim money.Limits) (decimal.Decimal, error) {
	d, err := money.ParseDecimal(s, lim)
	if err != nil {
		return decimal.Zero, validation.Errorf(field, "%s", strings.TrimPrefix(err.Error(), money.ErrInvalidDecimal.Error()+": "))
	}
	return d, nil
}

func parseOptDec(field, s string, lim money.Limits) (decimal.Decimal, error) {
	if s == "" {
		return decimal.Zero, nil
	}
	return parseDec(field, s, lim)
}

func parseDate(field, s string) (calendar.Date, error) {
	if s == "" {
		return calendar.Date{}, nil
	}
	d, err := calendar.Parse(s)
	if err != nil {
		return d, validation.Errorf(field, "must be a date written YYYY-MM-DD")
	}
	return d, nil
}

func parseCurrency(field, s string) (money.Currency, error) {
	c, err := money.ParseCurrency(s)
	if err != nil {
		return c, validation.Errorf(field, "%q is not an ISO 4217 currency code such as AUD", s)
	}
	return c, nil
}
