package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

type lineJSON struct {
	Type        string `json:"type"`
	Description string `json:"description"`
	PeriodStart string `json:"periodStart,omitempty"`
	PeriodEnd   string `json:"periodEnd,omitempty"`
	Quantity    string `json:"quantity,omitempty"`
	Unit        string `json:"unit,omitempty"`
	Rate        string `json:"rate,omitempty"`
	Amount      string `json:"amount,omitempty"` // fixed lines: the price
	Discount    string `json:"discount,omitempty"`
	TaxRate     string `json:"taxRate,omitempty"`
	SupportItem string `json:"supportItem,omitempty"`
	LineTotal   string `json:"lineTotal,omitempty"` // response only
}

type feeJSON struct {
	Description string `json:"description"`
	Amount      string `json:"amount"`
}

type taxJSON struct {
	Rate string `json:"rate"`
	Base string `json:"base"`
	Tax  string `json:"tax"`
}

type invoiceResponse struct {
	ID       string `json:"id"`
	ClientID string `json:"clientId"`
	Name     string `json:"name"`
	Number   string `json:"number,omitempty"`
	Status   string `json:"status"`
	Overdue  bool   `json:"overdue"`
	// DocumentKind is the invoice's title ("Tax invoice" or "Invoice") and
	// AvailableActions what its state allows now and the caller's role
	// may take (billing.InvoiceActions): pages show these instead of
	// re-deriving the rules.
	DocumentKind     string     `json:"documentKind"`
	AvailableActions []string   `json:"availableActions"`
	Currency         string     `json:"currency"`
	IssueDate        string     `json:"issueDate,omitempty"`
	DueDate          string     `json:"dueDate,omitempty"`
	PaymentTerms     int        `json:"paymentTermsDays"`
	Memo             string     `json:"memo,omitempty"`
	PONumber         string     `json:"poNumber,omitempty"`
	LineItems        []lineJSON `json:"lineItems"`
	Fees             []feeJSON  `json:"fees"`
	Subtotal         string     `json:"subtotal"`
	Taxes            []taxJSON  `json:"taxes"`
	TaxTotal         string     `json:"taxTotal"`
	FeeTotal         string     `json:"feeTotal"`
	Total            string     `json:"total"`
	AmountPaid       string     `json:"amountPaid"`
	AmountCredited   string     `json:"amountCredited"`
	Balance          string     `json:"balance"`
	Locked           bool       `json:"locked"`
	LockReason       string     `json:"lockReason,omitempty"`
	LockedBy         string     `json:"lockedByStatement,omitempty"` // the statement that locked it, if one did
	// Kind is standard, initial_balance, processing_fee or synced; a synced
	// invoice carries its accounting system's number and reference.
	Kind              string     `json:"kind"`
	ExternalNumber    string     `json:"externalNumber,omitempty"`
	ExternalReference string     `json:"externalReference,omitempty"`
	Disputed          bool       `json:"disputed,omitempty"` // a card payment on it is disputed
	VoidReason        string     `json:"voidReason,omitempty"`
	ReplacesID        string     `json:"replacesId,omitempty"`
	ReplacedByID      string     `json:"replacedById,omitempty"`
	KeepsNumber       string     `json:"keepsNumberOf,omitempty"` // a re-issue that will take this number with a revision suffix
	CreatedAt         time.Time  `json:"createdAt"`
	UpdatedAt         time.Time  `json:"updatedAt"`
	FinalizedAt       *time.Time `json:"finalizedAt,omitempty"`
	SentAt            *time.Time `json:"sentAt,omitempty"`
	VoidedAt          *time.Time `json:"voidedAt,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// invoiceJSON is an invoice as the API answers it to p: its
// availableActions are those its state allows and p's role may take.
func invoiceJSON(p auth.Principal, v billing.InvoiceView) invoiceResponse {
	sp, cur := v.Spec, v.Spec.Currency
	tot := v.Totals()
	out := invoiceResponse{
		ID: v.ID, ClientID: sp.ClientID, Name: sp.Name, Number: v.Number, Status: string(v.Status()), Overdue: v.Overdue,
		DocumentKind: v.Kind, AvailableActions: make([]string, 0, 8),
		Currency: cur.Code(), IssueDate: sp.IssueDate.String(), DueDate: sp.DueDate.String(), PaymentTerms: sp.TermsDays,
		Memo: sp.Memo, PONumber: sp.PONumber, LineItems: make([]lineJSON, 0, len(sp.Lines)), Fees: make([]feeJSON, 0, len(sp.Fees)),
		Subtotal: cur.String(tot.Subtotal), Taxes: make([]taxJSON, 0, len(tot.TaxByRate)), TaxTotal: cur.String(tot.Tax),
		FeeTotal: cur.String(tot.Fees), Total: cur.String(tot.Total), AmountPaid: cur.String(v.Paid()),
		AmountCredited: cur.String(v.Credit()), Balance: cur.String(v.Balance()), Locked: v.Locked(), LockReason: v.LockReason(), LockedBy: v.LockedBy(), Disputed: v.Disputed(),
		VoidReason: v.VoidReason, ReplacesID: v.ReplacesID, ReplacedByID: v.ReplacedByID(), KeepsNumber: keepsNumber(v.Invoice), CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
		FinalizedAt: timePtr(v.FinalizedAt), SentAt: timePtr(v.SentAt), VoidedAt: timePtr(v.VoidedAt),
		Kind: v.Origin.Name(), ExternalNumber: v.ExternalNumber, ExternalReference: v.ExternalReference,
	}
	for _, a := range billing.InvoiceActions(p, v) {
		out.AvailableActions = append(out.AvailableActions, string(a))
	}
	for _, l := range sp.Lines {
		lj := lineJSON{
			Type: string(l.Type), Description: l.Description, PeriodStart: l.PeriodStart.String(), PeriodEnd: l.PeriodEnd.String(),
			TaxRate: l.TaxRate.String(), SupportItem: l.SupportItem, LineTotal: cur.String(l.Amount(cur)),
		}
		if l.Type == invoice.Variable {
			lj.Quantity, lj.Unit, lj.Rate = l.Quantity.String(), string(l.Unit), l.Rate.String()
		} else {
			lj.Amount = cur.String(l.Price)
		}
		if !l.Discount.IsZero() {
			lj.Discount = cur.String(l.Discount)
		}
		out.LineItems = append(out.LineItems, lj)
	}
	for _, f := range sp.Fees {
		out.Fees = append(out.Fees, feeJSON{Description: f.Description, Amount: cur.String(f.Amount)})
	}
	for _, t := range tot.TaxByRate {
		out.Taxes = append(out.Taxes, taxJSON{Rate: t.Rate.String(), Base: cur.String(t.Base), Tax: cur.String(t.Tax)})
	}
	return out
}

// invoiceBody is POST /v1/invoices and, with every field optional, PATCH.
type invoiceBody struct {
	ClientID  opt[string]     `json:"clientId"`
	Name      opt[string]     `json:"name"`
	IssueDate opt[string]     `json:"issueDate"`
	DueDate   opt[string]     `json:"dueDate"`
	Currency  opt[string]     `json:"currency"`
	Memo      opt[paragraph]  `json:"memo"`
	PONumber  opt[string]     `json:"poNumber"`
	LineItems opt[[]lineJSON] `json:"lineItems"`
	Fees      opt[[]feeJSON]  `json:"fees"`
}

func (b invoiceBody) apply(in *billing.DraftInput) error {
	setStr(&in.ClientID, b.ClientID)
	setStr(&in.Name, b.Name)
	setText(&in.Memo, b.Memo)
	setStr(&in.PONumber, b.PONumber)
	var err error
	if b.IssueDate.Set {
		if in.IssueDate, err = parseDate("issueDate", b.IssueDate.V); err != nil {
			return err
		}
	}
	if b.DueDate.Set {
		if in.DueDate, err = parseDate("dueDate", b.DueDate.V); err != nil {
			return err
		}
	}
	if b.Currency.Set {
		in.Currency = money.Currency{}
		if b.Currency.V != "" {
			if in.Currency, err = parseCurrency("currency", b.Currency.V); err != nil {
				return err
			}
		}
	}
	if b.LineItems.Set {
		if len(b.LineItems.V) > invoice.MaxLines {
			return validation.Errorf("lineItems", "at most %d line items (got %d)", invoice.MaxLines, len(b.LineItems.V))
		}
		in.Lines = nil
		for i, lj := range b.LineItems.V {
			li, err := lj.input()
			if err != nil {
				return validation.Prefix(fmt.Sprintf("lineItems[%d]", i), err)
			}
			in.Lines = append(in.Lines, li)
		}
	}
	if b.Fees.Set {
		in.Fees = nil
		for i, fj := range b.Fees.V {
			a, err := parseDec("amount", fj.Amount, amountLimits)
			if err != nil {
				return validation.Prefix(fmt.Sprintf("fees[%d]", i), err)
			}
			in.Fees = append(in.Fees, invoice.Fee{Description: fj.Description, Amount: a})
		}
	}
	return nil
}

func (lj lineJSON) input() (billing.LineInput, error) {
	if lj.LineTotal != "" {
		return billing.LineInput{}, validation.Errorf("lineTotal", "is calculated; send quantity and rate, or amount")
	}
	l := invoice.Line{Type: invoice.LineType(lj.Type), Description: lj.Description, Unit: invoice.Unit(lj.Unit), SupportItem: lj.SupportItem}
	var err error
	if l.Type == invoice.Variable && l.Unit == "" {
		l.Unit = invoice.Hours
	}
	if l.Type == invoice.Variable && (lj.Quantity == "" || lj.Rate == "") {
		return billing.LineInput{}, validation.Errorf("quantity", "a variable line needs quantity and rate")
	}
	if l.Type == invoice.Fixed && lj.Amount == "" {
		return billing.LineInput{}, validation.Errorf("amount", "a fixed line needs an amount")
	}
	for _, f := range []struct {
		name, text string
		dst        *decimal.Decimal
	}{{"quantity", lj.Quantity, &l.Quantity}, {"rate", lj.Rate, &l.Rate}, {"amount", lj.Amount, &l.Price}, {"discount", lj.Discount, &l.Discount}} {
		if *f.dst, err = parseOptDec(f.name, f.text, amountLimits); err != nil {
			return billing.LineInput{}, err
		}
	}
	if l.PeriodStart, err = parseDate("periodStart", lj.PeriodStart); err != nil {
		return billing.LineInput{}, err
	}
	if l.PeriodEnd, err = parseDate("periodEnd", lj.PeriodEnd); err != nil {
		return billing.LineInput{}, err
	}
	li := billing.LineInput{Line: l}
	if lj.TaxRate != "" {
		r, err := parseDec("taxRate", lj.TaxRate, rateLimits)
		if err != nil {
			return billing.LineInput{}, err
		}
		li.TaxRate = &r
	}
	return li, nil
}

func invoiceID(r *http.Request) (string, error) {
	v := r.PathValue("id")
	if !id.Valid(id.Invoice, v) {
		return "", invoice.ErrNotFound
	}
	return v, nil
}

// createInvoiceBody is POST /v1/invoices: an invoice body, plus the
// special kind ("processing_fee" or "synced", with the accounting
// system's "externalNumber" and "externalReference") it is, if any.
type createInvoiceBody struct {
	invoiceBody       `json:",inline"`
	Kind              string `json:"kind"`
	ExternalNumber    string `json:"externalNumber"`
	ExternalReference string `json:"externalReference"`
}

func (s *server) createInvoice(w http.ResponseWriter, r *http.Request) {
	var b createInvoiceBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	var in billing.DraftInput
	if err := b.apply(&in); err != nil {
		s.writeError(w, r, err)
		return
	}
	var err error
	if in.Origin, err = invoice.ParseOrigin(b.Kind); err != nil {
		s.writeError(w, r, err)
		return
	}
	in.ExternalNumber, in.ExternalReference = b.ExternalNumber, b.ExternalReference
	if in.ClientID != "" && !id.Valid(id.Client, in.ClientID) {
		s.writeError(w, r, validation.Errorf("clientId", "is not a client id"))
		return
	}
	v, err := s.billing.CreateInvoice(r.Context(), principal(r.Context()), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/invoices/"+v.ID)
	writeJSON(w, http.StatusCreated, invoiceJSON(principal(r.Context()), v))
}

func (s *server) getInvoice(w http.ResponseWriter, r *http.Request) {
	iid, err := invoiceID(r)
	if err == nil {
		var v billing.InvoiceView
		if v, err = s.billing.Invoice(r.Context(), principal(r.Context()), iid); err == nil {
			writeJSON(w, http.StatusOK, invoiceJSON(principal(r.Context()), v))
			return
		}
	}
	s.writeError(w, r, err)
}

func (s *server) patchInvoice(w http.ResponseWriter, r *http.Request) {
	iid, err := invoiceID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b invoiceBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	if b.ClientID.Set && !id.Valid(id.Client, b.ClientID.V) {
		s.writeError(w, r, validation.Errorf("clientId", "is not a client id"))
		return
	}
	v, err := s.billing.UpdateInvoice(r.Context(), principal(r.Context()), iid, b.apply)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, invoiceJSON(principal(r.Context()), v))
}

func (s *server) deleteInvoice(w http.ResponseWriter, r *http.Request) {
	iid, err := invoiceID(r)
	if err == nil {
		err = s.billing.DeleteInvoice(r.Context(), principal(r.Context()), iid)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) finalizeInvoice(w http.ResponseWriter, r *http.Request) {
	iid, err := invoiceID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.billing.FinalizeInvoice(r.Context(), principal(r.Context()), iid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, invoiceJSON(principal(r.Context()), v))
}

type reasonBody struct {
	Reason string `json:"reason"`
}

func (s *server) voidInvoice(w http.ResponseWriter, r *http.Request) {
	iid, err := invoiceID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b reasonBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.billing.VoidInvoice(r.Context(), principal(r.Context()), iid, b.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, invoiceJSON(principal(r.Context()), v))
}

func (s *server) listInvoices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := pageLimit(q.Get("limit"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f := invoice.ListFilter{ClientID: q.Get("clientId"), Status: q.Get("status"), Search: q.Get("q"), Limit: limit, Cursor: q.Get("cursor")}
	switch invoice.Status(f.Status) {
	case "", invoice.Draft, invoice.Open, invoice.Paid, invoice.Void, invoice.StatusOverdue:
	default:
		s.writeError(w, r, validation.Errorf("status", "must be draft, open, paid, void or overdue"))
		return
	}
	if f.ClientID != "" && !id.Valid(id.Client, f.ClientID) {
		s.writeError(w, r, validation.Errorf("clientId", "is not a client id"))
		return
	}
	if err := validation.Text("q", f.Search, false, 100); err != nil {
		s.writeError(w, r, err)
		return
	}
	views, next, err := s.billing.Invoices(r.Context(), principal(r.Context()), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := list[invoiceResponse]{Data: make([]invoiceResponse, 0, len(views)), NextCursor: next}
	for _, v := range views {
		out.Data = append(out.Data, invoiceJSON(principal(r.Context()), v))
	}
	writeJSON(w, http.StatusOK, out)
}

type payLinkResponse struct {
	URL string `json:"url"`
}

// payLink issues a pay link; ?rotate=true revokes the earlier ones.
func (s *server) payLink(w http.ResponseWriter, r *http.Request) {
	iid, err := invoiceID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rotate := r.URL.Query().Get("rotate") == "true"
	url, err := s.billing.PayLink(r.Context(), principal(r.Context()), iid, s.publicBase(r), rotate)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, payLinkResponse{URL: url})
}

// lockInvoice serves POST /v1/invoices/{id}/lock and /unlock {reason}.
func (s *server) lockInvoice(w http.ResponseWriter, r *http.Request) {
	iid, err := invoiceID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b reasonBody
	if r.ContentLength != 0 {
		if err := decode(r, &b); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	change := s.billing.LockInvoice
	if strings.HasSuffix(r.URL.Path, "/unlock") {
		change = s.billing.UnlockInvoice
	}
	v, err := change(r.Context(), principal(r.Context()), iid, b.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, invoiceJSON(principal(r.Context()), v))
}

// keepsNumber is the number a same-number re-issue will take, if it is one.
func keepsNumber(inv *invoice.Invoice) string {
	if !inv.KeepsNumber || inv.Status() != invoice.Draft {
		return ""
	}
	return fmt.Sprintf("%s-R%d", inv.BaseNumber, inv.Revision)
}
