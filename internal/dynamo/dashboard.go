package dynamo

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/cases"
	"github.com/carebill/carebill/internal/invoice"
)

// OpenInvoiceTotals adds up the balances of the org's open invoices,
// reading only each one's balance and GSI2 key (due date) a page at a
// time: memory stays flat, reads grow with the open invoices.
func (s *Store) OpenInvoiceTotals(ctx context.Context, orgID string, today calendar.Date) (invoice.OpenTotals, error) {
	in := &dynamodb.QueryInput{
		TableName: &s.table, IndexName: aws.String(indexGSI2),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ProjectionExpression:      aws.String("#bal, #sk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrGSI2PK, "#sk": attrGSI2SK, "#bal": "balance"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": strAV(invoicesByStatusPK(orgID, string(invoice.Open)))},
	}
	var t invoice.OpenTotals
	p := dynamodb.NewQueryPaginator(s.db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return invoice.OpenTotals{}, fmt.Errorf("open invoice totals: %w", err)
		}
		for _, item := range page.Items {
			var it struct {
				Balance num    `dynamodbav:"balance"`
				GSI2SK  string `dynamodbav:"GSI2SK"`
			}
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return invoice.OpenTotals{}, fmt.Errorf("open invoice totals: %w", err)
			}
			b, err := fromNum("balance", it.Balance)
			if err != nil {
				return invoice.OpenTotals{}, err
			}
			t.Open++
			t.OpenBalance = t.OpenBalance.Add(b)
			if due, _, _ := strings.Cut(it.GSI2SK, "#"); due < today.String() {
				t.Overdue++
				t.OverdueBalance = t.OverdueBalance.Add(b)
			}
		}
	}
	return t, nil
}

// CountCases counts the org's cases in a status (Select COUNT).
func (s *Store) CountCases(ctx context.Context, orgID string, status cases.Status) (int64, error) {
	in := &dynamodb.QueryInput{
		TableName: &s.table, IndexName: aws.String(indexGSI2), Select: types.SelectCount,
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrGSI2PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": strAV(casesByStatusPK(orgID, string(status)))},
	}
	var n int64
	p := dynamodb.NewQueryPaginator(s.db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("count cases: %w", err)
		}
		n += int64(page.Count)
	}
	return n, nil
}
