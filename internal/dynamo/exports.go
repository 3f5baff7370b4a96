package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/export"
	"github.com/carebill/carebill/internal/invoice"
)

// exportPageSize is how many invoices one export page reads (and holds in
// memory with their clients).
const exportPageSize = 100

func issuedPK(org string) string { return "ORG#" + org + "#ISSUED" }

// issuedKeys puts open and paid invoices in the sparse GSI3 by issue date,
// with the number of rows an export writes for them; drafts and void
// invoices stay out (a void leaves the index when it is written).
func issuedKeys(inv *invoice.Invoice) (pk, sk string, rows int) {
	// An initial balance is already in the accounting system's opening
	// balances, and a synced invoice came from it: exporting either
	// would count it twice there.
	if (inv.Status() != invoice.Open && inv.Status() != invoice.Paid) || inv.Origin == invoice.InitialBalance || inv.Origin == invoice.Synced {
		return "", "", 0
	}
	return issuedPK(inv.OrgID), inv.Spec.IssueDate.String() + "#" + inv.ID, len(inv.Spec.Lines) + len(inv.Spec.Fees)
}

// issuedQuery is the GSI3 query of a range, oldest issue date first.
func (s *Store) issuedQuery(orgID string, r export.Range, projection string) *dynamodb.QueryInput {
	in := &dynamodb.QueryInput{
		TableName: &s.table, IndexName: aws.String(indexGSI3),
		KeyConditionExpression:   aws.String("#pk = :pk AND #sk BETWEEN :from AND :to"),
		FilterExpression:         aws.String("finalizedAt <= :asOf"),
		ExpressionAttributeNames: map[string]string{"#pk": attrGSI3PK, "#sk": attrGSI3SK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": strAV(issuedPK(orgID)), ":from": strAV(r.From.String()),
			":to": strAV(r.To.String() + "#~"), ":asOf": strAV(ts(r.AsOf)),
		},
		ScanIndexForward: aws.Bool(true), Limit: aws.Int32(exportPageSize),
	}
	if projection != "" {
		in.ProjectionExpression = aws.String(projection)
	}
	return in
}

// IssuedInvoiceSizes calls each with the export row count of every
// invoice in r, in export order, reading only that count.
func (s *Store) IssuedInvoiceSizes(ctx context.Context, orgID string, r export.Range, each func(rows int) error) error {
	p := dynamodb.NewQueryPaginator(s.db, s.issuedQuery(orgID, r, "exportRows"))
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("size export of %s: %w", orgID, err)
		}
		for _, item := range page.Items {
			var it struct {
				ExportRows int `dynamodbav:"exportRows"`
			}
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return fmt.Errorf("size export of %s: %w", orgID, err)
			}
			if err := each(it.ExportRows); err != nil {
				return err
			}
		}
	}
	return nil
}

// IssuedInvoices calls each with the invoices of r a page at a time, in
// export order, each with its client (nil if the client is gone). Only one
// page is held at once.
func (s *Store) IssuedInvoices(ctx context.Context, orgID string, r export.Range, each func([]export.Invoice) error) error {
	p := dynamodb.NewQueryPaginator(s.db, s.issuedQuery(orgID, r, ""))
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("export invoices of %s: %w", orgID, err)
		}
		clients := map[string]*client.Client{}
		batch := make([]export.Invoice, 0, len(page.Items))
		for _, item := range page.Items {
			var it invoiceItem
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return fmt.Errorf("export invoices of %s: %w", orgID, err)
			}
			inv, err := it.toInvoice()
			if err != nil {
				return fmt.Errorf("export invoices of %s: %w", orgID, err)
			}
			c, seen := clients[inv.Spec.ClientID]
			if !seen {
				c, err = s.GetClient(ctx, orgID, inv.Spec.ClientID)
				if errors.Is(err, client.ErrNotFound) {
					c, err = nil, nil
				}
				if err != nil {
					return fmt.Errorf("export invoices of %s: %w", orgID, err)
				}
				clients[inv.Spec.ClientID] = c
			}
			batch = append(batch, export.Invoice{Invoice: inv, Client: c})
		}
		if err := each(batch); err != nil {
			return err
		}
	}
	return nil
}
