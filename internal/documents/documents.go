// Package documents renders the PDFs clients receive: invoices, receipts,
// credit notes and statements (internal/pdf lays them out). It is its own
// package so that only the functions that hand out PDFs (documents,
// portal, notifier) link the renderer, its shaper and its fonts; billing
// and every function built on it stay without them.
package documents

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/pdf"
	"github.com/carebill/carebill/internal/statement"
	"github.com/carebill/carebill/internal/usecase"
)

// Store is what rendering reads: the document, its org (the seller) and
// its client (who is billed). dynamo.Store is one.
type Store interface {
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
	GetInvoice(ctx context.Context, orgID, id string) (*invoice.Invoice, error)
	GetPayment(ctx context.Context, orgID, id string) (*payment.Payment, error)
	CreditNote(ctx context.Context, orgID, id string) (*credit.Note, error)
	GetStatement(ctx context.Context, orgID, id string) (*statement.Statement, error)
}

// Renderer renders an org's documents as the client receives them. The
// coordinator's downloads (the documents function), the notifier's email
// attachments and the client portal all use it, so a document reads the
// same everywhere. It checks no role: callers read only their own org's
// documents (orgID is the signed-in member's or the link's org).
type Renderer struct {
	store Store
}

// New builds a Renderer reading from store.
func New(store Store) (*Renderer, error) {
	if store == nil {
		return nil, errors.New("documents: a store is required")
	}
	return &Renderer{store: store}, nil
}

// InvoicePDF renders one of an org's invoices. Errors: the store's
// (invoice.ErrNotFound for another org's or no invoice).
func (r *Renderer) InvoicePDF(ctx context.Context, orgID, invoiceID string) (_ []byte, _ *invoice.Invoice, err error) {
	defer usecase.Name(&err, "invoice PDF %s", invoiceID)
	return r.invoicePDF(ctx, orgID, invoiceID, "")
}

// InvoicePDFWithPayLink is InvoicePDF with the pay link printed on it (the
// emailed invoice).
func (r *Renderer) InvoicePDFWithPayLink(ctx context.Context, orgID, invoiceID, payLink string) (_ []byte, _ *invoice.Invoice, err error) {
	defer usecase.Name(&err, "emailed invoice PDF %s", invoiceID)
	return r.invoicePDF(ctx, orgID, invoiceID, payLink)
}

func (r *Renderer) invoicePDF(ctx context.Context, orgID, invoiceID, payLink string) (_ []byte, _ *invoice.Invoice, err error) {
	inv, err := r.store.GetInvoice(ctx, orgID, invoiceID)
	if err != nil {
		return nil, nil, err
	}
	o, err := r.store.GetOrg(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	c, err := r.store.GetClient(ctx, orgID, inv.Spec.ClientID)
	if err != nil {
		return nil, nil, err
	}
	doc := invoiceDocument(o, c, inv)
	doc.PayLink = payLink
	var buf bytes.Buffer
	if err := pdf.Render(&buf, doc); err != nil {
		return nil, nil, fmt.Errorf("render invoice %s: %w", invoiceID, err)
	}
	return buf.Bytes(), inv, nil
}

const dateLayout = "2 Jan 2006"

// invoiceDocument lays out what a real invoice must carry (DESIGN.md,
// "Invoice content"; the ATO's tax-invoice rules in formats/README.md).
func invoiceDocument(o *org.Org, c *client.Client, inv *invoice.Invoice) pdf.Document {
	st, sp, cur := o.Settings, inv.Spec, inv.Spec.Currency
	tot := inv.Totals()
	doc := baseDocument(o, "Invoice", inv.Number, sp.Name)
	doc.Memo = sp.Memo
	doc.Kind = inv.DocumentKind(st.TaxID != "")
	if doc.Number == "" {
		doc.Number = "Draft"
	}
	doc.Dates = append(doc.Dates, pdf.Field{Label: "Issue date", Value: dateOr(sp.IssueDate, "On finalizing")})
	doc.Dates = append(doc.Dates, pdf.Field{Label: "Due date", Value: dateOr(sp.DueDate, fmt.Sprintf("%d days after issue", sp.TermsDays))})

	doc.BillTo = billTo(c)
	if n := c.Profile.Funding.NDISNumber; n != "" {
		doc.Refs = append(doc.Refs, pdf.Field{Label: "NDIS number", Value: n})
	}
	if sp.PONumber != "" {
		doc.Refs = append(doc.Refs, pdf.Field{Label: "PO number", Value: sp.PONumber})
	}
	for _, l := range sp.Lines {
		line := pdf.Line{Description: l.Description, Period: period(l.PeriodStart, l.PeriodEnd), Ref: l.SupportItem, Amount: cur.Display(l.Amount(cur))}
		if l.Type == invoice.Variable {
			line.Quantity, line.Unit, line.Rate = l.Quantity.String(), string(l.Unit), cur.DisplayRate(l.Rate)
		} else {
			line.Quantity, line.Unit, line.Rate = "1", "each", cur.Display(l.Price)
		}
		if l.Discount.IsPositive() {
			line.Discount = cur.Display(l.Discount)
		}
		doc.Lines = append(doc.Lines, line)
	}
	taxName := "Tax"
	if st.TaxIDLabel == "ABN" {
		taxName = "GST"
	}
	doc.Totals = append(doc.Totals, pdf.Field{Label: "Subtotal", Value: cur.Display(tot.Subtotal)})
	for _, t := range tot.TaxByRate {
		doc.Totals = append(doc.Totals, pdf.Field{Label: fmt.Sprintf("%s %s%%", taxName, t.Rate), Value: cur.Display(t.Tax)})
	}
	for _, f := range sp.Fees {
		doc.Totals = append(doc.Totals, pdf.Field{Label: f.Description, Value: cur.Display(f.Amount)})
	}
	doc.Totals = append(doc.Totals, pdf.Field{Label: "Total " + cur.Code(), Value: cur.Display(tot.Total)})
	if inv.Paid().IsPositive() {
		doc.Totals = append(doc.Totals, pdf.Field{Label: "Paid", Value: "−" + cur.Display(inv.Paid())})
	}
	if inv.Credit().IsPositive() {
		doc.Totals = append(doc.Totals, pdf.Field{Label: "Credited", Value: "−" + cur.Display(inv.Credit())})
	}
	doc.Totals = append(doc.Totals, pdf.Field{Label: "Balance due", Value: cur.Display(inv.Balance())})
	if inv.Status() != invoice.Paid && inv.Status() != invoice.Void {
		doc.Transfer = transfer(st.Bank, inv.Number)
	}
	switch inv.Status() {
	case invoice.Paid:
		doc.Stamp = "PAID"
	case invoice.Void:
		doc.Stamp = "VOID"
	case invoice.Draft:
		doc.Stamp = "DRAFT"
	}
	return doc
}

// transfer is how to pay by bank transfer: the org's account, and the
// invoice number as the reference so the payment can be matched.
func transfer(b org.BankAccount, number string) []pdf.Field {
	if b.IsZero() {
		return nil
	}
	rows := []pdf.Field{{Label: "Account name", Value: b.AccountName}}
	if b.IBAN != "" {
		rows = append(rows, pdf.Field{Label: "IBAN", Value: b.IBAN})
	} else {
		rows = append(rows, pdf.Field{Label: "BSB", Value: b.BSB}, pdf.Field{Label: "Account", Value: b.AccountNumber})
	}
	if number != "" {
		rows = append(rows, pdf.Field{Label: "Reference", Value: number})
	}
	return rows
}

// billTo is who the invoice is addressed to: the plan manager for a
// plan-managed participant (naming the participant), else the client and
// their billing contact.
func billTo(c *client.Client) pdf.Party {
	p := c.Profile
	if pm := p.Funding.PlanManager; p.Funding.Type == client.PlanManaged && pm != nil {
		return pdf.Party{Name: pm.Name, Lines: []string{pm.Email, "For participant: " + p.Name}}
	}
	party := pdf.Party{Name: p.Name}
	if bc, ok := c.BillingContact(); ok {
		if bc.Name != p.Name {
			party.Lines = append(party.Lines, "Attn: "+bc.Name)
		}
		for _, l := range []string{bc.Email, bc.Phone} {
			if l != "" {
				party.Lines = append(party.Lines, l)
			}
		}
	}
	return party
}

func dateOr(d calendar.Date, otherwise string) string {
	if d.IsZero() {
		return otherwise
	}
	return d.Format(dateLayout)
}

func period(start, end calendar.Date) string {
	switch {
	case start.IsZero() && end.IsZero():
		return ""
	case end.IsZero() || start == end:
		return start.Format(dateLayout)
	case start.IsZero():
		return "until " + end.Format(dateLayout)
	}
	return start.Format(dateLayout) + " – " + end.Format(dateLayout)
}

// ReceiptPDF renders the receipt of one of the org's payments.
func (r *Renderer) ReceiptPDF(ctx context.Context, orgID, paymentID string) (_ []byte, _ *payment.Payment, err error) {
	defer usecase.Name(&err, "receipt PDF %s", paymentID)
	pay, err := r.store.GetPayment(ctx, orgID, paymentID)
	if err != nil {
		return nil, nil, err
	}
	o, err := r.store.GetOrg(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	c, err := r.store.GetClient(ctx, orgID, pay.Input.ClientID)
	if err != nil {
		return nil, nil, err
	}
	cur := pay.Input.Currency
	doc := baseDocument(o, "Receipt", pay.ReceiptNumber, "Payment received – thank you")
	if pay.Reversed {
		doc.Title, doc.Stamp = "Reversed: "+pay.ReverseReason, "REVERSED"
	}
	doc.BillTo = billTo(c)
	doc.Dates = []pdf.Field{{Label: "Received", Value: pay.Input.Date.Format(dateLayout)}, {Label: "Method", Value: billing.MethodName(pay.Input.Method)}}
	if pay.Input.Reference != "" {
		doc.Refs = append(doc.Refs, pdf.Field{Label: "Reference", Value: pay.Input.Reference})
	}
	for _, a := range pay.Allocations {
		doc.Lines = append(doc.Lines, pdf.Line{Description: "Payment towards invoice " + a.Number, Amount: cur.Display(a.Amount)})
	}
	if pay.Credit.IsPositive() {
		doc.Lines = append(doc.Lines, pdf.Line{Description: "Held as credit on your account", Amount: cur.Display(pay.Credit)})
	}
	if pay.Fee.IsPositive() {
		doc.Lines = append(doc.Lines, pdf.Line{Description: "Card processing fee", Amount: cur.Display(pay.Fee)})
	}
	doc.Totals = []pdf.Field{{Label: "Amount received " + cur.Code(), Value: cur.Display(pay.Input.Amount.Add(pay.Fee))}}
	doc.Memo = pay.Input.Comments
	var buf bytes.Buffer
	if err := pdf.Render(&buf, doc); err != nil {
		return nil, nil, fmt.Errorf("render receipt %s: %w", paymentID, err)
	}
	return buf.Bytes(), pay, nil
}

// CreditNotePDF renders one of the org's credit notes.
func (r *Renderer) CreditNotePDF(ctx context.Context, orgID, id string) (_ []byte, _ *credit.Note, err error) {
	defer usecase.Name(&err, "credit note PDF %s", id)
	n, err := r.store.CreditNote(ctx, orgID, id)
	if err != nil {
		return nil, nil, err
	}
	o, err := r.store.GetOrg(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	c, err := r.store.GetClient(ctx, orgID, n.ClientID)
	if err != nil {
		return nil, nil, err
	}
	doc := baseDocument(o, "Credit note", n.Number, "Credit against invoice "+n.Invoice)
	doc.BillTo = billTo(c)
	doc.Dates = []pdf.Field{{Label: "Issued", Value: n.CreatedAt.In(o.Location()).Format(dateLayout)}}
	doc.Refs = []pdf.Field{{Label: "Invoice", Value: n.Invoice}}
	doc.Lines = []pdf.Line{{Description: n.Reason, Amount: n.Currency.Display(n.Amount)}}
	doc.Totals = []pdf.Field{{Label: "Credit " + n.Currency.Code(), Value: n.Currency.Display(n.Amount)}}
	var buf bytes.Buffer
	if err := pdf.Render(&buf, doc); err != nil {
		return nil, nil, fmt.Errorf("render credit note %s: %w", id, err)
	}
	return buf.Bytes(), n, nil
}

// baseDocument is the seller's part every document shares.
func baseDocument(o *org.Org, kind, number, title string) pdf.Document {
	st := o.Settings
	doc := pdf.Document{
		Kind: kind, Number: number, Title: title, Colour: st.Colour,
		Org: pdf.Party{Name: st.LegalName, TaxIDLabel: st.TaxIDLabel, TaxID: st.TaxID},
	}
	for _, l := range []string{st.Address, st.Email, st.Phone} {
		if l != "" {
			doc.Org.Lines = append(doc.Org.Lines, l)
		}
	}
	doc.Footer = st.LegalName
	if st.TaxID != "" {
		doc.Footer = fmt.Sprintf("%s · %s %s", st.LegalName, st.TaxIDLabel, st.TaxID)
	}
	return doc
}
