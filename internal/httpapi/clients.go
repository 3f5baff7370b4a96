package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

type contactJSON struct {
	ID      string `json:"id,omitempty"`
	Name    string `json:"name"`
	Email   string `json:"email,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

type planManagerJSON struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type fundingJSON struct {
	Type        string           `json:"type"`
	NDISNumber  string           `json:"ndisNumber,omitempty"`
	PlanManager *planManagerJSON `json:"planManager,omitempty"`
}

type balanceJSON struct {
	Owing    string `json:"owing"`
	Credit   string `json:"credit"`
	Currency string `json:"currency"`
}

type clientResponse struct {
	ID               string        `json:"id"`
	Name             string        `json:"name"`
	Contacts         []contactJSON `json:"contacts"`
	BillingContactID string        `json:"billingContactId,omitempty"`
	PaymentTermsDays *int          `json:"paymentTermsDays,omitempty"`
	TaxRate          *string       `json:"taxRate,omitempty"`
	Funding          fundingJSON   `json:"funding"`
	Currency         string        `json:"currency"` // what the client bills in
	Balance          balanceJSON   `json:"balance"`
	CreatedAt        time.Time     `json:"createdAt"`
	UpdatedAt        time.Time     `json:"updatedAt"`
	// NDISPlan is the participant's plan, with ?include=ndisPlan and
	// only when one is recorded.
	NDISPlan *planJSON `json:"ndisPlan,omitempty"`
}

func clientJSON(v billing.ClientView) clientResponse {
	p := v.Profile
	out := clientResponse{
		ID: v.ID, Name: p.Name, Contacts: make([]contactJSON, 0, len(p.Contacts)),
		BillingContactID: p.BillingContactID, PaymentTermsDays: p.PaymentTermsDays,
		Funding:  fundingJSON{Type: string(p.Funding.Type), NDISNumber: p.Funding.NDISNumber},
		Currency: v.Currency.Code(),
		Balance: balanceJSON{
			Owing: v.Currency.String(v.Balance.Owing), Credit: v.Currency.String(v.Balance.Credit), Currency: v.Currency.Code(),
		},
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
	}
	for _, c := range p.Contacts {
		out.Contacts = append(out.Contacts, contactJSON(c))
	}
	if p.TaxRate != nil {
		r := p.TaxRate.String()
		out.TaxRate = &r
	}
	if pm := p.Funding.PlanManager; pm != nil {
		out.Funding.PlanManager = &planManagerJSON{Name: pm.Name, Email: pm.Email}
	}
	return out
}

// clientBody is POST /v1/clients and, with every field optional, PATCH.
type clientBody struct {
	Name             opt[string]        `json:"name"`
	Contacts         opt[[]contactJSON] `json:"contacts"`
	BillingContactID opt[string]        `json:"billingContactId"`
	PaymentTermsDays opt[int]           `json:"paymentTermsDays"`
	TaxRate          opt[string]        `json:"taxRate"`
	Funding          opt[fundingJSON]   `json:"funding"`
	Currency         opt[string]        `json:"currency"` // null: back to the org's
}

func (b clientBody) apply(p *client.Profile) error {
	setStr(&p.Name, b.Name)
	setStr(&p.BillingContactID, b.BillingContactID)
	if b.Contacts.Set {
		p.Contacts = nil
		for _, c := range b.Contacts.V {
			p.Contacts = append(p.Contacts, client.Contact(c))
		}
		if !b.BillingContactID.Set && !hasContact(p.Contacts, p.BillingContactID) {
			p.BillingContactID = "" // the old billing contact is gone: back to the primary
		}
	}
	if b.PaymentTermsDays.Set {
		p.PaymentTermsDays = nil
		if !b.PaymentTermsDays.Null {
			t := b.PaymentTermsDays.V
			p.PaymentTermsDays = &t
		}
	}
	if b.TaxRate.Set {
		p.TaxRate = nil
		if !b.TaxRate.Null {
			r, err := parseDec("taxRate", b.TaxRate.V, rateLimits)
			if err != nil {
				return err
			}
			p.TaxRate = &r
		}
	}
	if b.Currency.Set {
		p.Currency = money.Currency{}
		if !b.Currency.Null {
			c, err := parseCurrency("currency", b.Currency.V)
			if err != nil {
				return err
			}
			p.Currency = c
		}
	}
	if b.Funding.Set {
		f := b.Funding.V
		p.Funding = client.Funding{Type: client.FundingType(f.Type), NDISNumber: f.NDISNumber}
		if f.PlanManager != nil {
			p.Funding.PlanManager = &client.PlanManager{Name: f.PlanManager.Name, Email: f.PlanManager.Email}
		}
	}
	return nil
}

func hasContact(cs []client.Contact, id string) bool {
	for _, c := range cs {
		if c.ID == id {
			return true
		}
	}
	return false
}

func (s *server) createClient(w http.ResponseWriter, r *http.Request) {
	var b clientBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	var prof client.Profile
	if err := b.apply(&prof); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.billing.CreateClient(r.Context(), principal(r.Context()), prof)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/clients/"+v.ID)
	writeJSON(w, http.StatusCreated, clientJSON(v))
}

func (s *server) getClient(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("id")
	if !id.Valid(id.Client, cid) {
		s.writeError(w, r, client.ErrNotFound)
		return
	}
	switch r.URL.Query().Get("include") {
	case "":
		v, err := s.billing.Client(r.Context(), principal(r.Context()), cid)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, clientJSON(v))
	case "ndisPlan":
		// A participant's page reads the plan with the client, so a
		// participant without one is not a failed request.
		v, plan, err := s.coordination.Participant(r.Context(), principal(r.Context()), cid)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out := clientJSON(v)
		if plan != nil {
			pj := planToJSON(plan)
			out.NDISPlan = &pj
		}
		writeJSON(w, http.StatusOK, out)
	default:
		s.writeError(w, r, validation.Errorf("include", "is ndisPlan or left out"))
	}
}

func (s *server) patchClient(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("id")
	if !id.Valid(id.Client, cid) {
		s.writeError(w, r, client.ErrNotFound)
		return
	}
	var b clientBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.billing.UpdateClient(r.Context(), principal(r.Context()), cid, b.apply)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, clientJSON(v))
}

func (s *server) listClients(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := pageLimit(q.Get("limit"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	search := q.Get("q")
	if err := validation.Text("q", search, false, 100); err != nil {
		s.writeError(w, r, err)
		return
	}
	views, next, err := s.billing.Clients(r.Context(), principal(r.Context()), search, limit, q.Get("cursor"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := list[clientResponse]{Data: make([]clientResponse, 0, len(views)), NextCursor: next}
	for _, v := range views {
		out.Data = append(out.Data, clientJSON(v))
	}
	writeJSON(w, http.StatusOK, out)
}

func pageLimit(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 200 {
		return 0, validation.Errorf("limit", "must be a whole number from 1 to 200")
	}
	return n, nil
}
