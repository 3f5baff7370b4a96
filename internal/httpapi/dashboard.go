package httpapi

import "net/http"

// dashboardAlertJSON is one dashboard alert; clientId names the
// participant its fix starts at (ndis_task_alerts).
type dashboardAlertJSON struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	ClientID string `json:"clientId,omitempty"`
}

// dashboard is GET /v1/dashboard: open and overdue invoices (count and
// balance), paid this period (the current billing cycle to today: count,
// amount), cases pending their PO (count, value before tax), cases ready
// to invoice, alerts ({code, message, clientId?}) and the ten latest activity events.
func (s *server) dashboard(w http.ResponseWriter, r *http.Request) {
	p := principal(r.Context())
	d, err := s.dashboards.Dashboard(r.Context(), p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	o, err := s.billing.Org(r.Context(), p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cur := o.Settings.Currency
	events := make([]eventJSON, 0, len(d.RecentActivity))
	for _, e := range d.RecentActivity {
		events = append(events, eventToJSON(e))
	}
	alerts := make([]dashboardAlertJSON, 0, len(d.Alerts))
	for _, a := range d.Alerts {
		alerts = append(alerts, dashboardAlertJSON{Code: a.Code, Message: a.Message, ClientID: a.ClientID})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"today":          d.Today.String(),
		"currency":       cur.Code(),
		"open":           map[string]any{"count": d.Open.Open, "balance": cur.String(d.Open.OpenBalance)},
		"overdue":        map[string]any{"count": d.Open.Overdue, "balance": cur.String(d.Open.OverdueBalance)},
		"pendingPO":      map[string]any{"count": d.PendingPOCount, "value": cur.String(d.PendingPOValue)},
		"readyToInvoice": map[string]any{"cases": d.ReadyToInvoice},
		"paidThisPeriod": map[string]any{"from": d.Paid.From.String(), "to": d.Paid.To.String(), "count": d.Paid.Count, "amount": cur.String(d.Paid.Amount)},
		"alerts":         alerts,
		"recentActivity": events,
	})
}
