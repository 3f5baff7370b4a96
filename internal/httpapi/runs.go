package httpapi

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/validation"
)

// runRoutes are invoice runs: start or preview one, the batches page,
// a run's progress, re-queueing parked clients, the NDIA bulk file and its
// reconciliation, the NDIS provider settings and a participant's budget.
func (s *server) runRoutes(v1 router) {
	v1.HandleFunc("POST /v1/invoice-runs", s.startRun)
	v1.HandleFunc("GET /v1/invoice-runs", s.listRuns)
	v1.HandleFunc("GET /v1/invoice-runs/blockers", s.runBlockers)
	v1.HandleFunc("GET /v1/invoice-runs/{id}", s.getRun)
	v1.HandleFunc("POST /v1/invoice-runs/{id}/requeue", s.requeueRun)
	v1.HandleFunc("GET /v1/invoice-runs/{id}/ndia-bulk-upload.csv", s.bulkFile)
	v1.HandleFunc("POST /v1/invoice-runs/{id}/ndia-results", s.ndiaResults)
	v1.HandleFunc("POST /v1/invoice-runs/{id}/ndia-remittance", s.ndiaRemittance)
	v1.HandleFunc("POST /v1/invoice-runs/{id}/reclaims", s.reclaimLine)
	v1.HandleFunc("GET /v1/ndis/provider", s.getProvider)
	v1.HandleFunc("PUT /v1/ndis/provider", s.putProvider)
	v1.HandleFunc("GET /v1/clients/{id}/budget", s.clientBudget)
}

// runFailures are the run errors' statuses and codes (added to failures
// by init, keeping the one mapping).
func init() {
	failures = append(failures, []struct {
		err error
		failure
	}{
		{run.ErrNotFound, failure{http.StatusNotFound, "not_found", ""}},
		{run.ErrNotParked, failure{http.StatusConflict, "client_not_parked", ""}},
		{run.ErrAlreadyOnRun, failure{http.StatusConflict, "client_on_run", ""}},
		{run.ErrDryRun, failure{http.StatusConflict, "dry_run", ""}},
		{run.ErrPeriodTaken, failure{http.StatusConflict, "run_exists", ""}},
	}...)
}

type startRunBody struct {
	PeriodStart      string   `json:"periodStart"`
	PeriodEnd        string   `json:"periodEnd"`
	DryRun           bool     `json:"dryRun"`
	ExcludeClientIDs []string `json:"excludeClientIds"`
}

type countsJSON struct {
	Total     int            `json:"total"`
	Invoiced  int            `json:"invoiced"`
	Parked    int            `json:"parked"`
	Empty     int            `json:"empty"`
	Unsent    int            `json:"unsent"` // invoiced, send parked
	ByRouting map[string]int `json:"byRouting"`
	Amount    string         `json:"amount"`
	Reclaims  int            `json:"reclaims"` // rejected lines of earlier runs this run's NDIA file claims again
}

type runJSON struct {
	ID          string     `json:"id"`
	PeriodStart string     `json:"periodStart"`
	PeriodEnd   string     `json:"periodEnd"`
	DryRun      bool       `json:"dryRun"`
	Status      run.Status `json:"status"`
	Counts      countsJSON `json:"counts"`
	Excluded    []string   `json:"excludeClientIds"`
	CreatedBy   string     `json:"createdBy"`
	CreatedAt   time.Time  `json:"createdAt"`
	Links       runLinks   `json:"links"`
}

type runLinks struct {
	Self  string   `json:"self"`
	Files []string `json:"files,omitempty"`
}

func toRunJSON(rn *run.Run) runJSON {
	c := rn.Counts
	out := runJSON{ID: rn.ID, PeriodStart: rn.PeriodStart.String(), PeriodEnd: rn.PeriodEnd.String(), DryRun: rn.DryRun,
		Status: rn.Status(), Excluded: rn.Excluded, CreatedBy: rn.CreatedBy, CreatedAt: rn.CreatedAt,
		Counts: countsJSON{Total: c.Total, Invoiced: c.Invoiced, Parked: c.Parked, Empty: c.Empty, Unsent: c.Unsent, ByRouting: map[string]int{},
			Amount: c.Amount.StringFixed(2), Reclaims: c.Reclaims},
		Links: runLinks{Self: "/v1/invoice-runs/" + rn.ID}}
	if out.Excluded == nil {
		out.Excluded = []string{}
	}
	for r, n := range c.ByRouting {
		out.Counts.ByRouting[string(r)] = n
	}
	return out
}

type previewLineJSON struct {
	Description string `json:"description"`
	SupportItem string `json:"supportItem"`
	Date        string `json:"date"`
	Minutes     int    `json:"durationMinutes"`
	ClaimType   string `json:"claimType"`
	Rate        string `json:"rate"`
	Amount      string `json:"amount"`
}

type runClientJSON struct {
	ClientID   string            `json:"clientId"`
	ClientName string            `json:"clientName"`
	State      run.ClientState   `json:"state"`
	Reason     string            `json:"reason,omitempty"`
	Alerts     []string          `json:"alerts,omitempty"`
	Routing    run.Routing       `json:"routing,omitempty"`
	InvoiceID  string            `json:"invoiceId,omitempty"`
	Number     string            `json:"number,omitempty"`
	Invoice    string            `json:"invoice,omitempty"` // link
	FixLink    string            `json:"fix,omitempty"`     // where to fix a parked client
	Routed     bool              `json:"routed"`
	RouteError string            `json:"routeError,omitempty"`
	SendParked bool              `json:"sendParked"` // invoiced, not sent: routeError says why; re-queue sends it
	Lines      []previewLineJSON `json:"lines"`
	Subtotal   string            `json:"subtotal"`
	Tax        string            `json:"tax"`
	Total      string            `json:"total"`
	Claims     []string          `json:"claimReferences,omitempty"`
}

func toRunClientJSON(c *run.ClientResult) runClientJSON {
	out := runClientJSON{ClientID: c.ClientID, ClientName: c.ClientName, State: c.State, Reason: c.Reason, Alerts: c.Alerts,
		Routing: c.Routing, InvoiceID: c.InvoiceID, Number: c.Number, Routed: c.Routed, RouteError: c.RouteError, SendParked: c.SendParked(),
		Lines: []previewLineJSON{}, Subtotal: c.Preview.Subtotal.StringFixed(2), Tax: c.Preview.Tax.StringFixed(2), Total: c.Preview.Total.StringFixed(2)}
	if c.InvoiceID != "" {
		out.Invoice = "/v1/invoices/" + c.InvoiceID
	}
	if c.State == run.ClientParked || c.SendParked() {
		out.FixLink = "/app/clients/" + c.ClientID
	}
	for _, l := range c.Preview.Lines {
		out.Lines = append(out.Lines, previewLineJSON{Description: l.Description, SupportItem: l.SupportItem, Date: l.Date.String(),
			Minutes: l.Minutes, ClaimType: l.ClaimType.Name(), Rate: l.Rate.StringFixed(2), Amount: l.Amount.StringFixed(2)})
	}
	for _, cl := range c.Claims {
		out.Claims = append(out.Claims, cl.Ref)
	}
	return out
}

type blockedAlertJSON struct {
	TaskID    string `json:"taskId,omitempty"`
	SessionID string `json:"sessionId,omitempty"` // a session's alert instead of a task's
	Date      string `json:"date"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	Fix       string `json:"fix"` // link to where the alert is fixed
}

type blockedJSON struct {
	ClientID   string             `json:"clientId"`
	ClientName string             `json:"clientName"`
	Alerts     []blockedAlertJSON `json:"alerts"`
}

// fixLink is where an alert is fixed in the hosted UI: price limits in
// settings, everything else (rate, item, NDIS number, plan, budget) on
// the tasks page with the participant selected (its plan and tasks).
func fixLink(clientID, code string) string {
	switch code {
	case "no_price_limit":
		return "/app/settings#price-limits"
	}
	return "/app/tasks?client=" + url.QueryEscape(clientID)
}

// startRun is POST /v1/invoice-runs {periodStart,periodEnd,dryRun?,
// excludeClientIds?}: 202 with the run; 422 run_blocked listing every
// alert with a link to fix it; 409 run_exists naming the period's run.
func (s *server) startRun(w http.ResponseWriter, r *http.Request) {
	var b startRunBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	req := billing.StartRequest{DryRun: b.DryRun, Exclude: b.ExcludeClientIDs}
	var err error
	if req.PeriodStart, err = parseDate("periodStart", b.PeriodStart); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.PeriodEnd, err = parseDate("periodEnd", b.PeriodEnd); err != nil {
		s.writeError(w, r, err)
		return
	}
	rn, err := s.runs.Start(r.Context(), principal(r.Context()), req)
	var ae *run.AlertsError
	var taken *run.PeriodTakenError
	switch {
	case errors.As(err, &ae):
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": map[string]any{"code": "run_blocked",
			"message": ae.Error(), "clients": blockedOf(ae.Clients)}})
		return
	case errors.As(err, &taken):
		writeJSON(w, http.StatusConflict, map[string]any{"error": map[string]any{"code": "run_exists",
			"message": "an invoice run for this period exists: open it to re-queue its parked clients, or add participants it left out (or whose work arrived later) with POST /v1/invoice-runs/" + taken.RunID + "/requeue {\"clientIds\":[...]} (the run page's Add to this run); a participant is invoiced once per period", "runId": taken.RunID}})
		return
	case err != nil:
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/invoice-runs/"+rn.ID)
	writeJSON(w, http.StatusAccepted, toRunJSON(rn))
}

func (s *server) listRuns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := pageLimit(q.Get("limit"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rs, next, err := s.runs.Runs(r.Context(), principal(r.Context()), limit, q.Get("cursor"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := make([]runJSON, 0, len(rs))
	for _, rn := range rs {
		data = append(data, toRunJSON(rn))
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "nextCursor": next})
}

// getRun is GET /v1/invoice-runs/{id}[?limit=&cursor=]: the run, a page of
// its clients (parked ones with their reason and a fix link), links to the
// invoices and the NDIA files, the dead-letter queue's depth (-1 when
// it cannot be read) and the fix list (claim lines the NDIA rejected).
func (s *server) getRun(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := pageLimit(q.Get("limit"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.runs.Run(r.Context(), principal(r.Context()), r.PathValue("id"), limit, q.Get("cursor"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := toRunJSON(v.Run)
	for i := range v.Files {
		out.Links.Files = append(out.Links.Files, fmt.Sprintf("/v1/invoice-runs/%s/ndia-bulk-upload.csv?part=%d", v.ID, i+1))
	}
	clients := make([]runClientJSON, 0, len(v.Clients))
	for _, c := range v.Clients {
		clients = append(clients, toRunClientJSON(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"run": out, "clients": clients, "nextCursor": v.NextCursor, "deadLetters": v.DeadLetters,
		"fixList": toClaimLinesJSON(v.FixList), "reclaims": toReclaimsJSON(v.Reclaims)})
}

type requeueBody struct {
	ClientIDs []string `json:"clientIds"`
}

func (s *server) requeueRun(w http.ResponseWriter, r *http.Request) {
	var b requeueBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.runs.Requeue(r.Context(), principal(r.Context()), r.PathValue("id"), b.ClientIDs); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.getRun(w, r)
}

// bulkFile is GET /v1/invoice-runs/{id}/ndia-bulk-upload.csv[?part=N]: one
// NDIA bulk upload file of the run (at most 5,000 rows each).
func (s *server) bulkFile(w http.ResponseWriter, r *http.Request) {
	part := 1
	if p := r.URL.Query().Get("part"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			s.writeError(w, r, validation.Errorf("part", "must be a file number from 1"))
			return
		}
		part = n
	}
	files, err := s.runs.BulkFiles(r.Context(), principal(r.Context()), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if part > len(files) {
		s.writeError(w, r, fmt.Errorf("bulk file %d: %w", part, errNotFound))
		return
	}
	f := files[part-1]
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	w.Header().Set("X-File-Count", strconv.Itoa(len(files)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Data)
}

type providerJSON struct {
	RegistrationNumber string        `json:"registrationNumber"`
	DateFormat         string        `json:"dateFormat"`
	PadHours           bool          `json:"padHours"`
	Shortfall          run.Shortfall `json:"shortfall"`
}

func toProviderJSON(p run.ProviderSettings) providerJSON {
	out := providerJSON{RegistrationNumber: p.Registration, DateFormat: p.DateFormat, PadHours: p.PadHours, Shortfall: p.Shortfall}
	if out.DateFormat == "" {
		out.DateFormat = run.DateSlashes
	}
	if out.Shortfall == "" {
		out.Shortfall = run.ShortfallCreditNote
	}
	return out
}

func (s *server) getProvider(w http.ResponseWriter, r *http.Request) {
	p, err := s.runs.ProviderSettings(r.Context(), principal(r.Context()))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toProviderJSON(p))
}

// putProvider is PUT /v1/ndis/provider {registrationNumber,dateFormat,
// padHours,shortfall} (admins).
func (s *server) putProvider(w http.ResponseWriter, r *http.Request) {
	var b providerJSON
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.runs.SetProviderSettings(r.Context(), principal(r.Context()), run.ProviderSettings{Registration: b.RegistrationNumber,
		DateFormat: b.DateFormat, PadHours: b.PadHours, Shortfall: b.Shortfall})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toProviderJSON(p))
}

// uploadBody carries an uploaded NDIA file's text (the page reads the
// file and posts it as JSON, so the one strict decoder checks it).
type uploadBody struct {
	FileName string    `json:"fileName"`
	CSV      paragraph `json:"csv"`
}

type claimLineJSON struct {
	ClaimReference string `json:"claimReference"`
	ClientID       string `json:"clientId"`
	ClientName     string `json:"clientName"`
	InvoiceID      string `json:"invoiceId"`
	Number         string `json:"number"`
	State          string `json:"state"`
	Code           string `json:"code,omitempty"`
	Message        string `json:"message,omitempty"`
	Fix            string `json:"fix,omitempty"`
	Claimed        string `json:"claimed"`
	Paid           string `json:"paid"`
	Capped         bool   `json:"capped"`
	// Reclaim is the line's re-claim once queued (POST …/reclaims);
	// CanReclaim says whether POST …/reclaims takes the line now.
	Reclaim    *reclaimJSON `json:"reclaim,omitempty"`
	CanReclaim bool         `json:"canReclaim"`
}

// toClaimLinesJSON is a fix list: each rejected claim line with its
// participant, invoice, the NDIA's code and message, and the fix.
func toClaimLinesJSON(ls []run.Line) []claimLineJSON {
	fix := make([]claimLineJSON, 0, len(ls))
	for _, l := range ls {
		fix = append(fix, claimLineJSON{ClaimReference: l.Ref, ClientID: l.ClientID, ClientName: l.Client, InvoiceID: l.InvoiceID, Number: l.Number,
			State: string(l.State), Code: l.Code, Message: l.Message, Fix: l.Fix, Claimed: l.Claimed.StringFixed(2), Paid: l.Paid.StringFixed(2), Capped: l.Capped,
			Reclaim: toReclaimJSON(l.Reclaim), CanReclaim: l.CanReclaim()})
	}
	return fix
}

func toReconJSON(rec billing.Reconciliation) map[string]any {
	fix := toClaimLinesJSON(rec.FixList)
	orEmpty := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	runs := rec.UnmatchedRuns
	if runs == nil {
		runs = map[string]string{}
	}
	return map[string]any{"matched": rec.Matched, "unmatched": orEmpty(rec.Unmatched), "unmatchedRuns": runs, "accepted": rec.Accepted, "rejected": rec.Rejected,
		"paid": rec.Paid, "alreadyPaid": rec.AlreadyPaid, "payments": orEmpty(rec.Payments), "creditNotes": orEmpty(rec.Shortfall), "fixList": fix}
}

func (s *server) upload(w http.ResponseWriter, r *http.Request, do func(string) (billing.Reconciliation, error)) {
	var b uploadBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	if b.CSV == "" {
		s.writeError(w, r, validation.Errorf("csv", "is required: the file's text"))
		return
	}
	if err := validation.Text("fileName", b.FileName, false, 200); err != nil {
		s.writeError(w, r, err)
		return
	}
	rec, err := do(string(b.CSV))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toReconJSON(rec))
}

// ndiaResults is POST /v1/invoice-runs/{id}/ndia-results {fileName,csv}.
func (s *server) ndiaResults(w http.ResponseWriter, r *http.Request) {
	s.upload(w, r, func(csv string) (billing.Reconciliation, error) {
		return s.runs.ReconcileResults(r.Context(), principal(r.Context()), r.PathValue("id"), csv)
	})
}

// ndiaRemittance is POST /v1/invoice-runs/{id}/ndia-remittance {fileName,csv}.
func (s *server) ndiaRemittance(w http.ResponseWriter, r *http.Request) {
	s.upload(w, r, func(csv string) (billing.Reconciliation, error) {
		return s.runs.ReconcileRemittance(r.Context(), principal(r.Context()), r.PathValue("id"), csv)
	})
}

// clientBudget is GET /v1/clients/{id}/budget: the plan's categories with
// budget, spent (invoiced), committed (not yet invoiced) and remaining.
func (s *server) clientBudget(w http.ResponseWriter, r *http.Request) {
	plan, lines, err := s.runs.Budget(r.Context(), principal(r.Context()), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cats := make([]map[string]string, 0, len(lines))
	for _, l := range lines {
		cats = append(cats, map[string]string{"category": l.Category, "budget": l.Budget.StringFixed(2), "spent": l.Spent.StringFixed(2),
			"committed": l.Committed.StringFixed(2), "remaining": l.Remaining.StringFixed(2)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"clientId": r.PathValue("id"), "plan": planToJSON(plan), "categories": cats})
}
