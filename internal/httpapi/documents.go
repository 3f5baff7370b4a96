package httpapi

import (
	"net/http"
	"strconv"

	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/payment"
)

// writePDF answers with a PDF as a download named name.
func writePDF(w http.ResponseWriter, name string, body []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(body)
}

func (s *server) invoicePDF(w http.ResponseWriter, r *http.Request) {
	iid, err := invoiceID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body, inv, err := s.documents.InvoicePDF(r.Context(), principal(r.Context()).OrgID, iid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	name := inv.Number
	if name == "" {
		name = "draft-" + inv.ID
	}
	writePDF(w, name+".pdf", body)
}

func (s *server) receiptPDF(w http.ResponseWriter, r *http.Request) {
	pid := r.PathValue("id")
	if !id.Valid(id.Payment, pid) {
		s.writeError(w, r, payment.ErrNotFound)
		return
	}
	body, p, err := s.documents.ReceiptPDF(r.Context(), principal(r.Context()).OrgID, pid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writePDF(w, p.ReceiptNumber+".pdf", body)
}

func (s *server) creditNotePDF(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("id")
	if !id.Valid(id.Credit, cid) {
		s.writeError(w, r, credit.ErrNotFound)
		return
	}
	body, n, err := s.documents.CreditNotePDF(r.Context(), principal(r.Context()).OrgID, cid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writePDF(w, n.Number+".pdf", body)
}
