package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/crossorigin"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/statement"
)

// Documents renders the PDFs coordinators download (documents.Renderer).
// Declared here so the API links no renderer: only the documents
// function, which passes one, carries the PDF code and its fonts.
type Documents interface {
	InvoicePDF(ctx context.Context, orgID, invoiceID string) ([]byte, *invoice.Invoice, error)
	ReceiptPDF(ctx context.Context, orgID, paymentID string) ([]byte, *payment.Payment, error)
	CreditNotePDF(ctx context.Context, orgID, creditNoteID string) ([]byte, *credit.Note, error)
	StatementDocumentPDF(ctx context.Context, orgID string, st *statement.Statement) ([]byte, error)
}

// DocumentsConfig is what the documents function's API needs.
type DocumentsConfig struct {
	Documents  Documents
	Statements *billing.Statements
	Team       *billing.Team
	Verifier   Verifier
	Log        *slog.Logger
	Now        func() time.Time
}

// NewDocuments builds the documents function's handler: every PDF a
// coordinator downloads (invoices, credit notes, receipts, statements,
// and the on-demand statement, whose JSON and PDF share one path), with
// the same sign-in, request log and error mapping as the invoicing API.
// Every route is a read, so there is no Idempotency-Key to keep; viewers
// may read them all.
func NewDocuments(cfg DocumentsConfig) (http.Handler, error) {
	if cfg.Documents == nil || cfg.Statements == nil || cfg.Team == nil || cfg.Verifier == nil {
		return nil, errors.New("httpapi: documents, statements, team and verifier are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &server{documents: cfg.Documents, statements: cfg.Statements, team: cfg.Team, verifier: cfg.Verifier, log: cfg.Log, now: cfg.Now}

	var patterns []string
	v1 := newRouter(&patterns)
	s.documentRoutes(v1)
	v1.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, r, http.StatusNotFound, "not_found", "no such API path")
	})
	mux := newRouter(&patterns)
	mux.Handle("/v1/", s.authenticate(v1))
	return &api{Handler: s.observe(crossorigin.Protect(mux, http.HandlerFunc(crossOriginRefused))), patterns: patterns}, nil
}

// documentRoutes are the routes that answer a PDF, served by the
// documents function alone (template.yaml routes these paths to it,
// ahead of the invoicing and payments functions' routes).
func (s *server) documentRoutes(v1 router) {
	v1.HandleFunc("GET /v1/invoices/{id}/pdf", s.invoicePDF)
	v1.HandleFunc("GET /v1/credit-notes/{id}/pdf", s.creditNotePDF)
	v1.HandleFunc("GET /v1/payments/{id}/receipt.pdf", s.receiptPDF)
	v1.HandleFunc("GET /v1/statements/{id}/pdf", s.statementPDF)
	v1.HandleFunc("GET /v1/clients/{id}/statement", s.clientStatement)
}
