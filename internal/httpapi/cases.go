package httpapi

import (
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/cases"
	"github.com/carebill/carebill/internal/validation"
)

type productJSON struct {
	Description  string `json:"description"`
	Manufacturer string `json:"manufacturer"`
	Lot          string `json:"lot,omitempty"`
	Quantity     string `json:"quantity"`
	Rate         string `json:"rate"`
	Discount     string `json:"discount,omitempty"`
}

type caseBody struct {
	ClientID     string        `json:"clientId"`
	Doctor       string        `json:"doctor"`
	Patient      string        `json:"patient"`
	EventDate    string        `json:"eventDate"`
	Products     []productJSON `json:"products"`
	BillingNotes string        `json:"billingNotes"`
}

func (b caseBody) spec() (cases.Spec, error) {
	sp := cases.Spec{ClientID: b.ClientID, Doctor: b.Doctor, Patient: b.Patient, BillingNotes: b.BillingNotes}
	var err error
	if sp.EventDate, err = parseDate("eventDate", b.EventDate); err != nil {
		return sp, err
	}
	if len(b.Products) > cases.MaxProducts {
		return sp, validation.Errorf("products", "at most %d products", cases.MaxProducts)
	}
	for i, pj := range b.Products {
		p := cases.Product{Description: pj.Description, Manufacturer: pj.Manufacturer, Lot: pj.Lot}
		field := "products[" + strconv.Itoa(i) + "]."
		if p.Quantity, err = parseDec(field+"quantity", pj.Quantity, amountLimits); err != nil {
			return sp, err
		}
		if p.Rate, err = parseDec(field+"rate", pj.Rate, amountLimits); err != nil {
			return sp, err
		}
		if p.Discount, err = parseOptDec(field+"discount", pj.Discount, amountLimits); err != nil {
			return sp, err
		}
		sp.Products = append(sp.Products, p)
	}
	return sp, nil
}

type posJSON struct {
	All            string            `json:"all,omitempty"`
	ByManufacturer map[string]string `json:"byManufacturer,omitempty"`
}

type caseInvoiceJSON struct {
	InvoiceID    string `json:"invoiceId"`
	Manufacturer string `json:"manufacturer,omitempty"`
	PO           string `json:"po"`
	Number       string `json:"number,omitempty"`
	Status       string `json:"status,omitempty"`
	Total        string `json:"total,omitempty"`
	Balance      string `json:"balance,omitempty"`
}

type caseResponse struct {
	ID                 string            `json:"id"`
	ClientID           string            `json:"clientId"`
	Doctor             string            `json:"doctor"`
	Patient            string            `json:"patient,omitempty"`
	EventDate          string            `json:"eventDate"`
	Products           []productJSON     `json:"products"`
	BillingNotes       string            `json:"billingNotes,omitempty"`
	PurchaseOrders     posJSON           `json:"purchaseOrders"`
	Status             string            `json:"status"`
	Value              string            `json:"value"`
	Currency           string            `json:"currency"`
	Invoices           []caseInvoiceJSON `json:"invoices"`
	VoidedInvoices     []invoiceResponse `json:"voidedInvoices,omitempty"`
	CommissionPaid     bool              `json:"commissionPaid"`
	CommissionPaidDate string            `json:"commissionPaidDate,omitempty"`
	CreatedAt          time.Time         `json:"createdAt"`
	UpdatedAt          time.Time         `json:"updatedAt"`
}

func caseJSON(who auth.Principal, v billing.CaseView) caseResponse {
	c, cur := v.Case, v.Case.Currency
	out := caseResponse{
		ID: c.ID, ClientID: c.Spec.ClientID, Doctor: c.Spec.Doctor, Patient: c.Spec.Patient, EventDate: c.Spec.EventDate.String(),
		Products: make([]productJSON, 0, len(c.Spec.Products)), BillingNotes: c.Spec.BillingNotes,
		PurchaseOrders: posJSON{All: c.POs.All, ByManufacturer: c.POs.ByManufacturer}, Status: string(c.Status),
		Value: cur.String(c.Value()), Currency: cur.Code(), Invoices: make([]caseInvoiceJSON, 0, len(c.Invoices)),
		CommissionPaid: c.CommissionPaid, CommissionPaidDate: c.CommissionPaidDate.String(), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	for _, p := range c.Spec.Products {
		pj := productJSON{Description: p.Description, Manufacturer: p.Manufacturer, Lot: p.Lot, Quantity: p.Quantity.String(), Rate: p.Rate.String()}
		if !p.Discount.IsZero() {
			pj.Discount = cur.String(p.Discount)
		}
		out.Products = append(out.Products, pj)
	}
	byID := map[string]billing.InvoiceView{}
	for _, iv := range v.InvoiceViews {
		byID[iv.ID] = iv
	}
	for _, b := range c.Invoices {
		cj := caseInvoiceJSON{InvoiceID: b.InvoiceID, Manufacturer: b.Manufacturer, PO: b.PO}
		if iv, ok := byID[b.InvoiceID]; ok {
			cj.Number, cj.Status = iv.Number, string(iv.Status())
			cj.Total, cj.Balance = cur.String(iv.Totals().Total), cur.String(iv.Balance())
		}
		out.Invoices = append(out.Invoices, cj)
	}
	if len(c.Invoices) == 0 {
		for _, iv := range v.InvoiceViews {
			out.VoidedInvoices = append(out.VoidedInvoices, invoiceJSON(who, iv))
		}
	}
	return out
}

func (s *server) createCase(w http.ResponseWriter, r *http.Request) {
	var b caseBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	sp, err := b.spec()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.cases.OpenCase(r.Context(), principal(r.Context()), sp)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/cases/"+v.ID)
	writeJSON(w, http.StatusCreated, caseJSON(principal(r.Context()), v))
}

func (s *server) getCase(w http.ResponseWriter, r *http.Request) {
	v, err := s.cases.Case(r.Context(), principal(r.Context()), r.PathValue("id"))
	s.answerCase(w, r, v, err)
}

func (s *server) putCase(w http.ResponseWriter, r *http.Request) {
	var b caseBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	sp, err := b.spec()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.cases.EditCase(r.Context(), principal(r.Context()), r.PathValue("id"), sp)
	s.answerCase(w, r, v, err)
}

// putPurchaseOrders is PUT /v1/cases/{id}/purchase-orders
// {"all":"PO-1"} or {"byManufacturer":{"Acme":"PO-1","Zimmer":"PO-2"}}.
func (s *server) putPurchaseOrders(w http.ResponseWriter, r *http.Request) {
	var b posJSON
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.cases.SetPurchaseOrders(r.Context(), principal(r.Context()), r.PathValue("id"), cases.POs{All: b.All, ByManufacturer: b.ByManufacturer})
	s.answerCase(w, r, v, err)
}

func (s *server) invoiceCase(w http.ResponseWriter, r *http.Request) {
	v, err := s.cases.InvoiceCase(r.Context(), principal(r.Context()), r.PathValue("id"))
	s.answerCase(w, r, v, err)
}

func (s *server) uninvoiceCase(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Reason string `json:"reason"`
	}
	if r.ContentLength != 0 {
		if err := decode(r, &b); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if err := validation.Text("reason", b.Reason, false, 500); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.cases.UninvoiceCase(r.Context(), principal(r.Context()), r.PathValue("id"), b.Reason)
	s.answerCase(w, r, v, err)
}

func (s *server) caseInvoicePaid(w http.ResponseWriter, r *http.Request) {
	v, err := s.cases.MarkInvoicePaid(r.Context(), principal(r.Context()), r.PathValue("id"))
	s.answerCase(w, r, v, err)
}

func (s *server) caseCommissionPaid(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Date string `json:"date"`
	}
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := parseDate("date", b.Date)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.cases.MarkCommissionPaid(r.Context(), principal(r.Context()), r.PathValue("id"), d)
	s.answerCase(w, r, v, err)
}

func (s *server) answerCase(w http.ResponseWriter, r *http.Request, v billing.CaseView, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, caseJSON(principal(r.Context()), v))
}

func pageParams(r *http.Request) (int, string, error) {
	limit := 0
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 200 {
			return 0, "", validation.Errorf("limit", "must be a whole number from 1 to 200")
		}
		limit = n
	}
	return limit, r.URL.Query().Get("cursor"), nil
}

// listCases is GET /v1/cases?status=pending_po|pending_payment|invoiced|invoice_paid,
// oldest event first.
func (s *server) listCases(w http.ResponseWriter, r *http.Request) {
	limit, cursor, err := pageParams(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st := cases.Status(r.URL.Query().Get("status"))
	switch st {
	case cases.PendingPO, cases.PendingPayment, cases.Invoiced, cases.InvoicePaid:
	default:
		s.writeError(w, r, validation.Errorf("status", "must be pending_po, pending_payment, invoiced or invoice_paid"))
		return
	}
	list, next, err := s.cases.ListCases(r.Context(), principal(r.Context()), st, limit, cursor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := make([]caseResponse, 0, len(list))
	for _, c := range list {
		data = append(data, caseJSON(principal(r.Context()), billing.CaseView{Case: c}))
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "nextCursor": next})
}

// pendingPOs is GET /v1/cases/pending-po: {count, value, currency, data, nextCursor}.
func (s *server) pendingPOs(w http.ResponseWriter, r *http.Request) {
	limit, cursor, err := pageParams(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p := principal(r.Context())
	pp, err := s.cases.PendingPOs(r.Context(), p, limit, cursor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	o, err := s.billing.Org(r.Context(), p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := make([]caseResponse, 0, len(pp.Cases))
	for _, c := range pp.Cases {
		data = append(data, caseJSON(principal(r.Context()), billing.CaseView{Case: c}))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"count": pp.Count, "value": o.Settings.Currency.String(pp.Value), "currency": o.Settings.Currency.Code(),
		"data": data, "nextCursor": pp.Next,
	})
}

// caseCSV is GET /v1/cases/{id}/invoice.csv?format=xero|quickbooks: the
// case's invoices as one import CSV.
func (s *server) caseCSV(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "xero"
	}
	x, err := s.cases.ExportCase(r.Context(), principal(r.Context()), r.PathValue("id"), format)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": x.FileName}))
	w.Header().Set("Cache-Control", "no-store")
	if err := x.Write(w); err != nil {
		s.log.ErrorContext(r.Context(), "case export failed part-way", slog.String("error", err.Error()))
		panic(http.ErrAbortHandler)
	}
}
