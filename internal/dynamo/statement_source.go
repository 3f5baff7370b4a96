package dynamo

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/statement"
)

// invoicePostings splits an entry's change in owing over the invoices it
// moved: its splits (payments, reversals, refunds), else the invoice it
// names (credit notes), else its own document (an invoice's entries).
func (s *Store) invoicePostings(ctx context.Context, orgID string, e ledger.Entry) ([]statement.Posting, error) {
	if e.Owing.IsZero() {
		return nil, nil
	}
	switch {
	case len(e.Splits) > 0:
		out := make([]statement.Posting, 0, len(e.Splits))
		for _, sp := range e.Splits {
			out = append(out, statement.Posting{InvoiceID: sp.InvoiceID, Date: e.Effective, Owing: sp.Owing})
		}
		return out, nil
	case e.InvoiceID != "":
		return []statement.Posting{{InvoiceID: e.InvoiceID, Date: e.Effective, Owing: e.Owing}}, nil
	case e.Kind == ledger.PaymentReceived: // posted before entries carried splits
		p, err := s.GetPayment(ctx, orgID, e.DocumentID)
		if err != nil {
			return nil, err
		}
		var out []statement.Posting
		for _, a := range p.Allocations {
			out = append(out, statement.Posting{InvoiceID: a.InvoiceID, Date: e.Effective, Owing: a.Amount.Neg()})
		}
		return out, nil
	case e.Kind == ledger.PaymentReversed || e.Kind == ledger.PaymentRefunded:
		return nil, fmt.Errorf("ledger entry %d (%s) moves invoices but names none", e.Seq, e.Kind)
	}
	return []statement.Posting{{InvoiceID: e.DocumentID, Date: e.Effective, Owing: e.Owing}}, nil
}

// ledgerUpTo reads a client's ledger entries whose document date is on or
// before to, in posting order. Every entry is read: one posted later may
// carry an earlier date (a payment recorded after the fact into a
// reopened cycle).
func (s *Store) ledgerUpTo(ctx context.Context, orgID, clientID string, to calendar.Date) ([]ledger.Entry, error) {
	var out []ledger.Entry
	in := &dynamodb.QueryInput{
		TableName: &s.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": strAV(orgPK(orgID)), ":p": strAV(ledgerPrefix(clientID)),
		},
	}
	for {
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, av := range res.Items {
			e, err := unmarshalEntry(av)
			if err != nil {
				return nil, err
			}
			if !e.Effective.After(to) {
				out = append(out, e)
			}
		}
		if res.LastEvaluatedKey == nil {
			return out, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// StatementSource reads what a client's statement for from–to needs from
// its ledger: the balance before from, the entries in the range, every
// posting against its invoices up to to, the invoices still owing at to,
// and the credit held at to. A client whose ledger has not moved since
// before from and owes and holds nothing costs no read.
func (s *Store) StatementSource(ctx context.Context, c *client.Client, from, to calendar.Date) (statement.Source, error) {
	src := statement.Source{Currency: c.Profile.Currency, Invoices: map[string]statement.Invoice{}}
	if c.Account.Seq == 0 || (!from.IsZero() && c.Account.Date.Before(from) && c.Balance.Owing.IsZero() && c.Balance.Credit.IsZero()) {
		return src, nil
	}
	entries, err := s.ledgerUpTo(ctx, c.OrgID, c.ID, to)
	if err != nil {
		return src, fmt.Errorf("statement source of %s: %w", c.ID, err)
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Effective.Before(entries[j].Effective) })
	owing := map[string]decimal.Decimal{}
	for _, e := range entries {
		if src.Currency.IsZero() {
			src.Currency = e.Currency
		}
		src.Credit = src.Credit.Add(e.Credit)
		if !from.IsZero() && e.Effective.Before(from) {
			src.Opening = src.Opening.Add(e.Amount())
		} else {
			src.Lines = append(src.Lines, statement.Line{Date: e.Effective, Kind: string(e.Kind), DocumentID: e.DocumentID, Number: e.Number, Amount: e.Amount()})
		}
		postings, err := s.invoicePostings(ctx, c.OrgID, e)
		if err != nil {
			return src, fmt.Errorf("statement source of %s: %w", c.ID, err)
		}
		for _, p := range postings {
			src.Postings = append(src.Postings, p)
			owing[p.InvoiceID] = owing[p.InvoiceID].Add(p.Owing)
		}
	}
	for id, b := range owing {
		if !b.IsPositive() {
			continue
		}
		inv, err := s.GetInvoice(ctx, c.OrgID, id)
		if err != nil {
			return src, fmt.Errorf("statement source of %s: %w", c.ID, err)
		}
		src.Invoices[id] = statement.Invoice{ID: id, Number: inv.Number, Name: inv.Spec.Name, IssueDate: inv.Spec.IssueDate, DueDate: inv.Spec.DueDate, Total: inv.Totals().Total}
	}
	return src, nil
}
