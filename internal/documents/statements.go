package documents

import (
	"bytes"
	"context"
	"fmt"

	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/pdf"
	"github.com/carebill/carebill/internal/statement"
	"github.com/carebill/carebill/internal/usecase"
)

// StatementPDF reads statement id of orgID and renders it, for the
// notifier and the portal; statement.ErrNotFound when it is gone.
func (r *Renderer) StatementPDF(ctx context.Context, orgID, id string) (_ []byte, _ *statement.Statement, err error) {
	defer usecase.Name(&err, "statement PDF %s", id)
	st, err := r.store.GetStatement(ctx, orgID, id)
	if err != nil {
		return nil, nil, err
	}
	b, err := r.StatementDocumentPDF(ctx, orgID, st)
	return b, st, err
}

// StatementDocumentPDF renders a statement, stored or built on demand
// (billing.Statements.OnDemand), as the client receives it.
func (r *Renderer) StatementDocumentPDF(ctx context.Context, orgID string, st *statement.Statement) (_ []byte, err error) {
	defer usecase.Name(&err, "statement PDF")
	o, err := r.store.GetOrg(ctx, orgID)
	if err != nil {
		return nil, err
	}
	c, err := r.store.GetClient(ctx, orgID, st.ClientID)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pdf.Render(&buf, statementDocument(o, c, st)); err != nil {
		return nil, fmt.Errorf("render statement %s: %w", st.ID, err)
	}
	return buf.Bytes(), nil
}

// statementDocument lays out a statement: the movements with their running
// balance (activity), the open invoices (both kinds), and the aging.
func statementDocument(o *org.Org, c *client.Client, st *statement.Statement) pdf.Document {
	cur := st.Currency
	title := "Statement of account"
	if st.Kind == statement.Outstanding {
		title = "Outstanding invoices"
	}
	doc := baseDocument(o, "Statement", "", title)
	doc.BillTo = billTo(c)
	if st.Kind == statement.Activity {
		doc.Dates = []pdf.Field{{Label: "Period", Value: period(st.From, st.To)}}
		doc.Lines = append(doc.Lines, pdf.Line{Description: "Opening balance", Amount: cur.Display(st.Opening)})
		for _, l := range st.Lines {
			doc.Lines = append(doc.Lines, pdf.Line{
				Description: statementLineText(l), Period: l.Date.Format(dateLayout) + " · balance " + cur.Display(l.Balance),
				Amount: cur.Display(l.Amount),
			})
		}
		doc.Lines = append(doc.Lines, pdf.Line{Description: "Closing balance", Amount: cur.Display(st.Closing)})
		for _, it := range st.Open {
			doc.Lines = append(doc.Lines, openLine(cur, it))
		}
	} else {
		doc.Dates = []pdf.Field{{Label: "As at", Value: st.To.Format(dateLayout)}}
		if len(st.Open) == 0 {
			doc.Lines = append(doc.Lines, pdf.Line{Description: "Nothing outstanding", Amount: cur.Display(st.Closing.Abs())})
		}
		for _, it := range st.Open {
			doc.Lines = append(doc.Lines, openLine(cur, it))
		}
	}
	for b := statement.Current; b <= statement.Over90; b++ {
		doc.Totals = append(doc.Totals, pdf.Field{Label: b.Label(), Value: cur.Display(st.Aging[b])})
	}
	if st.Credit.IsPositive() {
		doc.Totals = append(doc.Totals, pdf.Field{Label: "Credit held", Value: cur.Display(st.Credit.Neg())})
	}
	if st.Closing.IsNegative() {
		doc.Totals = append(doc.Totals, pdf.Field{Label: "In credit " + cur.Code(), Value: cur.Display(st.Closing.Neg())})
	} else {
		doc.Totals = append(doc.Totals, pdf.Field{Label: "Balance due " + cur.Code(), Value: cur.Display(st.Closing)})
	}
	return doc
}

// statementLineText describes a ledger movement for a client.
func statementLineText(l statement.Line) string {
	if l.Description != "" {
		return l.Description
	}
	name := map[string]string{
		"invoice_finalized": "Invoice", "invoice_voided": "Void of invoice", "payment_received": "Payment, receipt",
		"credit_applied": "Credit applied to invoice", "credit_returned": "Credit returned from invoice",
		"credit_note": "Credit note", "refund": "Refund", "payment_reversed": "Payment reversed, receipt",
	}[l.Kind]
	if name == "" {
		name = l.Kind
	}
	if l.Number != "" {
		return name + " " + l.Number
	}
	return name
}

// openLine prints an invoice still owing as at the statement date: its
// number, issue and due dates, days overdue and balance.
func openLine(cur money.Currency, it statement.OpenItem) pdf.Line {
	due := "due on issue"
	if !it.DueDate.IsZero() {
		due = "due " + it.DueDate.Format(dateLayout)
	}
	if it.DaysOverdue > 0 {
		due += fmt.Sprintf(", %d days overdue", it.DaysOverdue)
	}
	return pdf.Line{Description: "Open: invoice " + it.Number, Period: "issued " + it.IssueDate.Format(dateLayout) + " · " + due, Amount: cur.Display(it.Balance)}
}
