package portal

import (
	"errors"
	"net/http"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/clientauth"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/statement"
)

// invoicesView is a signed-in client's list.
type invoicesView struct {
	OrgID    string
	Email    string
	Accounts []accountView
	Multiple bool // more than one client: name each list
}

type accountView struct {
	Name     string
	Owing    []string // balance due per currency, e.g. "$2,260.50"
	Invoices []invoiceRow

	ClientID   string
	Statements []statementRow // newest first
}

// statementRow is one statement in the portal's list.
type statementRow struct {
	ID      string
	Period  string
	Closing string
}

// portalStatements is how many of a client's statements the portal lists.
const portalStatements = 24

type invoiceRow struct {
	ID      string
	Number  string
	Name    string
	Issued  string
	Due     string
	Status  status
	Total   string
	Balance string
}

// invoices lists the signed-in client's finalized invoices.
func (s *server) invoices(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orgOf(w, r)
	if !ok {
		return
	}
	sess, ok := s.signedIn(w, r, o)
	if !ok {
		return
	}
	_, accounts, err := s.Access.Invoices(r.Context(), sess)
	if err != nil {
		s.failPage(w, r, o, err)
		return
	}
	v := invoicesView{OrgID: o.ID, Email: sess.Email, Multiple: len(accounts) > 1}
	for _, a := range accounts {
		av := accountView{Name: a.ClientName, ClientID: a.ClientID}
		sts, err := s.Statements.ClientStatements(r.Context(), o.ID, a.ClientID, portalStatements)
		if err != nil {
			s.failPage(w, r, o, err)
			return
		}
		for _, st := range sts {
			p := "As at " + date(st.To)
			if st.Kind == statement.Activity {
				p = date(st.From) + " – " + date(st.To)
			}
			av.Statements = append(av.Statements, statementRow{ID: st.ID, Period: p, Closing: st.Currency.Display(st.Closing)})
		}
		owing := map[money.Currency]decimal.Decimal{}
		var order []money.Currency
		for _, inv := range a.Invoices {
			cur := inv.Spec.Currency
			av.Invoices = append(av.Invoices, invoiceRow{
				ID: inv.ID, Number: inv.Number, Name: inv.Spec.Name, Issued: date(inv.Spec.IssueDate), Due: date(inv.Spec.DueDate),
				Status: statusOf(inv.Invoice, inv.Overdue), Total: cur.Display(inv.Totals().Total), Balance: cur.Display(inv.Balance()),
			})
			if inv.Status() == invoice.Open {
				if _, seen := owing[cur]; !seen {
					order = append(order, cur)
				}
				owing[cur] = owing[cur].Add(inv.Balance())
			}
		}
		for _, cur := range order {
			av.Owing = append(av.Owing, cur.Display(owing[cur]))
		}
		v.Accounts = append(v.Accounts, av)
	}
	s.render(w, r, http.StatusOK, "Your invoices", o, invoicesPage(v))
}

// invoicePDF downloads one of the signed-in client's invoices; any other
// invoice is the not-valid page.
func (s *server) invoicePDF(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orgOf(w, r)
	if !ok {
		return
	}
	sess, ok := s.signedIn(w, r, o)
	if !ok {
		return
	}
	body, inv, err := s.Access.InvoicePDF(r.Context(), sess, r.PathValue("id"))
	if errors.Is(err, clientauth.ErrNotFound) {
		s.notFound(w, r, o)
		return
	}
	if err != nil {
		s.failPage(w, r, o, err)
		return
	}
	writePDF(w, inv.Number+".pdf", body)
}
