package httpapi

import "net/http"

// Patterns lists the route patterns behind a handler New or NewPayments
// built ("POST /v1/invoices", "PATCH /v1/clients/{id}" …).
func Patterns(h http.Handler) []string { return h.(*api).patterns }
