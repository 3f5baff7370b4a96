package httpapi

import (
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/carebill/carebill/internal/payment"
)

// schema is one JSON Schema (draft 2020-12, as OpenAPI 3.1 uses it),
// written as the JSON it marshals to.
type schema = map[string]any

// decimalPattern is every amount, quantity and rate on the wire: a plain
// decimal string such as "2055.00", "0.25" or "-3" (money.ParseDecimal
// reads exactly these; never a JSON number).
const decimalPattern = `^-?[0-9]+(\.[0-9]+)?$`

// decimalFields are the JSON names whose string values are amounts,
// quantities or rates. A field so named is documented as a decimal string
// on every route, and the response validation in the API tests holds the
// API to it; a new money field with another name belongs here.
var decimalFields = map[string]bool{
	"amount": true, "amountCredited": true, "amountPaid": true, "balance": true, "base": true,
	"clientCredit": true, "closingBalance": true, "credit": true, "credited": true,
	"discount": true, "feeTotal": true, "fixed": true, "invoiced": true, "keptCredit": true,
	"keptOwing": true, "ledgerCredit": true, "ledgerOwing": true, "left": true, "lineTotal": true,
	"openingBalance": true, "owing": true, "paid": true, "percent": true, "price": true,
	"processingFee": true, "quantity": true, "rate": true, "refunded": true, "subtotal": true,
	"tax": true, "taxRate": true, "taxTotal": true, "total": true, "value": true,
	"national": true, "remote": true, "veryRemote": true,
}

// dateFields are the JSON names whose string values are dates written
// YYYY-MM-DD.
var dateFields = map[string]bool{
	"date": true, "dueDate": true, "issueDate": true, "periodStart": true, "periodEnd": true,
	"eventDate": true, "commissionPaidDate": true, "asAt": true,
}

// enums are the Go string types whose values are a closed set, with that
// set as the domain defines it; a field of such a type is documented with
// its enum. A request field of a new closed type belongs here.
var enums = map[reflect.Type][]string{
	reflect.TypeFor[payment.Method](): names(payment.Methods),
}

func names[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// schemas turns the Go types handlers decode and encode into JSON Schemas.
// Reply types become named components (#/components/schemas/…); request
// bodies are written inline and closed (additionalProperties: false), as
// the strict decoder refuses unknown fields.
type schemas struct {
	components map[string]schema
	names      map[reflect.Type]string
}

func newSchemas() *schemas {
	return &schemas{components: map[string]schema{}, names: map[reflect.Type]string{}}
}

var (
	timeType  = reflect.TypeFor[time.Time]()
	paraType  = reflect.TypeFor[paragraph]()
	anyType   = reflect.TypeFor[any]()
	schemaTyp = reflect.TypeFor[schema]()
)

// of is the schema of a value handlers take or give: a Go value (reflected)
// or a schema written by hand.
func (s *schemas) of(v any, request bool) schema {
	if sc, ok := v.(schema); ok {
		return sc
	}
	return s.forType(reflect.TypeOf(v), request, "")
}

// forType is t's schema; name is the JSON name of the field holding it,
// which marks decimal and date strings.
func (s *schemas) forType(t reflect.Type, request bool, name string) schema {
	if t == timeType {
		return schema{"type": "string", "format": "date-time"}
	}
	if t == schemaTyp || t == anyType {
		return schema{}
	}
	if elem, ok := optElem(t); ok {
		inner := s.forType(elem, request, name)
		return schema{"anyOf": []any{inner, schema{"type": "null"}}}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return s.forType(t.Elem(), request, name)
	case reflect.String:
		out := schema{"type": "string"}
		if vals, ok := enums[t]; ok {
			out["enum"] = slices.Clone(vals)
			return out
		}
		switch {
		case decimalFields[name] && request:
			// The API reads an optional amount sent as "" as not sent.
			out["pattern"] = "^(" + decimalPattern[1:len(decimalPattern)-1] + ")?$"
			out["description"] = "a decimal string, never a JSON number; \"\" is the same as leaving it out"
		case decimalFields[name]:
			out["pattern"] = decimalPattern
			out["description"] = "a decimal string, never a JSON number"
		case dateFields[name] && request:
			return schema{"anyOf": []any{schema{"type": "string", "format": "date"}, schema{"const": ""}},
				"description": "YYYY-MM-DD; \"\" is the same as leaving it out"}
		case dateFields[name]:
			out["format"] = "date"
		}
		if t == paraType {
			out["description"] = "free text; may span lines"
		}
		return out
	case reflect.Bool:
		return schema{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return schema{"type": "integer"}
	case reflect.Slice, reflect.Array:
		return schema{"type": "array", "items": s.forType(t.Elem(), request, name)}
	case reflect.Map:
		return schema{"type": "object", "additionalProperties": s.forType(t.Elem(), request, name)}
	case reflect.Struct:
		return s.object(t, request)
	case reflect.Interface:
		return schema{}
	}
	panic("openapi: no schema for Go type " + t.String())
}

// optElem reports whether t is a PATCH field opt[T], and T.
func optElem(t reflect.Type) (reflect.Type, bool) {
	if t.Kind() != reflect.Struct || !strings.HasPrefix(t.Name(), "opt[") {
		return nil, false
	}
	f, ok := t.FieldByName("V")
	return f.Type, ok
}

// object is a struct's schema: a reference to a named component for
// replies, inline for requests and anonymous structs.
func (s *schemas) object(t reflect.Type, request bool) schema {
	if request || t.Name() == "" || strings.Contains(t.Name(), "[") {
		return s.properties(t, request)
	}
	name, ok := s.names[t]
	if !ok {
		name = componentName(t, s.components)
		s.names[t] = name
		s.components[name] = nil // reserved: a type may refer to itself
		s.components[name] = s.properties(t, false)
	}
	return schema{"$ref": "#/components/schemas/" + name}
}

func componentName(t reflect.Type, taken map[string]schema) string {
	name := strings.ToUpper(t.Name()[:1]) + t.Name()[1:]
	if _, clash := taken[name]; clash {
		pkg := t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:]
		name = strings.ToUpper(pkg[:1]) + pkg[1:] + name
	}
	return name
}

// properties lists a struct's JSON members. In a reply a member without
// omitempty is always present (required). In a request a member tagged
// `openapi:"required"` is one the decoder refuses a body without (400
// naming it), and it may not be sent empty; untagged members are
// optional or refused by the use case with 422.
func (s *schemas) properties(t reflect.Type, request bool) schema {
	props := schema{}
	var required []string
	s.collect(t, request, props, &required)
	out := schema{"type": "object", "properties": props}
	if request {
		out["additionalProperties"] = false
	}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

func (s *schemas) collect(t reflect.Type, request bool, props schema, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				s.collect(ft, request, props, required)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		mustSend := request && f.Tag.Get("openapi") == "required"
		// A required member is described as a reply's is: a decimal or
		// date the decoder reads as not sent when "" cannot be "".
		sc := s.forType(f.Type, request && !(mustSend && f.Type.Kind() == reflect.String), name)
		omit := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		if !request && f.Type.Kind() == reflect.Pointer && !omit {
			sc = schema{"anyOf": []any{sc, schema{"type": "null"}}}
		}
		props[name] = sc
		if (!request && !omit) || mustSend {
			*required = append(*required, name)
		}
	}
}
