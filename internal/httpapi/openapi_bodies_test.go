package httpapi_test

import (
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/carebill/carebill/internal/openapitest"
	"github.com/carebill/carebill/internal/payment"
)

// TestPaymentBodyIsDescribedAsDecoded: POST /v1/payments is described
// exactly as the API reads it. The members it refuses a body without are
// required in the document, the method is the domain's closed set, and
// each required member left out is a 400 that records nothing.
func TestPaymentBodyIsDescribedAsDecoded(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	doc := openapitest.Load(t, a.h)
	op := doc.Paths.Find("/v1/payments").Post
	if op == nil || op.RequestBody == nil {
		t.Fatal("no POST /v1/payments body in the document")
	}
	body := op.RequestBody.Value.Content.Get("application/json").Schema.Value
	required := []string{"amount", "clientId", "method"}
	got := slices.Sorted(slices.Values(body.Required))
	if !slices.Equal(got, required) {
		t.Errorf("required = %v, want %v", got, required)
	}
	var methods []string
	for _, v := range body.Properties["method"].Value.Enum {
		methods = append(methods, v.(string))
	}
	var want []string
	for _, m := range payment.Methods {
		want = append(want, string(m))
	}
	if !slices.Equal(methods, want) {
		t.Errorf("method enum = %v, want %v", methods, want)
	}
	if p := body.Properties["amount"].Value; p.Pattern != "^-?[0-9]+(\\.[0-9]+)?$" {
		t.Errorf("the required amount may be sent empty: %+v", p)
	}
	alloc := body.Properties["allocations"].Value.Items.Value
	if got := slices.Sorted(slices.Values(alloc.Required)); !slices.Equal(got, []string{"amount", "invoiceId"}) {
		t.Errorf("allocations[] required = %v", got)
	}
	for _, f := range []string{"currency", "date"} { // the client's currency; today
		if body.Properties[f] == nil || slices.Contains(body.Required, f) {
			t.Errorf("%s is optional: %v", f, body.Required)
		}
	}

	s := a.signup("Described Payments Care")
	cid, _ := finalizedInvoice(s, "Ada Described")
	full := map[string]any{"clientId": cid, "amount": "5.00", "method": "cash"}
	for _, f := range required {
		b := map[string]any{}
		for k, v := range full {
			if k != f {
				b[k] = v
			}
		}
		if r := s.do("POST", "/v1/payments", b); r.status != 400 || r.str("error", "field") != f {
			t.Errorf("without %s: %d %s, want 400 naming it", f, r.status, r.raw)
		}
	}
	if l := s.must(200, "GET", "/v1/payments", nil).list(); len(l) != 0 {
		t.Fatalf("a body missing a required member was recorded: %d payments", len(l))
	}
	s.must(201, "POST", "/v1/payments", full)
	// The document's schema accepts what the API accepts.
	if err := openapi3.NewSchemaRef("", body).Value.VisitJSON(full); err != nil {
		t.Errorf("the documented body refuses an accepted payment: %v", err)
	}
}
