package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/session"
	"github.com/carebill/carebill/internal/validation"
)

// serviceJSON is what a session delivers: "price" per session or "rate"
// per hour (one of them), an optional NDIS "supportItem" and "taxRate".
type serviceJSON struct {
	Description string `json:"description"`
	Price       string `json:"price,omitempty"`
	Rate        string `json:"rate,omitempty"`
	SupportItem string `json:"supportItem,omitempty"`
	TaxRate     string `json:"taxRate,omitempty"`
}

type sessionBody struct {
	ClientID        string      `json:"clientId"`
	Start           string      `json:"start"`
	DurationMinutes int         `json:"durationMinutes"`
	Service         serviceJSON `json:"service"`
	Location        string      `json:"location"`
}

type sessionResponse struct {
	ID                 string      `json:"id"`
	ClientID           string      `json:"clientId"`
	Start              string      `json:"start"`
	DurationMinutes    int         `json:"durationMinutes"`
	Service            serviceJSON `json:"service"`
	Location           string      `json:"location,omitempty"`
	Attendance         string      `json:"attendance"`
	CancellationReason string      `json:"cancellationReason,omitempty"`
	InvoiceID          string      `json:"invoiceId,omitempty"`
	CreatedAt          time.Time   `json:"createdAt"`
	UpdatedAt          time.Time   `json:"updatedAt"`
}

func sessionJSON(s *session.Session) sessionResponse {
	sv := s.Spec.Service
	out := sessionResponse{
		ID: s.ID, ClientID: s.Spec.ClientID, Start: s.Spec.Start.Format(time.RFC3339), DurationMinutes: s.Spec.Minutes,
		Service:  serviceJSON{Description: sv.Description, SupportItem: sv.SupportItem},
		Location: s.Spec.Location, Attendance: string(s.Attendance), CancellationReason: s.CancellationReason,
		InvoiceID: s.InvoiceID, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
	}
	if !sv.Price.IsZero() {
		out.Service.Price = sv.Price.StringFixed(2)
	}
	if !sv.Rate.IsZero() {
		out.Service.Rate = sv.Rate.String()
	}
	if sv.TaxRate != nil {
		out.Service.TaxRate = sv.TaxRate.String()
	}
	return out
}

func (b sessionBody) spec() (session.Spec, error) {
	sp := session.Spec{ClientID: b.ClientID, Minutes: b.DurationMinutes, Location: b.Location,
		Service: session.Service{Description: b.Service.Description, SupportItem: b.Service.SupportItem}}
	if b.Start == "" {
		return sp, validation.Errorf("start", "is required (RFC 3339, e.g. 2026-11-03T09:00:00+11:00)")
	}
	t, err := time.Parse(time.RFC3339, b.Start)
	if err != nil {
		return sp, validation.Errorf("start", "must be an RFC 3339 time with its offset, e.g. 2026-11-03T09:00:00+11:00")
	}
	sp.Start = t
	if sp.Service.Price, err = parseOptDec("service.price", b.Service.Price, amountLimits); err != nil {
		return sp, err
	}
	if sp.Service.Rate, err = parseOptDec("service.rate", b.Service.Rate, amountLimits); err != nil {
		return sp, err
	}
	if b.Service.TaxRate != "" {
		r, err := parseDec("service.taxRate", b.Service.TaxRate, rateLimits)
		if err != nil {
			return sp, err
		}
		sp.Service.TaxRate = &r
	}
	return sp, nil
}

func (s *server) createSession(w http.ResponseWriter, r *http.Request) {
	var b sessionBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	sp, err := b.spec()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ses, err := s.sessions.BookSession(r.Context(), principal(r.Context()), sp)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/sessions/"+ses.ID)
	writeJSON(w, http.StatusCreated, sessionJSON(ses))
}

func (s *server) getSession(w http.ResponseWriter, r *http.Request) {
	ses, err := s.sessions.Session(r.Context(), principal(r.Context()), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sessionJSON(ses))
}

// listSessions is GET /v1/sessions?from=YYYY-MM-DD&to=YYYY-MM-DD[&clientId=][&limit=][&cursor=]:
// sessions starting on from up to the end of to, in the org's time zone,
// by start time.
func (s *server) listSessions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := principal(r.Context())
	from, err := parseDate("from", q.Get("from"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	to, err := parseDate("to", q.Get("to"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if from.IsZero() || to.IsZero() {
		s.writeError(w, r, validation.Errorf("from", "from and to are required (YYYY-MM-DD)"))
		return
	}
	limit := 0
	if l := q.Get("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > 200 {
			s.writeError(w, r, validation.Errorf("limit", "must be a whole number from 1 to 200"))
			return
		}
	}
	o, err := s.billing.Org(r.Context(), p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	loc := o.Location()
	start, _ := time.ParseInLocation("2006-01-02", from.String(), loc) // parsed above
	end, _ := time.ParseInLocation("2006-01-02", to.String(), loc)
	end = end.AddDate(0, 0, 1)
	list, next, err := s.sessions.ListSessions(r.Context(), p, q.Get("clientId"), start, end, limit, q.Get("cursor"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := make([]sessionResponse, 0, len(list))
	for _, ses := range list {
		data = append(data, sessionJSON(ses))
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "nextCursor": next})
}

type attendanceBody struct {
	Status             string `json:"status"`
	CancellationReason string `json:"cancellationReason"`
}

type attendanceResponse struct {
	Session   sessionResponse  `json:"session"`
	Invoice   *invoiceResponse `json:"invoice"`
	SendError string           `json:"sendError,omitempty"`
}

// markAttendance is POST /v1/sessions/{id}/attendance {status, cancellationReason?}.
func (s *server) markAttendance(w http.ResponseWriter, r *http.Request) {
	var b attendanceBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	if b.Status == "" {
		s.writeError(w, r, validation.Errorf("status", "is required: attended, cancelled, no_show or scheduled"))
		return
	}
	res, err := s.sessions.MarkAttendance(r.Context(), principal(r.Context()), r.PathValue("id"),
		session.Attendance(b.Status), b.CancellationReason, s.publicBase(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := attendanceResponse{Session: sessionJSON(res.Session), SendError: res.SendError}
	if res.Invoice != nil {
		inv := invoiceJSON(principal(r.Context()), *res.Invoice)
		out.Invoice = &inv
	}
	writeJSON(w, http.StatusOK, out)
}

// autoInvoiceJSON is the org's auto-invoicing: "enabled", "mode"
// ("finalize": each attended session its own finalized invoice; "draft": a
// line on the client's draft for the month) and "send" (email finalized
// session invoices at once).
type autoInvoiceJSON struct {
	Enabled bool   `json:"enabled"`
	Mode    string `json:"mode"`
	Send    bool   `json:"send"`
}

type autoInvoicePatch struct {
	Enabled opt[bool]   `json:"enabled"`
	Mode    opt[string] `json:"mode"`
	Send    opt[bool]   `json:"send"`
}

func autoInvoiceOf(a org.AutoInvoice) autoInvoiceJSON {
	return autoInvoiceJSON{Enabled: a.Enabled, Mode: string(a.Mode), Send: a.Send}
}

func applyAutoInvoice(p opt[autoInvoicePatch], a *org.AutoInvoice) {
	switch {
	case !p.Set:
		return
	case p.Null:
		*a = org.DefaultAutoInvoice()
		return
	}
	if p.V.Enabled.Set {
		a.Enabled = p.V.Enabled.V
	}
	if p.V.Mode.Set {
		a.Mode = org.AutoInvoiceMode(p.V.Mode.V)
	}
	if p.V.Send.Set {
		a.Send = p.V.Send.V
	}
}
