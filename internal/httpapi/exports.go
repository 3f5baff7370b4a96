package httpapi

import (
	"log/slog"
	"mime"
	"net/http"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/validation"
)

// exportInvoices is GET /v1/invoices/export.csv?format=xero|quickbooks&from=&to=:
// the invoices issued in the range as the accounting system's import CSV,
// or a zip of CSVs when the range passes one file's limit. The body is
// streamed; a failure part-way aborts the response so that a truncated
// file is never taken for a whole one.
func (s *server) exportInvoices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k, v := range q {
		switch {
		case k != "format" && k != "from" && k != "to":
			s.writeError(w, r, validation.Errorf(k, "is not a parameter of this export (format, from, to)"))
			return
		case len(v) > 1:
			s.writeError(w, r, validation.Errorf(k, "is given more than once"))
			return
		}
	}
	req := billing.ExportRequest{Format: q.Get("format")}
	var err error
	if req.From, err = parseDate("from", q.Get("from")); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.To, err = parseDate("to", q.Get("to")); err != nil {
		s.writeError(w, r, err)
		return
	}
	exp, err := s.exporter.PlanExport(r.Context(), principal(r.Context()), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ct := "text/csv; charset=utf-8"
	if exp.Plan.Zipped() {
		ct = "application/zip"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": exp.FileName}))
	w.Header().Set("Cache-Control", "no-store")
	if err := exp.WriteTo(r.Context(), w); err != nil {
		s.log.ErrorContext(r.Context(), "export failed part-way", slog.String("error", err.Error()), slog.String("org", principal(r.Context()).OrgID))
		panic(http.ErrAbortHandler)
	}
}
