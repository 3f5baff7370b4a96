package httpapi

import (
	"net/http"
	"strings"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/validation"
)

// runBlockers is GET /v1/invoice-runs/blockers?periodStart=&periodEnd=
// &excludeClientIds=id,id: 200 with {data:[{clientId,clientName,alerts}]},
// the participants whose work in the period would refuse a run
// (run_blocked), each alert with its fix link; empty data when a run of
// the period can start. The runs page asks it before previewing, so a
// blocked period is an answer rather than a 422.
func (s *server) runBlockers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		if k != "periodStart" && k != "periodEnd" && k != "excludeClientIds" {
			s.writeError(w, r, validation.Errorf(k, "is not a parameter here (periodStart, periodEnd, excludeClientIds)"))
			return
		}
	}
	var req billing.StartRequest
	var err error
	if req.PeriodStart, err = parseDate("periodStart", q.Get("periodStart")); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.PeriodEnd, err = parseDate("periodEnd", q.Get("periodEnd")); err != nil {
		s.writeError(w, r, err)
		return
	}
	if ex := q.Get("excludeClientIds"); ex != "" {
		req.Exclude = strings.Split(ex, ",")
	}
	blocked, err := s.runs.Blockers(r.Context(), principal(r.Context()), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list[blockedJSON]{Data: blockedOf(blocked)})
}

// blockedOf is each blocked participant's alerts with their fix links,
// as run_blocked and the blockers route show them.
func blockedOf(clients []run.Blocked) []blockedJSON {
	out := make([]blockedJSON, 0, len(clients))
	for _, c := range clients {
		bj := blockedJSON{ClientID: c.ClientID, ClientName: c.ClientName}
		for _, a := range c.Alerts {
			bj.Alerts = append(bj.Alerts, blockedAlertJSON{TaskID: a.TaskID, SessionID: a.SessionID, Date: a.Date.String(), Code: a.Code, Message: a.Message, Fix: fixLink(c.ClientID, a.Code)})
		}
		out = append(out, bj)
	}
	return out
}
