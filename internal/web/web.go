// Package web is the coordinator's hosted UI: page shells rendered from
// html/template sources when the code is generated (rendered.go), and small
// vanilla JavaScript modules, all embedded, served by the invoicing
// function next to the JSON API. Pages carry no data and need no sign-in;
// their scripts load everything through the API with the session cookie,
// and an API 401 sends the browser to /app/login. Money is never computed
// in the browser: the API's totals are shown as its decimal strings,
// formatted by string manipulation with the table currencyTable derives
// from money.Display.
package web

import (
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/carebill/carebill/internal/id"
)

//go:embed static
var staticFiles embed.FS

// page is one screen of the UI.
type page struct {
	Template string // file under templates/
	Title    string
	Script   string // module under static/, the page's only script
	Nav      string // the navigation entry it belongs to
	Public   bool   // sign-in screens: no navigation, nothing to load first
	IDKind   string // the id prefix its {id} path segment must carry, if any
}

var pages = map[string]page{
	"login":     {Template: "login.html", Title: "Sign in", Script: "js/login.js", Public: true},
	"signup":    {Template: "signup.html", Title: "Create your account", Script: "js/signup.js", Public: true},
	"clients":   {Template: "clients.html", Title: "Clients", Script: "js/clients.js", Nav: "clients"},
	"client":    {Template: "client.html", Title: "Client", Script: "js/client.js", Nav: "clients", IDKind: id.Client},
	"invoices":  {Template: "invoices.html", Title: "Invoices", Script: "js/invoices.js", Nav: "invoices"},
	"builder":   {Template: "builder.html", Title: "Invoice builder", Script: "js/builder.js", Nav: "invoices"},
	"editor":    {Template: "builder.html", Title: "Invoice builder", Script: "js/builder.js", Nav: "invoices", IDKind: id.Invoice},
	"invoice":   {Template: "invoice.html", Title: "Invoice", Script: "js/invoice.js", Nav: "invoices", IDKind: id.Invoice},
	"settings":  {Template: "settings.html", Title: "Settings", Script: "js/settings.js", Nav: "settings"},
	"activity":  {Template: "activity.html", Title: "Activity", Script: "js/feed.js", Nav: "activity"},
	"cycles":    {Template: "cycles.html", Title: "Billing cycles", Script: "js/cycles.js", Nav: "cycles"},
	"statement": {Template: "statement.html", Title: "Statement", Script: "js/statement.js", Nav: "cycles", IDKind: id.Statement},
	"runs":      {Template: "runs.html", Title: "Invoice runs", Script: "js/runs.js", Nav: "runs"},
	"run":       {Template: "run.html", Title: "Invoice run", Script: "js/run.js", Nav: "runs", IDKind: "run"},
	"notfound":  {Template: "notfound.html", Title: "Not found", Script: "js/layout.js"},
	"dashboard": {Template: "dashboard.html", Title: "Dashboard", Script: "js/dashboard.js", Nav: "dashboard"},
	"sessions":  {Template: "sessions.html", Title: "Sessions", Script: "js/sessions.js", Nav: "sessions"},
	"tasks":     {Template: "tasks.html", Title: "NDIS tasks", Script: "js/tasks.js", Nav: "tasks"},
	"cases":     {Template: "cases.html", Title: "Cases", Script: "js/cases.js", Nav: "cases"},
	"case":      {Template: "case.html", Title: "Case", Script: "js/case.js", Nav: "cases", IDKind: "case"},
	"exports":   {Template: "exports.html", Title: "Exports", Script: "js/exports.js", Nav: "exports"},
}

// home is where "/" and "/app" lead: the dashboard. It is an explicit page
// path rather than "/app/", which API Gateway's /app/{proxy+} route may not match.
const home = "/app/dashboard"

// Content-Security-Policy of every UI response: scripts, styles, fetches
// and fonts only from this origin, nothing inline; images also from https
// (an org's logo URL).
const csp = "default-src 'self'; img-src 'self' https:; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

type ui struct {
	assets *assets
	pages  map[string]func() ([]byte, error) // page name → its HTML, rendered.go
	log    *slog.Logger
}

// New builds the UI handler: GET / and /app redirect to the dashboard,
// /app/… are pages, /static/… the embedded assets. Mount it beside the
// API; it answers every path it is given, with a 404 page for unknown ones.
func New(log *slog.Logger) (http.Handler, error) {
	_, h, err := build(log)
	return h, err
}

// build is New, also returning the ui its handler serves.
func build(log *slog.Logger) (*ui, http.Handler, error) {
	if log == nil {
		log = slog.Default()
	}
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, nil, fmt.Errorf("web: %w", err)
	}
	a, err := newAssets(static)
	if err != nil {
		return nil, nil, fmt.Errorf("web: %w", err)
	}
	u := &ui{assets: a, pages: renderedPages(a), log: log}

	mux := http.NewServeMux()
	mux.Handle("GET /{$}", redirect(home))
	mux.Handle("GET /app", redirect(home))
	mux.Handle("GET /app/{$}", u.page("dashboard"))
	mux.Handle("GET /app/dashboard", u.page("dashboard"))
	mux.Handle("GET /app/sessions", u.page("sessions"))
	mux.Handle("GET /app/tasks", u.page("tasks"))
	mux.Handle("GET /app/cases", u.page("cases"))
	mux.Handle("GET /app/cases/{id}", u.page("case"))
	mux.Handle("GET /app/exports", u.page("exports"))
	mux.Handle("GET /app/clients", u.page("clients"))
	mux.Handle("GET /app/clients/{id}", u.page("client"))
	mux.Handle("GET /app/invoices", u.page("invoices"))
	mux.Handle("GET /app/invoices/new", u.page("builder"))
	mux.Handle("GET /app/invoices/{id}", u.page("invoice"))
	mux.Handle("GET /app/invoices/{id}/edit", u.page("editor"))
	mux.Handle("GET /app/settings", u.page("settings"))
	mux.Handle("GET /app/activity", u.page("activity"))
	mux.Handle("GET /app/cycles", u.page("cycles"))
	mux.Handle("GET /app/statements/{id}", u.page("statement"))
	mux.Handle("GET /app/runs", u.page("runs"))
	mux.Handle("GET /app/runs/{id}", u.page("run"))
	mux.Handle("GET /app/login", u.page("login"))
	mux.Handle("GET /app/signup", u.page("signup"))
	mux.Handle("GET /static/", a)
	mux.HandleFunc("/", u.notFound)
	return u, secure(mux), nil
}

// secure sets the headers every UI response carries.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

func redirect(to string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, to, http.StatusFound)
	})
}

// page serves one page; a path id of the wrong kind is a 404.
// sessionCookie is the API's HttpOnly session cookie (httpapi's
// carebill_session). The page only checks that it is there; the API
// judges it.
const sessionCookie = "carebill_session"

// crossSiteNavigation reports a navigation from another site (a link in
// an email): the browser withholds the SameSite=Strict session cookie from
// it but sends it with the page's own API calls, so its absence proves
// nothing and the page is served.
func crossSiteNavigation(r *http.Request) bool {
	s := r.Header.Get("Sec-Fetch-Site")
	return s == "cross-site" || s == "same-site"
}

func (u *ui) page(name string) http.Handler {
	p := pages[name]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.Public && !crossSiteNavigation(r) {
			if c, err := r.Cookie(sessionCookie); err != nil || c.Value == "" {
				// Signed out: to sign in and back, before the page's
				// first API call would be refused (and logged) as a 401.
				http.Redirect(w, r, "/app/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
		}
		var pathID string
		if p.IDKind != "" {
			pathID = r.PathValue("id")
			if !id.Valid(p.IDKind, pathID) {
				u.notFound(w, r)
				return
			}
		}
		u.render(w, r, http.StatusOK, name, pathID)
	})
}

func (u *ui) notFound(w http.ResponseWriter, r *http.Request) {
	u.render(w, r, http.StatusNotFound, "notfound", "")
}

// render serves a page with the path's id (checked against the page's
// IDKind, "" for none) in place.
func (u *ui) render(w http.ResponseWriter, r *http.Request, status int, name, pathID string) {
	b, err := u.pages[name]()
	if err == nil {
		b = withID(b, pathID)
	}
	if err != nil {
		u.log.ErrorContext(r.Context(), "render page", slog.String("page", name), slog.String("error", err.Error()))
		http.Error(w, "This page could not be shown; the error has been logged.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b)
	}
}
