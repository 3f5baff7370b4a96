package httpapi

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

// maxBody caps request bodies; a 500-line invoice is far below it.
const maxBody = 1 << 20

// errBadJSON marks a body that is not the JSON the route expects.
var errBadJSON = errors.New("malformed JSON")

// errMediaType marks a body sent as something other than application/json.
var errMediaType = errors.New("send the body as Content-Type: application/json")

var errTooLarge = errors.New("request body is too large")

// decodeOptions is the one rule set for every JSON body, applied at every
// depth: member names match exactly (no case folding), unknown members,
// duplicate names and invalid UTF-8 are refused, and every string passes
// the free-text rule (see textRule). Errors carry the JSON path.
var decodeOptions = json.JoinOptions(
	json.RejectUnknownMembers(true),
	json.MatchCaseInsensitiveNames(false),
	jsontext.AllowDuplicateNames(false),
	jsontext.AllowInvalidUTF8(false),
	json.WithUnmarshalers(json.JoinUnmarshalers(
		json.UnmarshalFromFunc(func(dec *jsontext.Decoder, s *string) error { return decodeText(dec, s, false) }),
		json.UnmarshalFromFunc(func(dec *jsontext.Decoder, p *paragraph) error {
			var s string
			err := decodeText(dec, &s, true)
			*p = paragraph(s)
			return err
		}),
	)),
)

// paragraph is free text that may span lines (an address, a memo, an email
// body). Every other string field is one line.
type paragraph string

// decodeText reads one JSON string (or null, leaving "") and applies the
// free-text rule; other JSON kinds fall through to the default, which
// refuses them with a type error.
func decodeText(dec *jsontext.Decoder, dst *string, multiline bool) error {
	if dec.PeekKind() != '"' {
		return json.SkipFunc
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	s := tok.String()
	if err := validation.FreeText("", s, multiline); err != nil {
		return err
	}
	*dst = s
	return nil
}

// decode reads exactly one JSON object sent as application/json into dst
// under decodeOptions, refusing trailing data and oversized bodies.
func decode(r *http.Request, dst any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return errMediaType
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return errTooLarge
		}
		return fmt.Errorf("%w: %v", errBadJSON, err)
	}
	if len(body) > maxBody {
		return errTooLarge
	}
	return decodeBytes(body, dst)
}

// decodeBytes is decode without the request: one JSON value under
// decodeOptions, nothing after it.
func decodeBytes(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Errorf("%w: empty body", errBadJSON)
	}
	dec := jsontext.NewDecoder(bytes.NewReader(body), decodeOptions)
	if err := json.UnmarshalDecode(dec, dst, decodeOptions); err != nil {
		return describeJSONError(err)
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return fmt.Errorf("%w: unexpected data after the JSON object", errBadJSON)
	}
	return nil
}

// describeJSONError turns a decoding error into a validation error naming
// the field path ("lineItems[0].discont") or a malformed-JSON error.
func describeJSONError(err error) error {
	var sem *json.SemanticError
	var syn *jsontext.SyntacticError
	switch {
	case errors.As(err, &sem):
		path := fieldPath(sem.JSONPointer)
		if v, ok := validation.As(sem.Err); ok {
			return validation.Errorf(path, "%s", v.Message)
		}
		switch {
		case errors.Is(sem.Err, json.ErrUnknownName):
			return validation.Errorf(path, "is not a field of this request (names are case-sensitive)")
		case sem.GoType != nil && sem.JSONKind != 0:
			if path == "" {
				return fmt.Errorf("%w: the body must be a JSON object", errBadJSON)
			}
			return validation.Errorf(path, "must be %s (amounts and quantities are strings such as \"2055.00\")", jsonKind(sem.GoType))
		}
		return fmt.Errorf("%w: at %s", errBadJSON, orBody(path))
	case errors.As(err, &syn):
		path := fieldPath(syn.JSONPointer)
		if errors.Is(syn.Err, jsontext.ErrDuplicateName) {
			return validation.Errorf(path, "appears more than once")
		}
		if strings.Contains(syn.Error(), "UTF-8") {
			return validation.Errorf(orBody(path), "must be valid UTF-8 text")
		}
		return fmt.Errorf("%w: syntax error at byte %d", errBadJSON, syn.ByteOffset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: the body ends before the JSON does", errBadJSON)
	}
	return fmt.Errorf("%w: not valid JSON", errBadJSON)
}

func orBody(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

// fieldPath writes a JSON pointer ("/lineItems/0/discont") the way error
// messages name fields ("lineItems[0].discont").
func fieldPath(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if n, err := strconv.Atoi(tok); err == nil && n >= 0 && (tok == "0" || tok[0] != '0') {
			fmt.Fprintf(&b, "[%d]", n)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Bool:
		return "true or false"
	}
	return "a number"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := stdjson.NewEncoder(w)
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

// UnmarshalJSONFrom reads the field under the decoder's options, so the
// strict rules reach inside optional objects too.
func (o *opt[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	o.Set = true
	if dec.PeekKind() == 'n' {
		o.Null = true
		_, err := dec.ReadToken()
		return err
	}
	return json.UnmarshalDecode(dec, &o.V)
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
