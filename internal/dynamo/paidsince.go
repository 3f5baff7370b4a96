package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/payment"
)

// PaymentsRecordedSince hands each page of the org's payments recorded at
// or after since to each, oldest first. Payment ids start with their
// creation time, so this is one key range of the org's partition
// (`PAY#pay_<since>` up to `PAY#pay_~`, which leaves out the `PAYINTENT#`
// markers), never a scan of older payments.
func (s *Store) PaymentsRecordedSince(ctx context.Context, orgID string, since time.Time, each func([]*payment.Payment) error) error {
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("#pk = :pk AND #sk BETWEEN :lo AND :hi"),
		ExpressionAttributeNames:  map[string]string{"#pk": "PK", "#sk": "SK"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": strAV(orgPK(orgID)), ":lo": strAV("PAY#" + id.Floor("pay", since)), ":hi": strAV("PAY#pay_~")},
	}
	p := dynamodb.NewQueryPaginator(s.db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("payments since %s: %w", since.Format(time.RFC3339), err)
		}
		out := make([]*payment.Payment, 0, len(page.Items))
		for _, av := range page.Items {
			var it paymentItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return fmt.Errorf("payments since: %w", err)
			}
			pm, err := it.toPayment()
			if err != nil {
				return err
			}
			out = append(out, pm)
		}
		if err := each(out); err != nil {
			return err
		}
	}
	return nil
}
