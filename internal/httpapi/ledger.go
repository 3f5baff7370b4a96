package httpapi

import (
	"net/http"
	"time"

	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/money"
)

type ledgerEntryJSON struct {
	Seq        int64     `json:"seq"`
	Kind       string    `json:"kind"`
	Date       string    `json:"date"`      // posting date, in the org's time zone
	Effective  string    `json:"effective"` // the document's own date (issue date, payment date)
	At         time.Time `json:"at"`
	Amount     string    `json:"amount"` // + raises what the client owes, − lowers it
	Owing      string    `json:"owing"`  // change to owing on invoices
	Credit     string    `json:"credit"` // change to credit held
	Balance    string    `json:"balance"`
	Currency   string    `json:"currency"`
	DocumentID string    `json:"documentId,omitempty"`
	Number     string    `json:"number,omitempty"`
	InvoiceID  string    `json:"invoiceId,omitempty"`
	Memo       string    `json:"memo,omitempty"`
}

type ledgerResponse struct {
	Data           []ledgerEntryJSON `json:"data"`
	NextCursor     string            `json:"nextCursor,omitempty"`
	Currency       string            `json:"currency"`
	OpeningBalance string            `json:"openingBalance"`
	ClosingBalance string            `json:"closingBalance"`
}

func entryJSON(e ledger.Entry) ledgerEntryJSON {
	c := e.Currency
	return ledgerEntryJSON{
		Seq: e.Seq, Kind: string(e.Kind), Date: e.Date.String(), Effective: e.EffectiveDate().String(), At: e.At, Amount: c.String(e.Amount()),
		Owing: c.String(e.Owing), Credit: c.String(e.Credit), Balance: c.String(e.Balance), Currency: c.Code(),
		DocumentID: e.DocumentID, Number: e.Number, InvoiceID: e.InvoiceID, Memo: e.Memo,
	}
}

// clientLedger is GET /v1/clients/{id}/ledger?from=&to=&limit=&cursor=.
func (s *server) clientLedger(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("id")
	if !id.Valid(id.Client, cid) {
		s.writeError(w, r, client.ErrNotFound)
		return
	}
	q := r.URL.Query()
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
	limit, err := pageLimit(q.Get("limit"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, cur, err := s.accounts.Ledger(r.Context(), principal(r.Context()), cid, from, to, limit, q.Get("cursor"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := ledgerResponse{
		Data: make([]ledgerEntryJSON, 0, len(page.Entries)), NextCursor: page.NextCursor, Currency: cur.Code(),
		OpeningBalance: balanceIn(cur, page.Opening), ClosingBalance: balanceIn(cur, page.Closing),
	}
	for _, e := range page.Entries {
		out.Data = append(out.Data, entryJSON(e))
	}
	writeJSON(w, http.StatusOK, out)
}

func balanceIn(cur money.Currency, b ledger.Balance) string { return cur.String(b.Amount) }

type verificationJSON struct {
	ClientID     string   `json:"clientId"`
	Entries      int      `json:"entries"`
	Currency     string   `json:"currency"`
	OK           bool     `json:"ok"`
	KeptOwing    string   `json:"keptOwing"`
	KeptCredit   string   `json:"keptCredit"`
	LedgerOwing  string   `json:"ledgerOwing"`
	LedgerCredit string   `json:"ledgerCredit"`
	Problems     []string `json:"problems"`
}

// verifyLedger is POST /v1/clients/{id}/ledger/verify (admins).
func (s *server) verifyLedger(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("id")
	if !id.Valid(id.Client, cid) {
		s.writeError(w, r, client.ErrNotFound)
		return
	}
	v, err := s.accounts.Verify(r.Context(), principal(r.Context()), cid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c := v.Currency
	writeJSON(w, http.StatusOK, verificationJSON{
		ClientID: v.ClientID, Entries: v.Entries, Currency: c.Code(), OK: len(v.Problems) == 0,
		KeptOwing: c.String(v.Kept.Owing), KeptCredit: c.String(v.Kept.Credit),
		LedgerOwing: c.String(v.Ledger.Owing), LedgerCredit: c.String(v.Ledger.Credit),
		Problems: append([]string{}, v.Problems...),
	})
}
