package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/carebill/carebill/internal/recurring"
	"github.com/carebill/carebill/internal/validation"
)

// recurringRoutes are a client's recurring charges (CRUD, pause and
// resume, and "bill what is due now": the schedule does it on its own)
// and its initial balance.
func (s *server) recurringRoutes(v1 router) {
	v1.HandleFunc("GET /v1/clients/{id}/recurring-charges", s.listCharges)
	v1.HandleFunc("POST /v1/clients/{id}/recurring-charges", s.createCharge)
	v1.HandleFunc("GET /v1/clients/{id}/recurring-charges/{charge}", s.getCharge)
	v1.HandleFunc("PUT /v1/clients/{id}/recurring-charges/{charge}", s.putCharge)
	v1.HandleFunc("DELETE /v1/clients/{id}/recurring-charges/{charge}", s.deleteCharge)
	v1.HandleFunc("POST /v1/clients/{id}/recurring-charges/{charge}/pause", s.pauseCharge)
	v1.HandleFunc("POST /v1/clients/{id}/recurring-charges/{charge}/resume", s.resumeCharge)
	v1.HandleFunc("POST /v1/clients/{id}/recurring-charges/{charge}/bill", s.billCharge)
	v1.HandleFunc("POST /v1/clients/{id}/initial-balance", s.setInitialBalance)
	v1.HandleFunc("GET /v1/clients/{id}/initial-balance", s.getInitialBalance)
}

// chargeBody is a recurring charge as the API takes it: "weekly" with a
// "weekday" (monday…sunday) or "monthly" with a "dayOfMonth" (1–28);
// "end" and "count" optional.
type chargeBody struct {
	Description string `json:"description"`
	Amount      string `json:"amount"`
	TaxRate     string `json:"taxRate"`
	Frequency   string `json:"frequency"`
	Weekday     string `json:"weekday"`
	DayOfMonth  int    `json:"dayOfMonth"`
	Start       string `json:"start"`
	End         string `json:"end"`
	Count       int    `json:"count"`
}

func (b chargeBody) spec(clientID string) (recurring.Spec, error) {
	sp := recurring.Spec{ClientID: clientID, Description: b.Description, Frequency: recurring.Frequency(b.Frequency), DayOfMonth: b.DayOfMonth, Count: b.Count}
	var err error
	if sp.Amount, err = parseDec("amount", b.Amount, amountLimits); err != nil {
		return sp, err
	}
	if b.TaxRate != "" {
		r, err := parseDec("taxRate", b.TaxRate, rateLimits)
		if err != nil {
			return sp, err
		}
		sp.TaxRate = &r
	}
	if sp.Frequency == recurring.Weekly {
		wd, ok := weekdays[b.Weekday]
		if !ok {
			return sp, validation.Errorf("weekday", "must be monday, tuesday, wednesday, thursday, friday, saturday or sunday")
		}
		sp.Weekday = wd
	} else if b.Weekday != "" {
		return sp, validation.Errorf("weekday", "is only for weekly charges")
	}
	if sp.Frequency == recurring.Weekly && b.DayOfMonth != 0 {
		return sp, validation.Errorf("dayOfMonth", "is only for monthly charges")
	}
	if sp.Start, err = parseDate("start", b.Start); err != nil {
		return sp, err
	}
	if sp.End, err = parseDate("end", b.End); err != nil {
		return sp, err
	}
	return sp, sp.Validate()
}

type chargeResponse struct {
	ID            string    `json:"id"`
	ClientID      string    `json:"clientId"`
	Description   string    `json:"description"`
	Amount        string    `json:"amount"`
	TaxRate       string    `json:"taxRate,omitempty"`
	Frequency     string    `json:"frequency"`
	Weekday       string    `json:"weekday,omitempty"`
	DayOfMonth    int       `json:"dayOfMonth,omitempty"`
	Start         string    `json:"start"`
	End           string    `json:"end,omitempty"`
	Count         int       `json:"count,omitempty"`
	Status        string    `json:"status"` // active, paused, finished
	Billed        int       `json:"billed"`
	Next          string    `json:"next,omitempty"`
	LastBilled    string    `json:"lastBilled,omitempty"`
	LastInvoiceID string    `json:"lastInvoiceId,omitempty"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
	BilledNow     *int      `json:"billedNow,omitempty"`
}

func chargeJSON(c *recurring.Charge) chargeResponse {
	sp := c.Spec
	out := chargeResponse{ID: c.ID, ClientID: sp.ClientID, Description: sp.Description, Amount: sp.Amount.StringFixed(2),
		Frequency: string(sp.Frequency), DayOfMonth: sp.DayOfMonth, Start: sp.Start.String(), End: sp.End.String(), Count: sp.Count,
		Status: "active", Billed: c.Billed, Next: c.Next.String(), LastBilled: c.LastBill.Date.String(), LastInvoiceID: c.LastBill.InvoiceID,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if sp.Frequency == recurring.Weekly {
		out.Weekday = strings.ToLower(sp.Weekday.String())
	}
	if sp.TaxRate != nil {
		out.TaxRate = sp.TaxRate.String()
	}
	switch {
	case c.Finished():
		out.Status = "finished"
	case c.Paused:
		out.Status = "paused"
	}
	return out
}

func (s *server) createCharge(w http.ResponseWriter, r *http.Request) {
	var b chargeBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	sp, err := b.spec(r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.recurring.AddCharge(r.Context(), principal(r.Context()), sp)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/clients/"+sp.ClientID+"/recurring-charges/"+c.ID)
	writeJSON(w, http.StatusCreated, chargeJSON(c))
}

func (s *server) listCharges(w http.ResponseWriter, r *http.Request) {
	list, err := s.recurring.Charges(r.Context(), principal(r.Context()), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := make([]chargeResponse, 0, len(list))
	for _, c := range list {
		data = append(data, chargeJSON(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "nextCursor": ""})
}

func (s *server) getCharge(w http.ResponseWriter, r *http.Request) {
	c, err := s.recurring.Charge(r.Context(), principal(r.Context()), r.PathValue("id"), r.PathValue("charge"))
	s.answerCharge(w, r, c, err)
}

func (s *server) putCharge(w http.ResponseWriter, r *http.Request) {
	var b chargeBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	sp, err := b.spec(r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.recurring.EditCharge(r.Context(), principal(r.Context()), r.PathValue("id"), r.PathValue("charge"), sp)
	s.answerCharge(w, r, c, err)
}

func (s *server) deleteCharge(w http.ResponseWriter, r *http.Request) {
	if err := s.recurring.DeleteCharge(r.Context(), principal(r.Context()), r.PathValue("id"), r.PathValue("charge")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) pauseCharge(w http.ResponseWriter, r *http.Request) {
	c, err := s.recurring.PauseCharge(r.Context(), principal(r.Context()), r.PathValue("id"), r.PathValue("charge"))
	s.answerCharge(w, r, c, err)
}

func (s *server) resumeCharge(w http.ResponseWriter, r *http.Request) {
	c, err := s.recurring.ResumeCharge(r.Context(), principal(r.Context()), r.PathValue("id"), r.PathValue("charge"))
	s.answerCharge(w, r, c, err)
}

// billCharge is POST …/recurring-charges/{charge}/bill: bill what is due
// today now rather than at the next scheduled run; "billedNow" says how
// many occurrences this call billed (0 on a repeat).
func (s *server) billCharge(w http.ResponseWriter, r *http.Request) {
	p := principal(r.Context())
	if _, err := s.recurring.Charge(r.Context(), p, r.PathValue("id"), r.PathValue("charge")); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, n, err := s.recurring.BillDue(r.Context(), p, r.PathValue("charge"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := chargeJSON(c)
	out.BilledNow = &n
	writeJSON(w, http.StatusOK, out)
}

func (s *server) answerCharge(w http.ResponseWriter, r *http.Request, c *recurring.Charge, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, chargeJSON(c))
}
