// Package httpapi is carebill's JSON API for coordinators: routes, strict
// decoding, sign-in, and the one mapping from errors to statuses. Handlers
// decode, call one billing use case, and encode.
package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/crossorigin"
	"github.com/carebill/carebill/internal/idempotency"
	"github.com/carebill/carebill/internal/requestlog"
)

// Verifier checks a session token.
type Verifier interface {
	Verify(ctx context.Context, token string) (auth.Principal, error)
}

// LoginFunc signs a user in and returns an ID token and its lifetime. A
// non-empty newPassword replaces an invited member's temporary password.
type LoginFunc func(ctx context.Context, email, password, newPassword string) (token string, expiresIn time.Duration, err error)

// Config is what the API needs.
type Config struct {
	Billing      *billing.Service
	Sender       *billing.Sender
	Cycles       *billing.Cycles
	Statements   *billing.Statements
	Accounts     *billing.Accounts
	Reversals    *billing.Reversals
	Receipts     *billing.Receipts
	Parked       *billing.ParkedCards
	Verifier     Verifier
	Login        LoginFunc
	Idempotency  idempotency.Store
	Log          *slog.Logger
	Now          func() time.Time
	Exporter     *billing.Exporter
	Sessions     *billing.Sessions
	Cases        *billing.Cases
	Dashboards   *billing.Dashboards
	Coordination *billing.Coordination
	Recurring    *billing.Recurring
	Team         *billing.Team
	// Runs are invoice runs; nil leaves their routes out (functions that
	// serve no coordinator API).
	Runs *billing.Runs
	// PublicBaseURL is where clients reach pay pages ("https://pay.example.com").
	// Required: links are never built from a request's Host header.
	PublicBaseURL string

	// StatementSender sends statements (POST /v1/statements/{id}/send).
	StatementSender *billing.StatementSender

	// Requests finds an earlier execution's request marker, so a retry
	// refused because that execution took effect answers as it did
	// (appliedEarlier); nil answers such a retry with its refusal.
	Requests AppliedRequests
}

type server struct {
	billing      *billing.Service
	sender       *billing.Sender
	accounts     *billing.Accounts
	reversals    *billing.Reversals
	receipts     *billing.Receipts
	parked       *billing.ParkedCards
	cycles       *billing.Cycles
	statements   *billing.Statements
	verifier     Verifier
	login        LoginFunc
	log          *slog.Logger
	now          func() time.Time
	baseURL      string
	exporter     *billing.Exporter
	sessions     *billing.Sessions
	cases        *billing.Cases
	dashboards   *billing.Dashboards
	coordination *billing.Coordination
	team         *billing.Team
	recurring    *billing.Recurring
	runs         *billing.Runs

	// The documents function's only (NewDocuments).
	documents Documents

	// The payments function's only (NewPayments).
	checkout *billing.Checkout
	cards    CardEvents
	disputes *billing.CardDisputes
	events   idempotency.Store // processed webhook event ids

	statementSender *billing.StatementSender
	requests        AppliedRequests
}

// sessionCookie holds the ID token (HttpOnly, Secure, SameSite=Strict).
// Cookie-authenticated writes need no token of their own: the one
// cross-origin guard (internal/crossorigin) refuses any write a page on
// another origin makes, before it reaches authenticate.
const sessionCookie = "carebill_session"

type ctxKey int

const principalKey ctxKey = iota

func principal(ctx context.Context) auth.Principal {
	p, _ := ctx.Value(principalKey).(auth.Principal)
	return p
}

// New builds the API handler.
func New(cfg Config) (http.Handler, error) {
	if cfg.Billing == nil || cfg.Sender == nil || cfg.Team == nil || cfg.Accounts == nil || cfg.Reversals == nil || cfg.Receipts == nil || cfg.Parked == nil || cfg.Cycles == nil || cfg.Statements == nil || cfg.StatementSender == nil ||
		cfg.Exporter == nil || cfg.Sessions == nil || cfg.Cases == nil || cfg.Dashboards == nil || cfg.Coordination == nil || cfg.Recurring == nil ||
		cfg.Verifier == nil || cfg.Login == nil || cfg.Idempotency == nil {
		return nil, errors.New("httpapi: billing, sender, team, accounts, reversals, receipts, parked cards, cycles, statements, statement sender, exporter, sessions, cases, dashboards, coordination, recurring, verifier, login and idempotency store are required")
	}
	if err := checkBaseURL(cfg.PublicBaseURL); err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &server{billing: cfg.Billing, sender: cfg.Sender, team: cfg.Team, accounts: cfg.Accounts, reversals: cfg.Reversals, receipts: cfg.Receipts, parked: cfg.Parked, cycles: cfg.Cycles, statements: cfg.Statements, statementSender: cfg.StatementSender, exporter: cfg.Exporter, sessions: cfg.Sessions, cases: cfg.Cases, dashboards: cfg.Dashboards, coordination: cfg.Coordination, runs: cfg.Runs, recurring: cfg.Recurring, requests: cfg.Requests, verifier: cfg.Verifier, login: cfg.Login, log: cfg.Log, now: cfg.Now, baseURL: strings.TrimRight(cfg.PublicBaseURL, "/")}

	idem := func(scope func(*http.Request) string, h http.Handler) http.Handler {
		return idempotency.Middleware(cfg.Idempotency, scope, cfg.Now, fail, cfg.Log, h)
	}
	// Sign-ups have no org yet: a key is scoped to the exact request, so
	// one person's key never meets another's.
	signupScope := func(r *http.Request) string {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		return "signup#" + tokenHash(string(body))
	}
	orgScope := func(r *http.Request) string { return principal(r.Context()).OrgID }

	var patterns []string
	v1 := newRouter(&patterns)
	v1.HandleFunc("GET /v1/org", s.getOrg)
	v1.HandleFunc("PATCH /v1/org", s.patchOrg)
	v1.HandleFunc("POST /v1/clients", s.createClient)
	v1.HandleFunc("GET /v1/clients", s.listClients)
	v1.HandleFunc("GET /v1/clients/{id}", s.getClient)
	v1.HandleFunc("PATCH /v1/clients/{id}", s.patchClient)
	v1.HandleFunc("POST /v1/invoices", s.createInvoice)
	v1.HandleFunc("GET /v1/invoices", s.listInvoices)
	v1.HandleFunc("GET /v1/invoices/export.csv", s.exportInvoices)
	v1.HandleFunc("GET /v1/invoices/{id}", s.getInvoice)
	v1.HandleFunc("PATCH /v1/invoices/{id}", s.patchInvoice)
	v1.HandleFunc("DELETE /v1/invoices/{id}", s.deleteInvoice)
	v1.HandleFunc("POST /v1/invoices/{id}/finalize", s.finalizeInvoice)
	v1.HandleFunc("POST /v1/invoices/{id}/void", s.voidInvoice)
	v1.HandleFunc("POST /v1/invoices/{id}/reissue", s.reissueInvoice)
	v1.HandleFunc("POST /v1/invoices/{id}/send", s.sendInvoice)
	v1.HandleFunc("POST /v1/invoices/{id}/resend", s.resendInvoice)
	v1.HandleFunc("GET /v1/invoices/{id}/deliveries", s.deliveries)
	v1.HandleFunc("POST /v1/invoices/{id}/send-preview", s.sendPreview)
	v1.HandleFunc("POST /v1/invoices/{id}/lock", s.lockInvoice)
	v1.HandleFunc("POST /v1/invoices/{id}/unlock", s.lockInvoice)
	v1.HandleFunc("GET /v1/invoices/{id}/pay-link", s.payLink)
	s.paymentRoutes(v1)
	v1.HandleFunc("GET /v1/clients/{id}/summary", s.clientSummary)
	v1.HandleFunc("GET /v1/clients/{id}/ledger", s.clientLedger)
	v1.HandleFunc("POST /v1/clients/{id}/ledger/verify", s.verifyLedger)
	v1.HandleFunc("POST /v1/credit-notes", s.issueCreditNote)
	v1.HandleFunc("GET /v1/credit-notes", s.listCreditNotes)
	v1.HandleFunc("GET /v1/credit-notes/{id}", s.getCreditNote)
	v1.HandleFunc("POST /v1/invoices/{id}/apply-credit", s.applyCredit)
	v1.HandleFunc("POST /v1/invoices/{id}/unapply-credit", s.unapplyCredit)
	v1.HandleFunc("POST /v1/credit-notes/{id}/void", s.voidCreditNote)
	v1.HandleFunc("GET /v1/billing-cycles", s.listCycles)
	v1.HandleFunc("POST /v1/billing-cycles/{id}/close", s.closeCycle)
	v1.HandleFunc("POST /v1/billing-cycles/{id}/statements", s.regenerateStatements)
	v1.HandleFunc("GET /v1/statements", s.listStatements)
	v1.HandleFunc("GET /v1/statements/{id}", s.getStatement)
	v1.HandleFunc("DELETE /v1/statements/{id}", s.deleteStatement)
	v1.HandleFunc("POST /v1/statements/{id}/send", s.sendStatement)
	v1.HandleFunc("GET /v1/statements/{id}/deliveries", s.statementDeliveries)
	v1.HandleFunc("GET /v1/activity", s.activity)
	s.workRoutes(v1)
	s.recurringRoutes(v1)
	if s.runs != nil {
		s.runRoutes(v1)
	}
	v1.HandleFunc("GET /v1/invoices/{id}/activity", s.activity)
	v1.HandleFunc("GET /v1/clients/{id}/activity", s.activity)
	s.userRoutes(v1)
	v1.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, r, http.StatusNotFound, "not_found", "no such API path")
	})

	mux := newRouter(&patterns)
	mux.Handle("POST /auth/signup", idem(signupScope, http.HandlerFunc(s.signup)))
	mux.HandleFunc("POST /auth/login", s.handleLogin)
	mux.HandleFunc("POST /auth/logout", s.logout)
	mux.HandleFunc("GET /v1/openapi.json", s.openAPI)
	mux.Handle("/v1/", s.authenticate(idem(orgScope, v1)))
	return &api{Handler: s.observe(crossorigin.Protect(mux, http.HandlerFunc(crossOriginRefused))), patterns: patterns}, nil
}

// observe gives every request an id, logs it, bounds its body and turns a
// panic into a 500.
func (s *server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.now()
		reqID := r.Header.Get("X-Request-Id")
		if reqID == "" || len(reqID) > 100 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			reqID = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", reqID)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		r.Body = http.MaxBytesReader(w, r.Body, maxBody+1)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler { // a stream cut short on purpose: the client must see it broken
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic", slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
				fail(sw, r, http.StatusInternalServerError, "internal", "something went wrong on our side; it has been logged")
			}
			s.log.InfoContext(r.Context(), "request",
				slog.String("requestId", reqID), slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", sw.status), slog.String("org", sw.org), slog.Duration("took", s.now().Sub(start)))
		}()
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), statusWriterKey{}, sw)))
	})
}

type statusWriterKey struct{}

type statusWriter struct {
	http.ResponseWriter
	status int
	org    string
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// authenticate admits requests carrying a valid ID token, as a bearer token
// or the session cookie. Cross-site forgery of a cookie-authenticated write
// is stopped earlier, by crossorigin.Protect around the whole API.
func (s *server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := bearer(r)
		if token == "" {
			if c, err := r.Cookie(sessionCookie); err == nil {
				token = c.Value
			}
		}
		if token == "" {
			s.writeError(w, r, auth.ErrUnauthenticated)
			return
		}
		p, err := s.admit(r.Context(), token)
		if err != nil {
			s.log.InfoContext(r.Context(), "token rejected", slog.String("reason", err.Error()))
			s.writeError(w, r, auth.ErrUnauthenticated)
			return
		}
		if sw, ok := r.Context().Value(statusWriterKey{}).(*statusWriter); ok {
			sw.org = p.OrgID
		}
		ctx := requestlog.With(r.Context(), slog.String(requestlog.Org, p.OrgID))
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, principalKey, p)))
	})
}

// admit verifies a token (signature, issuer, audience, expiry) and then
// checks it against carebill's member records (still a member, not signed
// out), taking the role from the record.
func (s *server) admit(ctx context.Context, token string) (auth.Principal, error) {
	p, err := s.verifier.Verify(ctx, token)
	if err != nil {
		return p, err
	}
	return s.team.Admit(ctx, p, tokenHash(token))
}

// tokenHash names a token in storage without storing it.
func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

// publicBase is the scheme and host clients use to reach pay pages: the
// configured base URL only, whatever Host the request named.
func (s *server) publicBase(*http.Request) string { return s.baseURL }

// checkBaseURL requires an absolute http(s) origin without a path.
func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		return fmt.Errorf("httpapi: public base URL %q must be an origin such as https://billing.example.com", raw)
	}
	return nil
}
