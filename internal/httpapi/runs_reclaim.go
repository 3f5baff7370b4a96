package httpapi

import (
	"net/http"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/run"
)

func init() {
	failures = append(failures, []struct {
		err error
		failure
	}{
		{run.ErrNotRejected, failure{http.StatusConflict, "not_on_fix_list", ""}},
		{run.ErrReclaimTaken, failure{http.StatusConflict, "already_reclaimed", ""}},
		{run.ErrNotNDIAManaged, failure{http.StatusConflict, "not_ndia_managed", ""}},
		{run.ErrInvoiceVoid, failure{http.StatusConflict, "invoice_void", ""}},
	}...)
}

// reclaimBody queues a rejected line for re-claim: its claim reference
// on the run's fix list and what was corrected (empty keeps the line's
// own; the participant's NDIS number is read again from their record).
type reclaimBody struct {
	ClaimReference string `json:"claimReference"`
	SupportItem    string `json:"supportItem"`
	UnitPrice      string `json:"unitPrice"`
}

// reclaimJSON is a fix list line's re-claim: queued, then in a run's
// file under its new claim reference, then accepted, rejected or paid.
type reclaimJSON struct {
	State          run.ReclaimState `json:"state"`
	Attempt        int              `json:"attempt"`
	ClaimReference string           `json:"claimReference"`
	RunID          string           `json:"runId,omitempty"`
	Run            string           `json:"run,omitempty"` // link to the run whose file carries it
	FromRunID      string           `json:"fromRunId"`
	FromReference  string           `json:"fromClaimReference"`
	ClientID       string           `json:"clientId"`
	ClientName     string           `json:"clientName"`
	InvoiceID      string           `json:"invoiceId"`
	Number         string           `json:"number"`
	NDISNumber     string           `json:"ndisNumber"`
	SupportItem    string           `json:"supportItem"`
	UnitPrice      string           `json:"unitPrice"`
	Amount         string           `json:"amount"`
}

func toReclaimJSON(r *run.Reclaim) *reclaimJSON {
	if r == nil {
		return nil
	}
	out := &reclaimJSON{State: r.State, Attempt: r.Attempt, ClaimReference: r.Claim.Ref, RunID: r.RunID, FromRunID: r.FromRun,
		FromReference: r.FromRef, ClientID: r.ClientID, ClientName: r.ClientName, InvoiceID: r.InvoiceID, Number: r.Number,
		NDISNumber: r.Claim.NDISNumber, SupportItem: r.Claim.SupportItem, UnitPrice: r.Claim.UnitPrice.StringFixed(2), Amount: r.Claim.Amount.StringFixed(2)}
	if r.RunID != "" {
		out.Run = "/v1/invoice-runs/" + r.RunID
	}
	return out
}

func toReclaimsJSON(rs []*run.Reclaim) []*reclaimJSON {
	out := make([]*reclaimJSON, 0, len(rs))
	for _, r := range rs {
		out = append(out, toReclaimJSON(r))
	}
	return out
}

// reclaimLine is POST /v1/invoice-runs/{id}/reclaims {claimReference,
// supportItem?, unitPrice?}: the line goes in the org's next real run's
// NDIA file under a new claim reference; the answer is the run's fix list.
func (s *server) reclaimLine(w http.ResponseWriter, r *http.Request) {
	var b reclaimBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	req := billing.ReclaimRequest{Ref: b.ClaimReference}
	req.SupportItem = b.SupportItem
	var err error
	if req.UnitPrice, err = parseOptDec("unitPrice", b.UnitPrice, amountLimits); err != nil {
		s.writeError(w, r, err)
		return
	}
	fix, err := s.runs.Reclaim(r.Context(), principal(r.Context()), r.PathValue("id"), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"fixList": toClaimLinesJSON(fix)})
}
