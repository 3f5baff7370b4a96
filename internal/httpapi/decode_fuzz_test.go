package httpapi

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/carebill/carebill/internal/validation"
)

// FuzzDecodeBody feeds the one strict decoder arbitrary bytes as the
// bodies of the widest routes (an invoice, an org patch, a client). It
// must never panic; every refusal must be one the error map turns into a
// 400 (malformed JSON or a field named); and whatever it accepts must be
// valid JSON whose every string passed the free-text rule.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{
		`{"clientId":"cli_x","name":"N","lineItems":[{"type":"fixed","description":"d","amount":"100.00","discount":"1"}]}`,
		`{"name":null,"memo":"a\nb","fees":[{"description":"f","amount":"1"}]}`,
		`{"feePolicy":{"mode":"pass_through","percent":"1.75"},"address":"1 Road\nTown"}`,
		`{"contacts":[{"name":"Zoë","email":"z@example.com","primary":true}],"funding":{"type":"plan_managed"}}`,
		`{"a":1,"a":2}`, `{"NAME":"x"}`, "{\"name\":\"a\xffb\"}", `{"name":"a\u202eb"}`, `[]`, `{} {}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, dst := range []any{new(invoiceBody), new(orgPatch), new(clientBody)} {
			err := decodeBytes(body, dst)
			if err != nil {
				if _, ok := validation.As(err); !ok && !errors.Is(err, errBadJSON) {
					t.Fatalf("decode %q into %T: %v is neither malformed JSON nor a field error (would be a 500)", body, dst, err)
				}
				continue
			}
			if !json.Valid(body) {
				t.Fatalf("decode accepted invalid JSON %q into %T", body, dst)
			}
			eachString(reflect.ValueOf(dst), func(s string) {
				if validation.FreeText("", s, true) != nil {
					t.Fatalf("decode of %q let %q past the free-text rule", body, s)
				}
			})
		}
	})
}

func eachString(v reflect.Value, fn func(string)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			eachString(v.Elem(), fn)
		}
	case reflect.String:
		fn(v.String())
	case reflect.Struct:
		for i := range v.NumField() {
			eachString(v.Field(i), fn)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			eachString(v.Index(i), fn)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			eachString(it.Key(), fn)
			eachString(it.Value(), fn)
		}
	}
}
