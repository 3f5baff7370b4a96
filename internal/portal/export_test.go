package portal

import "net/http"

// Patterns lists the route patterns of a handler New built ("GET
// /pay/{token}", "POST /portal/{org}/pay-all" …), the catch-all "/" too.
func Patterns(h http.Handler) []string { return h.(*handler).patterns }
