package httpapi

import (
	"net/http"
	"time"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/validation"
)

type eventJSON struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"`
	Summary    string    `json:"summary"`
	InvoiceID  string    `json:"invoiceId,omitempty"`
	Number     string    `json:"number,omitempty"`
	ClientID   string    `json:"clientId,omitempty"`
	ClientName string    `json:"clientName,omitempty"`
	Actor      string    `json:"actor,omitempty"`
	Channel    string    `json:"channel,omitempty"`
	Recipient  string    `json:"recipient,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	At         time.Time `json:"at"`
}

func eventToJSON(e activity.Event) eventJSON {
	return eventJSON{
		ID: e.ID, Kind: string(e.Kind), Summary: e.Summary(), InvoiceID: e.InvoiceID, Number: e.Number,
		ClientID: e.ClientID, ClientName: e.ClientName, Actor: e.Actor, Channel: e.Channel,
		Recipient: e.Recipient, Detail: e.Detail, At: e.At,
	}
}

// activity serves the three activity lists: GET /v1/activity (the org's
// feed, searchable with q), /v1/invoices/{id}/activity and
// /v1/clients/{id}/activity.
func (s *server) activity(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := pageLimit(q.Get("limit"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f := activity.Filter{Search: q.Get("q"), Limit: limit, Cursor: q.Get("cursor")}
	if err := validation.Text("q", f.Search, false, 100); err != nil {
		s.writeError(w, r, err)
		return
	}
	switch {
	case r.Pattern == "GET /v1/invoices/{id}/activity":
		if f.InvoiceID, err = invoiceID(r); err != nil {
			s.writeError(w, r, err)
			return
		}
	case r.Pattern == "GET /v1/clients/{id}/activity":
		f.ClientID = r.PathValue("id")
		if !id.Valid(id.Client, f.ClientID) {
			s.writeError(w, r, client.ErrNotFound)
			return
		}
	}
	events, next, err := s.billing.Activity(r.Context(), principal(r.Context()), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := list[eventJSON]{Data: make([]eventJSON, 0, len(events)), NextCursor: next}
	for _, e := range events {
		out.Data = append(out.Data, eventToJSON(e))
	}
	writeJSON(w, http.StatusOK, out)
}
