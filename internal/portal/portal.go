// Package portal is what an org's clients see: the pay page a pay link
// opens (GET /pay/{token}, its PDF at /pay/{token}/pdf) and the client
// portal under /portal/{orgId}, where a client signs in with a link mailed
// to an address on file and sees all their invoices. Pages are server-
// rendered html/template with one small stylesheet and no JavaScript.
//
// Pay and sign-in URLs carry secrets, so every response forbids caching,
// framing and referrers, and the Content-Security-Policy allows no script
// at all.
package portal

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/clientauth"
	"github.com/carebill/carebill/internal/crossorigin"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/paylink"
	"github.com/carebill/carebill/internal/requestlog"
	"github.com/carebill/carebill/internal/statement"
)

//go:embed static/portal.css
var stylesheet []byte

// icon is the pages' favicon: linked, so browsers do not ask for a
// /favicon.ico that is not there.
//
//go:embed static/icon.svg
var icon []byte

// PayLinks resolves pay links (billing.Service).
type PayLinks interface {
	OpenPayLink(ctx context.Context, token string) (billing.InvoiceView, *org.Org, error)
	RecordViewed(ctx context.Context, inv *invoice.Invoice, how, viewer string) error
	// OpenPayAll resolves a pay-all link; IssuePayAllLink makes one for
	// the portal's Pay all button.
	OpenPayAll(ctx context.Context, token string) (billing.PayAll, *org.Org, error)
	IssuePayAllLink(ctx context.Context, orgID, clientID, base string) (string, error)
}

// Statements are a client's statements as the portal lists and prints
// them (billing.Statements lists, documents.Renderer prints).
type Statements interface {
	// ClientStatements lists a client's statements, newest first, at most limit.
	ClientStatements(ctx context.Context, orgID, clientID string, limit int) ([]*statement.Statement, error)
	StatementPDF(ctx context.Context, orgID, id string) ([]byte, *statement.Statement, error)
}

// Config is what the portal needs.
type Config struct {
	PayLinks PayLinks
	// PDF renders an invoice as the client receives it (documents.Renderer's InvoicePDF).
	PDF    clientauth.RenderPDF
	Access *clientauth.Service
	Log    *slog.Logger
	// PublicBaseURL is the scheme and host clients reach the portal at,
	// for the links in sign-in emails. Required: never the request's Host.
	PublicBaseURL string

	// Statements lists and prints the signed-in client's statements.
	Statements Statements
}

type server struct {
	Config
	cssPath  string // content-hashed, so it can be cached for good
	iconPath string
}

// New builds the portal's handler, serving GET /pay/{token},
// GET /pay/{token}/pdf and everything under /portal/.
func New(cfg Config) (http.Handler, error) {
	if cfg.PayLinks == nil || cfg.PDF == nil || cfg.Access == nil || cfg.Statements == nil {
		return nil, errors.New("portal: pay links, PDF rendering, client access and statements are required")
	}
	if u, err := url.Parse(cfg.PublicBaseURL); cfg.PublicBaseURL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("portal: public base URL %q must be an origin such as https://billing.example.com", cfg.PublicBaseURL)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(requestlog.NewHandler(slog.Default().Handler()))
	}
	sum := sha256.Sum256(stylesheet)
	s := &server{Config: cfg, cssPath: "/portal/assets/portal." + hex.EncodeToString(sum[:6]) + ".css"}
	isum := sha256.Sum256(icon)
	s.iconPath = "/portal/assets/icon." + hex.EncodeToString(isum[:6]) + ".svg"

	mux := routes{ServeMux: http.NewServeMux(), patterns: new([]string)}
	mux.HandleFunc("GET /pay/{token}", s.payPage)
	mux.HandleFunc("GET /pay/{token}/pdf", s.payPDF)
	mux.HandleFunc("GET /pay-all/{token}", s.payAllPage)
	mux.HandleFunc("GET "+s.cssPath, s.asset)
	mux.HandleFunc("GET "+s.iconPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		_, _ = w.Write(icon)
	})
	mux.HandleFunc("GET /portal/{org}", s.signInPage)
	mux.HandleFunc("POST /portal/{org}/login", s.requestLink)
	mux.HandleFunc("GET /portal/{org}/auth/{token}", s.redeem)
	mux.HandleFunc("GET /portal/{org}/invoices", s.invoices)
	mux.HandleFunc("GET /portal/{org}/invoices/{id}/pdf", s.invoicePDF)
	mux.HandleFunc("POST /portal/{org}/logout", s.logout)
	mux.HandleFunc("POST /portal/{org}/pay-all", s.portalPayAll)
	mux.HandleFunc("GET /portal/{org}/statements/{id}/pdf", s.statementPDF)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.notFound(w, r, nil) })
	return &handler{Handler: s.observe(crossorigin.Protect(mux, http.HandlerFunc(s.crossOrigin))), patterns: *mux.patterns}, nil
}

// handler is the portal: its routes behind the shared guards, and the
// patterns it registered (the route table tests walk).
type handler struct {
	http.Handler
	patterns []string
}

// routes is the portal's router: each handler it serves first puts its
// route and the org it acts for in the request's log scope, so every line
// logged for the request carries them, the closing request line too. The
// org is the one the path names, or the one a pay link's token names
// (paylink.Parse; before the link is looked up, so a failed lookup's line
// has it too).
type routes struct {
	*http.ServeMux
	patterns *[]string // every pattern registered, in order
}

// HandleFunc registers h for pattern, as http.ServeMux does.
func (m routes) HandleFunc(pattern string, h http.HandlerFunc) {
	*m.patterns = append(*m.patterns, pattern)
	m.ServeMux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		attrs := []slog.Attr{slog.String(requestlog.Route, r.Pattern)}
		orgID := r.PathValue("org")
		if orgID == "" {
			orgID, _, _ = paylink.Parse(r.PathValue("token"))
		}
		if orgID != "" {
			attrs = append(attrs, slog.String(requestlog.Org, orgID))
		}
		requestlog.Learn(r.Context(), attrs...)
		h(w, r)
	})
}

// crossOrigin answers a form posted to the portal from another site.
func (s *server) crossOrigin(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusForbidden, "Request refused", nil, messagePage(message{
		Heading: "This request came from another site",
		Text:    "For your safety it was refused. Please use the link you were sent.",
	}))
}

// csp allows this origin's stylesheet, https images (an org's logo), forms
// to this origin and Stripe Checkout (the pay button's redirect), and no
// script. Pages add the hash of their one brand-colour style block.
const csp = "default-src 'none'; img-src 'self' https:; form-action 'self' https://checkout.stripe.com; " +
	"base-uri 'none'; frame-ancestors 'none'"

// observe sets the headers every response carries, bounds request bodies,
// logs each request and turns a panic into a 500 page. Every line logged
// for the request carries its request id, route and org (requestlog),
// the org from when the path or pay link names it.
func (s *server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		reqID := r.Header.Get("X-Request-Id")
		if reqID == "" || len(reqID) > 100 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			reqID = hex.EncodeToString(b[:])
		}
		ctx := requestlog.NewScope(r.Context())
		requestlog.Learn(ctx, slog.String(requestlog.RequestID, reqID))
		r = r.WithContext(ctx)
		h := w.Header()
		h.Set("X-Request-Id", reqID)
		h.Set("Content-Security-Policy", csp+"; style-src 'self'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if v := recover(); v != nil {
				s.Log.ErrorContext(r.Context(), "panic", slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
				s.failPage(sw, r, nil, fmt.Errorf("panic: %v", v))
			}
			// The path is not logged: pay and sign-in paths carry secrets.
			s.Log.InfoContext(r.Context(), "request", slog.String("method", r.Method), slog.Int("status", sw.status),
				slog.Duration("took", time.Since(start)))
		}()
		next.ServeHTTP(sw, r)
	})
}

// maxBody bounds form posts: the sign-in form is one email address.
const maxBody = 4 << 10

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// asset serves the stylesheet under its content-hashed name.
func (s *server) asset(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(stylesheet)
}

// page is what the layout shows around a page's content.
type page struct {
	Title string
	Brand brand
	CSS   string
	Icon  string
}

// render writes content in the layout into a buffer first, so an error
// is a clean 500 rather than half a page. The brand colour arrives as one
// style block whose hash the response's CSP allows.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, title string, o *org.Org, content templ.Component) {
	p := page{Title: title, Brand: brandOf(o), CSS: s.cssPath, Icon: s.iconPath}
	var b bytes.Buffer
	if err := layout(p).Render(templ.WithChildren(r.Context(), content), &b); err != nil {
		s.Log.ErrorContext(r.Context(), "render page", slog.String("page", title), slog.String("error", err.Error()))
		http.Error(w, "This page could not be shown; the error has been logged.", http.StatusInternalServerError)
		return
	}
	sum := sha256.Sum256([]byte(p.Brand.Style()))
	h := w.Header()
	h.Set("Content-Security-Policy", csp+"; style-src 'self' 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b.Bytes())
	}
}

// message is a page that only says something: a link that is not valid,
// a missing page, an error.
type message struct {
	Heading string
	Text    string
	Action  *action // an optional way on
}

type action struct {
	Label, Href string
}

// notFound is the one page for every bad pay link, unknown path or org:
// the same words and status whatever the reason, and no data.
func (s *server) notFound(w http.ResponseWriter, r *http.Request, o *org.Org) {
	s.render(w, r, http.StatusNotFound, "Link not valid", o, messagePage(message{
		Heading: "This link is not valid",
		Text:    "It may have been mistyped, or replaced by a newer link. Please use the most recent link you were sent, or contact the business that sent it.",
	}))
}

// failPage logs an unexpected error and answers with a generic 500 page,
// never the error's text.
func (s *server) failPage(w http.ResponseWriter, r *http.Request, o *org.Org, err error) {
	s.Log.ErrorContext(r.Context(), "request failed", slog.String("error", err.Error()))
	s.render(w, r, http.StatusInternalServerError, "Something went wrong", o, messagePage(message{
		Heading: "Something went wrong on our side",
		Text:    "It has been logged. Please try again in a few minutes.",
	}))
}

// publicBase is the scheme and host clients use to reach the portal: the
// configured base URL only, whatever Host the request named.
func (s *server) publicBase(*http.Request) string { return strings.TrimRight(s.PublicBaseURL, "/") }
