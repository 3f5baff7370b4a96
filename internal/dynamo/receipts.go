package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/delivery"
)

func paymentDeliveriesPK(org, pay string) string {
	return "ORG#" + org + "#PAY#" + pay + "#DLV"
}

// receiptClaimChannel is the send claim's channel of an emailed receipt.
const receiptClaimChannel = "receipt#email"

// CreateReceiptDelivery stores d, a new receipt delivery, with its events
// in one TransactWriteItems, and reports whether it did. It stores nothing
// (false, nil) when a delivery of d's id is already stored, or, if hold is
// after d.CreatedAt, when a live send claim on emailing d's receipt to d's
// recipient (SENDCLAIM#<payment>#receipt#email#<recipient hash>) holds it;
// otherwise it takes that claim until hold in the same transaction. So a
// double click, a retried request or a redelivered webhook queues one
// email. Every write is inside the transaction (the payments function may
// write the table only so).
func (s *Store) CreateReceiptDelivery(ctx context.Context, d *delivery.Delivery, hold time.Time, events ...activity.Event) (bool, error) {
	if d.Kind != delivery.ReceiptKind || d.PaymentID == "" {
		return false, fmt.Errorf("create receipt delivery %s: not a receipt delivery", d.ID)
	}
	d.Version = 1
	av, err := attributevalue.MarshalMap(deliveryToItem(d))
	if err != nil {
		return false, fmt.Errorf("create receipt delivery %s: %w", d.ID, err)
	}
	tx := []types.TransactWriteItem{{Put: &types.Put{
		TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)"),
	}}}
	if hold.After(d.CreatedAt) {
		tx = append(tx, types.TransactWriteItem{Put: &types.Put{
			TableName: &s.table,
			Item: map[string]types.AttributeValue{
				attrPK: strAV(orgPK(d.OrgID)), attrSK: strAV(sendClaimSK(d.PaymentID, receiptClaimChannel, d.Recipient)),
				"type": strAV("send_claim"), "expiresAt": numAV(hold.Unix()),
			},
			ConditionExpression:       aws.String("attribute_not_exists(PK) OR expiresAt <= :now"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":now": numAV(d.CreatedAt.Unix())},
		}})
	}
	puts, err := s.eventPuts(events)
	if err != nil {
		return false, fmt.Errorf("create receipt delivery %s: %w", d.ID, err)
	}
	tx = append(tx, puts...)
	err = s.transactRequest(ctx, d.OrgID, d.ID, tx)
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("create receipt delivery %s: %w", d.ID, err)
	}
	return true, nil
}

// ListPaymentDeliveries lists a payment's receipt deliveries, newest first.
func (s *Store) ListPaymentDeliveries(ctx context.Context, orgID, paymentID string, limit int, cursor string) ([]*delivery.Delivery, string, error) {
	items, next, err := s.run(ctx, listQuery{org: orgID, index: indexGSI1, pk: paymentDeliveriesPK(orgID, paymentID), limit: limit, cursor: cursor})
	if err != nil {
		return nil, "", fmt.Errorf("list receipt deliveries: %w", err)
	}
	out := make([]*delivery.Delivery, 0, len(items))
	for _, av := range items {
		var it deliveryItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, "", fmt.Errorf("list receipt deliveries: %w", err)
		}
		out = append(out, it.toDelivery())
	}
	return out, next, nil
}
