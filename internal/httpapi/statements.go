package httpapi

import (
	"net/http"
	"time"

	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/statement"
	"github.com/carebill/carebill/internal/validation"
)

type statementLineJSON struct {
	Date        string `json:"date"`
	Kind        string `json:"kind"`
	DocumentID  string `json:"documentId,omitempty"`
	Number      string `json:"number,omitempty"`
	Description string `json:"description,omitempty"`
	Amount      string `json:"amount"`
	Balance     string `json:"balance"`
}

type openItemJSON struct {
	InvoiceID   string `json:"invoiceId"`
	Number      string `json:"number"`
	IssueDate   string `json:"issueDate"`
	DueDate     string `json:"dueDate,omitempty"`
	Total       string `json:"total"`
	Balance     string `json:"balance"`
	DaysOverdue int    `json:"daysOverdue"`
	Aging       string `json:"aging"`
}

// statementResponse is a statement: lines (activity only) with running
// balance, open invoices as at the statement date, aging by days past due
// ("current", "1-30", "31-60", "61-90", "over90"), all amounts decimal
// strings in the client's currency.
type statementResponse struct {
	ID       string              `json:"id,omitempty"`
	ClientID string              `json:"clientId"`
	CycleID  string              `json:"cycleId,omitempty"`
	Kind     string              `json:"kind"`
	From     string              `json:"from,omitempty"`
	To       string              `json:"to"`
	Currency string              `json:"currency"`
	Opening  string              `json:"openingBalance"`
	Closing  string              `json:"closingBalance"`
	Credit   string              `json:"credit"`
	Lines    []statementLineJSON `json:"lines"`
	Open     []openItemJSON      `json:"openInvoices"`
	Aging    map[string]string   `json:"aging"`
	Locked   []string            `json:"lockedInvoices,omitempty"`
	Created  time.Time           `json:"createdAt"`
}

func statementJSON(st *statement.Statement) statementResponse {
	cur := st.Currency
	out := statementResponse{
		ID: st.ID, ClientID: st.ClientID, CycleID: st.CycleID, Kind: string(st.Kind), From: st.From.String(), To: st.To.String(),
		Currency: cur.Code(), Opening: cur.String(st.Opening), Closing: cur.String(st.Closing), Credit: cur.String(st.Credit),
		Lines: []statementLineJSON{}, Open: []openItemJSON{}, Aging: map[string]string{}, Locked: st.Locked, Created: st.CreatedAt.UTC(),
	}
	for _, l := range st.Lines {
		out.Lines = append(out.Lines, statementLineJSON{Date: l.Date.String(), Kind: l.Kind, DocumentID: l.DocumentID, Number: l.Number,
			Description: l.Description, Amount: cur.String(l.Amount), Balance: cur.String(l.Balance)})
	}
	for _, o := range st.Open {
		out.Open = append(out.Open, openItemJSON{InvoiceID: o.ID, Number: o.Number, IssueDate: o.IssueDate.String(), DueDate: o.DueDate.String(),
			Total: cur.String(o.Total), Balance: cur.String(o.Balance), DaysOverdue: o.DaysOverdue, Aging: o.Bucket.String()})
	}
	for b := statement.Current; b <= statement.Over90; b++ {
		out.Aging[b.String()] = cur.String(st.Aging[b])
	}
	return out
}

func (s *server) listStatements(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := pageLimit(q.Get("limit"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	clientID, cycleID := q.Get("clientId"), q.Get("cycleId")
	if clientID != "" && !id.Valid(id.Client, clientID) {
		s.writeError(w, r, validation.Errorf("clientId", "is not a client id"))
		return
	}
	if err := validation.Text("cycleId", cycleID, false, 20); err != nil {
		s.writeError(w, r, err)
		return
	}
	sts, next, err := s.statements.List(r.Context(), principal(r.Context()), clientID, cycleID, limit, q.Get("cursor"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := list[statementResponse]{Data: make([]statementResponse, 0, len(sts)), NextCursor: next}
	for _, st := range sts {
		out.Data = append(out.Data, statementJSON(st))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *server) statement(r *http.Request) (*statement.Statement, error) {
	sid := r.PathValue("id")
	if !id.Valid(id.Statement, sid) {
		return nil, statement.ErrNotFound
	}
	return s.statements.Get(r.Context(), principal(r.Context()), sid)
}

func (s *server) getStatement(w http.ResponseWriter, r *http.Request) {
	st, err := s.statement(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, statementJSON(st))
}

func (s *server) statementPDF(w http.ResponseWriter, r *http.Request) {
	st, err := s.statement(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body, err := s.documents.StatementDocumentPDF(r.Context(), st.OrgID, st)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writePDF(w, "statement-"+st.To.String()+".pdf", body)
}

func (s *server) deleteStatement(w http.ResponseWriter, r *http.Request) {
	if err := s.statements.Delete(r.Context(), principal(r.Context()), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) regenerateStatements(w http.ResponseWriter, r *http.Request) {
	n, err := s.statements.Regenerate(r.Context(), principal(r.Context()), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"statements": n})
}

// clientStatement builds a statement on demand:
// ?kind=activity&from=&to= or ?kind=outstanding&asAt= (default today);
// format=pdf answers the PDF.
func (s *server) clientStatement(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("id")
	if !id.Valid(id.Client, cid) {
		s.writeError(w, r, errNotFound)
		return
	}
	q := r.URL.Query()
	kind := statement.Kind(q.Get("kind"))
	if kind == "" {
		kind = statement.Activity
	}
	if kind != statement.Activity && kind != statement.Outstanding {
		s.writeError(w, r, validation.Errorf("kind", "must be activity or outstanding"))
		return
	}
	from, err := parseDate("from", q.Get("from"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	toName := "to"
	if kind == statement.Outstanding {
		toName = "asAt"
		if q.Get("from") != "" {
			s.writeError(w, r, validation.Errorf("from", "applies only to activity statements"))
			return
		}
	}
	to, err := parseDate(toName, q.Get(toName))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if kind == statement.Activity && from.IsZero() {
		s.writeError(w, r, validation.Errorf("from", "is required for an activity statement"))
		return
	}
	st, err := s.statements.OnDemand(r.Context(), principal(r.Context()), cid, kind, from, to)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	switch q.Get("format") {
	case "pdf":
		body, err := s.documents.StatementDocumentPDF(r.Context(), st.OrgID, st)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writePDF(w, "statement-"+st.To.String()+".pdf", body)
	case "", "json":
		writeJSON(w, http.StatusOK, statementJSON(st))
	default:
		s.writeError(w, r, validation.Errorf("format", "must be json or pdf"))
	}
}
