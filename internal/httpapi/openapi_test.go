package httpapi_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/httpapi"
	"github.com/carebill/carebill/internal/openapitest"
)

// TestEveryRouteIsDescribed holds the OpenAPI document to the routers' own
// tables: every route the invoicing, payments and documents functions
// register has an entry in routeDocs, and every entry is a route one of
// them serves.
func TestEveryRouteIsDescribed(t *testing.T) {
	t.Parallel()
	c := newCardAPI(t)
	served := map[string]bool{}
	for _, p := range c.routes() {
		if !strings.Contains(p, " ") {
			continue // a catch-all such as "/v1/": answers 404 or hands on to the signed-in routes
		}
		served[p] = true
	}
	described := httpapi.DescribedRoutes()
	for p := range served {
		if !slices.Contains(described, p) {
			t.Errorf("route %q has no description: add it to routeDocs in internal/httpapi/openapi_routes.go, "+
				`e.g. %q: {Summary: "…", Body: fooBody{}, Reply: fooResponse{}},`, p, p)
		}
	}
	for _, p := range described {
		if !served[p] {
			t.Errorf("routeDocs describes %q, which no function serves", p)
		}
	}
	if len(served) < 80 {
		t.Fatalf("found only %d routes: is the route table walked?", len(served))
	}
}

// TestOpenAPIDocument: the document is served without sign-in, is valid
// OpenAPI 3.1, and writes no amount as a JSON number.
func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	r := a.anon().must(200, "GET", "/v1/openapi.json", nil)
	if r.str("openapi") != "3.1.0" {
		t.Fatalf("openapi = %q", r.str("openapi"))
	}
	doc := openapitest.Load(t, a.h)
	if doc.Paths.Find("/v1/invoices/{id}") == nil || doc.Paths.Find("/v1/invoices/{id}").Get == nil {
		t.Fatalf("no GET /v1/invoices/{id} in the document")
	}
	var numbers []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["type"] == "number" {
				numbers = append(numbers, path)
			}
			for k, e := range v {
				walk(path+"/"+k, e)
			}
		case []any:
			for i, e := range v {
				walk(fmt.Sprintf("%s/%d", path, i), e)
			}
		}
	}
	var raw any
	if err := json.Unmarshal([]byte(r.raw), &raw); err != nil {
		t.Fatal(err)
	}
	walk("", raw)
	if len(numbers) > 0 {
		t.Errorf("JSON numbers in the document (amounts are decimal strings): %v", numbers)
	}
	// Every amount in an invoice is a decimal string.
	inv := doc.Components.Schemas["InvoiceResponse"]
	if inv == nil {
		t.Fatal("no InvoiceResponse schema")
	}
	for _, f := range []string{"subtotal", "taxTotal", "total", "balance", "amountPaid"} {
		p := inv.Value.Properties[f]
		if p == nil || !p.Value.Type.Is("string") || p.Value.Pattern == "" {
			t.Errorf("InvoiceResponse.%s is not a decimal string: %+v", f, p)
		}
	}
}
