package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/carebill/carebill/internal/credit"
)

// InvoiceCreditNotes reads the credit notes issued against one invoice,
// oldest first (notes' ids sort by time), voided ones included: every page
// of GSI1 ORG#<org>#INV#<inv>#ACT#CRN, then each note read consistently
// (the index can lag a just-voided note). An invoice with none gives nil.
func (s *Store) InvoiceCreditNotes(ctx context.Context, orgID, invoiceID string) ([]*credit.Note, error) {
	var out []*credit.Note
	for cursor := ""; ; {
		items, next, err := s.run(ctx, listQuery{org: orgID, index: indexGSI1, pk: invoiceActivityPK(orgID, invoiceID) + "#CRN", forward: true, limit: MaxPageSize, cursor: cursor})
		if err != nil {
			return nil, fmt.Errorf("credit notes of %s: %w", invoiceID, err)
		}
		for _, av := range items {
			var it creditItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, fmt.Errorf("credit notes of %s: %w", invoiceID, err)
			}
			n, err := s.CreditNote(ctx, orgID, it.ID)
			if err != nil {
				return nil, fmt.Errorf("credit notes of %s: %w", invoiceID, err)
			}
			out = append(out, n)
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}
