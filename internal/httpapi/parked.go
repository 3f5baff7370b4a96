package httpapi

import (
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/carebill/carebill/internal/payment"
)

// parkedRoutes are the admin's parked card payments, served with the
// other payment routes.
func (s *server) parkedRoutes(v1 router) {
	v1.HandleFunc("GET /v1/payments/parked", s.listParked)
	v1.HandleFunc("POST /v1/payments/parked/{id}/resolve", s.resolveParked)
}

// intentRE is a Stripe payment intent id, which names a parked payment.
// Compiled on first use: its bounded repeat was the costliest regexp
// compiled at the invoicing and payments functions' cold start.
var intentRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^pi_[A-Za-z0-9_]{1,200}$`) })

type parkedResponse struct {
	ID               string     `json:"id"` // the payment intent
	EventID          string     `json:"eventId"`
	InvoiceID        string     `json:"invoiceId"`
	InvoiceNumber    string     `json:"invoiceNumber,omitempty"`
	ClientID         string     `json:"clientId"`
	ClientName       string     `json:"clientName,omitempty"`
	Amount           string     `json:"amount"`
	Currency         string     `json:"currency"`
	ExpectedCurrency string     `json:"expectedCurrency"`
	PaidAt           time.Time  `json:"paidAt"`
	CreatedAt        time.Time  `json:"createdAt"`
	Status           string     `json:"status"` // parked or resolved
	Resolution       string     `json:"resolution,omitempty"`
	Reason           string     `json:"reason,omitempty"`
	ResolvedBy       string     `json:"resolvedBy,omitempty"`
	ResolvedAt       *time.Time `json:"resolvedAt,omitempty"`
}

func parkedJSON(p *payment.Parked) parkedResponse {
	out := parkedResponse{
		ID: p.IntentID, EventID: p.EventID, InvoiceID: p.InvoiceID, InvoiceNumber: p.InvoiceNumber, ClientID: p.ClientID,
		ClientName: p.ClientName, Amount: p.Currency.String(p.Amount), Currency: p.Currency.Code(), ExpectedCurrency: p.Expected.Code(),
		PaidAt: p.PaidAt, CreatedAt: p.CreatedAt, Status: "parked", Resolution: string(p.Resolution), Reason: p.ResolveReason,
		ResolvedBy: p.ResolvedBy, ResolvedAt: timePtr(p.ResolvedAt),
	}
	if !p.Open() {
		out.Status = "resolved"
	}
	return out
}

// listParked serves GET /v1/payments/parked (admins): card payments in a
// currency the client does not bill in, newest first.
func (s *server) listParked(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := pageLimit(q.Get("limit"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ps, next, err := s.parked.Parked(r.Context(), principal(r.Context()), limit, q.Get("cursor"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := list[parkedResponse]{Data: make([]parkedResponse, 0, len(ps)), NextCursor: next}
	for _, p := range ps {
		out.Data = append(out.Data, parkedJSON(p))
	}
	writeJSON(w, http.StatusOK, out)
}

type resolveParkedBody struct {
	Resolution string `json:"resolution"`
	Reason     string `json:"reason"`
}

// resolveParked serves POST /v1/payments/parked/{id}/resolve
// {resolution: refunded_outside|handled, reason} (admins).
func (s *server) resolveParked(w http.ResponseWriter, r *http.Request) {
	var b resolveParkedBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	intent := r.PathValue("id")
	if !intentRE().MatchString(intent) {
		s.writeError(w, r, payment.ErrParkedNotFound)
		return
	}
	p, err := s.parked.Resolve(r.Context(), principal(r.Context()), intent, payment.Resolution(b.Resolution), b.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, parkedJSON(p))
}
