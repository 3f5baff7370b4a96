package portal

import (
	"errors"
	"net/http"
	"time"

	"github.com/carebill/carebill/internal/paylink"
	"github.com/carebill/carebill/internal/statement"
)

// payAllView is the pay-all page: everything a client has open and one
// card payment for the total.
type payAllView struct {
	Token    string
	OrgID    string
	Client   string
	Today    string // the date Total is as at: today in the org's zone
	Total    string
	Invoices []invoiceRow
	Pay      *cardOffer // nil when nothing is owed
	Checkout string     // "success" or "cancelled" on the way back from Stripe
	// NDIAManaged: the client is an NDIA-managed participant; the NDIA
	// pays, so nothing is offered (billing.PayAll.NDIAManaged).
	NDIAManaged bool
	Settled     bool // nothing is owed now: a checkout's thanks says so
}

// payAllPage shows what the client behind a pay-all link has open now.
// Every bad link gets the same not-valid page.
func (s *server) payAllPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	a, o, err := s.PayLinks.OpenPayAll(r.Context(), token)
	if errors.Is(err, paylink.ErrInvalid) {
		s.notFound(w, r, nil)
		return
	}
	if err != nil {
		s.failPage(w, r, nil, err)
		return
	}
	cur := a.Currency
	v := payAllView{Token: token, OrgID: o.ID, Client: a.Client.Profile.Name, Today: date(o.Today(time.Now())), Total: cur.Display(a.Total), NDIAManaged: a.NDIAManaged, Settled: !a.Total.IsPositive()}
	for _, inv := range a.Invoices {
		v.Invoices = append(v.Invoices, invoiceRow{
			ID: inv.ID, Number: inv.Number, Name: inv.Spec.Name, Issued: date(inv.Spec.IssueDate), Due: date(inv.Spec.DueDate),
			Status: statusOf(inv.Invoice, inv.Overdue), Total: cur.Display(inv.Totals().Total), Balance: cur.Display(inv.Balance()),
		})
	}
	if q, err := a.Quote(o); err == nil {
		v.Pay = &cardOffer{Balance: cur.Display(q.Balance), Total: cur.Display(q.Total())}
		if q.Fee.IsPositive() {
			v.Pay.Fee = cur.Display(q.Fee)
		}
	}
	switch c := r.URL.Query().Get("checkout"); c {
	case "success", "cancelled":
		v.Checkout = c
	}
	s.render(w, r, http.StatusOK, "Pay all open invoices", o, payAllPage(v))
}

// portalPayAll is the portal's Pay all button: for one of the signed-in
// client's accounts it issues a pay-all link and goes to its page, where
// one card checkout pays the whole open balance. A form posted from another
// origin never reaches it (crossorigin.Protect in New).
func (s *server) portalPayAll(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orgOf(w, r)
	if !ok {
		return
	}
	sess, ok := s.signedIn(w, r, o)
	if !ok {
		return
	}
	clientID := r.PostFormValue("client")
	if !sess.Allows(clientID) {
		s.notFound(w, r, o)
		return
	}
	link, err := s.PayLinks.IssuePayAllLink(r.Context(), o.ID, clientID, s.publicBase(r))
	if err != nil {
		s.failPage(w, r, o, err)
		return
	}
	http.Redirect(w, r, link, http.StatusSeeOther)
}

// statementPDF downloads one of the signed-in client's statements; any
// other statement is the not-valid page.
func (s *server) statementPDF(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orgOf(w, r)
	if !ok {
		return
	}
	sess, ok := s.signedIn(w, r, o)
	if !ok {
		return
	}
	body, st, err := s.Statements.StatementPDF(r.Context(), o.ID, r.PathValue("id"))
	if errors.Is(err, statement.ErrNotFound) || (err == nil && !sess.Allows(st.ClientID)) {
		s.notFound(w, r, o)
		return
	}
	if err != nil {
		s.failPage(w, r, o, err)
		return
	}
	writePDF(w, "statement-"+st.To.String()+".pdf", body)
}
