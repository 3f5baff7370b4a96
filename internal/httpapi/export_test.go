package httpapi

import (
	"net/http"
	"net/http/httptest"
)

// Patterns lists the route patterns behind a handler New or NewPayments
// built ("POST /v1/invoices", "PATCH /v1/clients/{id}" …), found through
// a ServeMux that mounts it under /v1/ as the functions' wiring does.
func Patterns(h http.Handler) []string {
	if mux, ok := h.(*http.ServeMux); ok {
		h, _ = mux.Handler(httptest.NewRequest(http.MethodGet, "/v1/org", nil))
	}
	return h.(*api).patterns
}

// DescribedRoutes lists the routes the OpenAPI document describes
// (routeDocs).
func DescribedRoutes() []string {
	out := make([]string, 0, len(routeDocs))
	for p := range routeDocs {
		out = append(out, p)
	}
	return out
}
