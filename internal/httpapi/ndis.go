package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/validation"
)

// taskBody is POST /v1/tasks: the time is start and end ("HH:MM", same
// day) or durationMinutes, claimed as is.
type taskBody struct {
	ClientID           string `json:"clientId"`
	SupportItem        string `json:"supportItem"`
	Date               string `json:"date"`
	Start              string `json:"start"`
	End                string `json:"end"`
	DurationMinutes    int    `json:"durationMinutes"`
	ClaimType          string `json:"claimType"`
	CancellationReason string `json:"cancellationReason"`
	Rate               string `json:"rate"`
	Notes              string `json:"notes"`
}

type alertJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type taskResponse struct {
	ID                 string      `json:"id"`
	ClientID           string      `json:"clientId"`
	SupportItem        string      `json:"supportItem,omitempty"`
	Date               string      `json:"date"`
	DurationMinutes    int         `json:"durationMinutes"`
	ClaimType          string      `json:"claimType"`
	CancellationReason string      `json:"cancellationReason,omitempty"`
	Rate               string      `json:"rate,omitempty"`
	Amount             string      `json:"amount"`
	Notes              string      `json:"notes,omitempty"`
	Alerts             []alertJSON `json:"alerts"`
	ReadyToInvoice     bool        `json:"readyToInvoice"`
	InvoiceID          string      `json:"invoiceId,omitempty"`
	CreatedAt          time.Time   `json:"createdAt"`
}

func taskJSON(v billing.TaskView) taskResponse {
	out := taskResponse{ID: v.ID, ClientID: v.ClientID, SupportItem: v.SupportItem, Date: v.Date.String(), DurationMinutes: v.Minutes,
		ClaimType: v.ClaimType.Name(), CancellationReason: v.CancellationReason, Amount: v.Amount.StringFixed(2), Notes: v.Notes,
		Alerts: make([]alertJSON, 0, len(v.Alerts)), ReadyToInvoice: len(v.Alerts) == 0 && v.InvoiceID == "", InvoiceID: v.InvoiceID, CreatedAt: v.CreatedAt}
	if !v.Rate.IsZero() {
		out.Rate = v.Rate.StringFixed(2)
	}
	for _, a := range v.Alerts {
		out.Alerts = append(out.Alerts, alertJSON(a))
	}
	return out
}

func (b taskBody) task() (ndis.Task, error) {
	t := ndis.Task{ClientID: b.ClientID, SupportItem: b.SupportItem, CancellationReason: b.CancellationReason, Notes: b.Notes, Minutes: b.DurationMinutes}
	var err error
	if t.Date, err = parseDate("date", b.Date); err != nil {
		return t, err
	}
	if t.ClaimType, err = ndis.ParseClaimType(b.ClaimType); err != nil {
		return t, err
	}
	if t.Rate, err = parseOptDec("rate", b.Rate, amountLimits); err != nil {
		return t, err
	}
	if b.Start != "" || b.End != "" {
		if b.DurationMinutes != 0 {
			return t, validation.Errorf("durationMinutes", "give start and end, or durationMinutes, not both")
		}
		s, err1 := time.Parse("15:04", b.Start)
		e, err2 := time.Parse("15:04", b.End)
		if err1 != nil || err2 != nil {
			return t, validation.Errorf("start", "start and end must both be times written HH:MM")
		}
		if !e.After(s) {
			return t, validation.Errorf("end", "is not after start")
		}
		t.Minutes = int(e.Sub(s) / time.Minute)
	}
	return t, nil
}

func (s *server) createTask(w http.ResponseWriter, r *http.Request) {
	var b taskBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := b.task()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.coordination.RecordTask(r.Context(), principal(r.Context()), t)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/tasks/"+v.ID)
	writeJSON(w, http.StatusCreated, taskJSON(v))
}

func (s *server) getTask(w http.ResponseWriter, r *http.Request) {
	v, err := s.coordination.Task(r.Context(), principal(r.Context()), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, taskJSON(v))
}

// taskPatch is PATCH /v1/tasks/{id}: every field optional; null clears
// supportItem, rate, notes and cancellationReason. The participant stays.
type taskPatch struct {
	SupportItem        opt[string] `json:"supportItem"`
	Date               opt[string] `json:"date"`
	Start              opt[string] `json:"start"`
	End                opt[string] `json:"end"`
	DurationMinutes    opt[int]    `json:"durationMinutes"`
	ClaimType          opt[string] `json:"claimType"`
	CancellationReason opt[string] `json:"cancellationReason"`
	Rate               opt[string] `json:"rate"`
	Notes              opt[string] `json:"notes"`
}

// apply changes t by the patch; domain rules are checked after (Validate).
func (b taskPatch) apply(t *ndis.Task) error {
	if b.SupportItem.Set {
		t.SupportItem = b.SupportItem.V
	}
	if b.Notes.Set {
		t.Notes = b.Notes.V
	}
	if b.CancellationReason.Set {
		t.CancellationReason = b.CancellationReason.V
	}
	if b.Date.Set {
		d, err := parseDate("date", b.Date.V)
		if err != nil {
			return err
		}
		t.Date = d
	}
	if b.ClaimType.Set {
		ct, err := ndis.ParseClaimType(b.ClaimType.V)
		if err != nil {
			return err
		}
		t.ClaimType = ct
	}
	if b.Rate.Set {
		r, err := parseOptDec("rate", b.Rate.V, amountLimits)
		if err != nil {
			return err
		}
		t.Rate = r
	}
	if b.DurationMinutes.Set {
		t.Minutes = b.DurationMinutes.V
	}
	if b.Start.Set || b.End.Set {
		if b.DurationMinutes.Set {
			return validation.Errorf("durationMinutes", "give start and end, or durationMinutes, not both")
		}
		s, err1 := time.Parse("15:04", b.Start.V)
		e, err2 := time.Parse("15:04", b.End.V)
		if err1 != nil || err2 != nil {
			return validation.Errorf("start", "start and end must both be times written HH:MM")
		}
		if !e.After(s) {
			return validation.Errorf("end", "is not after start")
		}
		t.Minutes = int(e.Sub(s) / time.Minute)
	}
	return nil
}

// patchTask is PATCH /v1/tasks/{id}: fix what a task's alerts name.
func (s *server) patchTask(w http.ResponseWriter, r *http.Request) {
	var b taskPatch
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.coordination.UpdateTask(r.Context(), principal(r.Context()), r.PathValue("id"), b.apply)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, taskJSON(v))
}

// deleteTask is DELETE /v1/tasks/{id}.
func (s *server) deleteTask(w http.ResponseWriter, r *http.Request) {
	if err := s.coordination.DeleteTask(r.Context(), principal(r.Context()), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listTasks is GET /v1/tasks?clientId=: a participant's tasks in date
// order with their alerts.
func (s *server) listTasks(w http.ResponseWriter, r *http.Request) {
	cid := r.URL.Query().Get("clientId")
	if cid == "" {
		s.writeError(w, r, validation.Errorf("clientId", "is required"))
		return
	}
	vs, err := s.coordination.Tasks(r.Context(), principal(r.Context()), cid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := make([]taskResponse, 0, len(vs))
	for _, v := range vs {
		data = append(data, taskJSON(v))
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "nextCursor": ""})
}

type planJSON struct {
	Start      string            `json:"start"`
	End        string            `json:"end"`
	Remoteness string            `json:"remoteness"`
	Budgets    map[string]string `json:"budgets"`
}

func planToJSON(p *ndis.Plan) planJSON {
	out := planJSON{Start: p.Start.String(), End: p.End.String(), Remoteness: string(p.Remoteness), Budgets: map[string]string{}}
	for k, v := range p.Budgets {
		out.Budgets[k] = v.StringFixed(2)
	}
	return out
}

// putPlan is PUT /v1/clients/{id}/ndis-plan {start,end,remoteness,budgets:{"07":"5000.00"}}.
func (s *server) putPlan(w http.ResponseWriter, r *http.Request) {
	var b planJSON
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	plan := ndis.Plan{ClientID: r.PathValue("id"), Remoteness: ndis.Remoteness(b.Remoteness), Budgets: map[string]decimal.Decimal{}}
	var err error
	if plan.Start, err = parseDate("start", b.Start); err != nil {
		s.writeError(w, r, err)
		return
	}
	if plan.End, err = parseDate("end", b.End); err != nil {
		s.writeError(w, r, err)
		return
	}
	for k, v := range b.Budgets {
		if plan.Budgets[k], err = parseDec("budgets."+k, v, amountLimits); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	p, err := s.coordination.SetPlan(r.Context(), principal(r.Context()), plan)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, planToJSON(p))
}

func (s *server) getPlan(w http.ResponseWriter, r *http.Request) {
	p, err := s.coordination.Plan(r.Context(), principal(r.Context()), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, planToJSON(p))
}

type priceLimitJSON struct {
	SupportItem string `json:"supportItem"`
	From        string `json:"from"`
	National    string `json:"national"`
	Remote      string `json:"remote"`
	VeryRemote  string `json:"veryRemote"`
}

func priceLimitsJSON(ls []ndis.PriceLimit) map[string]any {
	items := make([]priceLimitJSON, 0, len(ls))
	for _, l := range ls {
		items = append(items, priceLimitJSON{SupportItem: l.SupportItem, From: l.From.String(),
			National: l.National.StringFixed(2), Remote: l.Remote.StringFixed(2), VeryRemote: l.VeryRemote.StringFixed(2)})
	}
	return map[string]any{"items": items}
}

func (s *server) getPriceLimits(w http.ResponseWriter, r *http.Request) {
	ls, err := s.coordination.PriceLimits(r.Context(), principal(r.Context()))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, priceLimitsJSON(ls))
}

// putPriceLimits is PUT /v1/ndis/price-limits {items:[{supportItem,from,national,remote,veryRemote}]},
// replacing the org's whole list.
func (s *server) putPriceLimits(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Items []priceLimitJSON `json:"items"`
	}
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(b.Items) > ndis.MaxPriceLimits {
		s.writeError(w, r, validation.Errorf("items", "at most %d price limits", ndis.MaxPriceLimits))
		return
	}
	var ls []ndis.PriceLimit
	for i, it := range b.Items {
		f := fmt.Sprintf("items[%d].", i)
		l := ndis.PriceLimit{SupportItem: it.SupportItem}
		var err error
		if l.From, err = parseDate(f+"from", it.From); err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, p := range []struct {
			name string
			v    string
			dst  *decimal.Decimal
		}{{"national", it.National, &l.National}, {"remote", it.Remote, &l.Remote}, {"veryRemote", it.VeryRemote, &l.VeryRemote}} {
			if *p.dst, err = parseDec(f+p.name, p.v, amountLimits); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		ls = append(ls, l)
	}
	out, err := s.coordination.SetPriceLimits(r.Context(), principal(r.Context()), ls)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, priceLimitsJSON(out))
}
