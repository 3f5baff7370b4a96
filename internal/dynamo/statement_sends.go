package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/statement"
)

func statementDeliveriesPK(org, stm string) string {
	return "ORG#" + org + "#STMT#" + stm + "#DLV"
}

// SendStatement stores a statement's send: one delivery per channel and
// their events, in one TransactWriteItems with a ConditionCheck that the
// statement still exists, so a send of a statement deleted meanwhile
// writes nothing and answers statement.ErrNotFound; a delivery whose id
// is stored already makes it write nothing and answer delivery.ErrExists.
func (s *Store) SendStatement(ctx context.Context, orgID, statementID string, ds []*delivery.Delivery, events []activity.Event) error {
	tx := []types.TransactWriteItem{{ConditionCheck: &types.ConditionCheck{
		TableName: &s.table, Key: key(orgPK(orgID), statementSK(statementID)), ConditionExpression: aws.String("attribute_exists(PK)"),
	}}}
	for _, d := range ds {
		d.Version = 1
		av, err := attributevalue.MarshalMap(deliveryToItem(d))
		if err != nil {
			return fmt.Errorf("send statement %s: %w", statementID, err)
		}
		tx = append(tx, types.TransactWriteItem{Put: &types.Put{
			TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)"),
		}})
	}
	puts, err := s.eventPuts(events)
	if err != nil {
		return fmt.Errorf("send statement %s: %w", statementID, err)
	}
	tx = append(tx, puts...)
	if err := s.transactRequest(ctx, orgID, statementID, tx, deliveryIDs(ds)...); err != nil {
		if reasonFailed(err, 0) {
			return fmt.Errorf("send statement %s: %w", statementID, statement.ErrNotFound)
		}
		for i := range ds {
			if reasonFailed(err, 1+i) {
				return fmt.Errorf("send statement %s: %w", statementID, delivery.ErrExists)
			}
		}
		return fmt.Errorf("send statement %s: %w", statementID, err)
	}
	return nil
}

// ListStatementDeliveries lists a statement's deliveries, newest first.
func (s *Store) ListStatementDeliveries(ctx context.Context, orgID, statementID string, limit int, cursor string) ([]*delivery.Delivery, string, error) {
	items, next, err := s.run(ctx, listQuery{org: orgID, index: indexGSI1, pk: statementDeliveriesPK(orgID, statementID), limit: limit, cursor: cursor})
	if err != nil {
		return nil, "", fmt.Errorf("list statement deliveries: %w", err)
	}
	out := make([]*delivery.Delivery, 0, len(items))
	for _, av := range items {
		var it deliveryItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, "", fmt.Errorf("list statement deliveries: %w", err)
		}
		out = append(out, it.toDelivery())
	}
	return out, next, nil
}
