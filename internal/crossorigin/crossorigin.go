// Package crossorigin is the one guard every browser-facing handler
// shares (the coordinator API, the payments function and the client
// portal): browsers' cross-origin writes are refused, and browsers are told
// to use HTTPS only.
//
// The check is Go's net/http CrossOriginProtection: a POST, PUT, PATCH or
// DELETE whose Sec-Fetch-Site is anything but same-origin or none, or
// (from browsers too old to send it) whose Origin names another host, is
// refused. Requests without either header are not from a browser page
// (curl, server-to-server webhooks) and pass; they carry no ambient
// cookies an attacker could borrow. This closes login CSRF on /auth/login
// and /auth/signup, which no session token can protect.
//
// It is carebill's only CSRF mechanism: there is no double-submit or
// per-form token. That suffices for the browsers carebill supports: every
// browser since March 2023 sends Sec-Fetch-Site (which a page cannot set),
// older ones send Origin on a cross-origin POST, the session cookies are
// SameSite (Strict for the API, Lax for the portal) so another site's page
// does not carry them, and HSTS closes the fallback's HTTP-to-HTTPS gap. A
// browser sending neither header (before 2019) is not supported.
package crossorigin

import "net/http"

// HSTS is the Strict-Transport-Security value every response carries: two
// years, subdomains included (RFC 6797).
const HSTS = "max-age=63072000; includeSubDomains"

// Protect wraps next so that cross-origin browser writes get deny's
// answer instead, and every response carries HSTS.
func Protect(next, deny http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(deny)
	guarded := p.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", HSTS)
		guarded.ServeHTTP(w, r)
	})
}
