package dynamo

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/invoice"
)

// reminderOrgShards spreads the reminder index like the cycle due index.
const reminderOrgShards = 8

// reminderOrgsPK is the reminder index partition of an org whose reminders
// are on: like cycleDuePK, read only by the scheduled function.
func reminderOrgsPK(org string) string {
	h := fnv.New32a()
	h.Write([]byte(org))
	return "REMINDORGS#" + strconv.Itoa(int(h.Sum32()%reminderOrgShards))
}

// reminderSK marks that a reminder step went out for an invoice: the
// persisted key that makes each step go at most once.
func reminderSK(inv, step string) string { return "REMIND#" + inv + "#" + step }

// ReminderOrgs lists the orgs whose reminders are on, from the reminder
// index (never a Scan). cursor is "<shard>" or "<shard>|<last org>".
func (s *Store) ReminderOrgs(ctx context.Context, limit int, cursor string) ([]string, string, error) {
	shard, after := 0, ""
	if cursor != "" {
		sh, last, _ := strings.Cut(cursor, "|")
		n, err := strconv.Atoi(sh)
		if err != nil || n < 0 || n >= reminderOrgShards {
			return nil, "", ErrBadCursor
		}
		shard, after = n, last
	}
	var out []string
	for ; shard < reminderOrgShards; shard, after = shard+1, "" {
		in := &dynamodb.QueryInput{
			TableName: &s.table, IndexName: aws.String(indexGSI1),
			KeyConditionExpression:    aws.String("GSI1PK = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": strAV(fmt.Sprintf("REMINDORGS#%d", shard))},
			ProjectionExpression:      aws.String("id"),
			Limit:                     aws.Int32(int32(limit - len(out))),
		}
		if after != "" {
			in.KeyConditionExpression = aws.String("GSI1PK = :pk AND GSI1SK > :after")
			in.ExpressionAttributeValues[":after"] = strAV(after)
		}
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, "", fmt.Errorf("reminder orgs: %w", err)
		}
		for _, item := range res.Items {
			var it struct {
				ID string `dynamodbav:"id"`
			}
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return nil, "", err
			}
			out = append(out, it.ID)
		}
		if len(out) >= limit {
			if res.LastEvaluatedKey == nil && shard+1 == reminderOrgShards {
				return out, "", nil
			}
			if res.LastEvaluatedKey == nil {
				return out, strconv.Itoa(shard + 1), nil
			}
			return out, strconv.Itoa(shard) + "|" + out[len(out)-1], nil
		}
	}
	return out, "", nil
}

// RemindersSent is the set of reminder steps already sent for an invoice.
func (s *Store) RemindersSent(ctx context.Context, orgID, invoiceID string) (map[string]bool, error) {
	res, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName: &s.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": strAV(orgPK(orgID)), ":p": strAV(reminderSK(invoiceID, ""))},
		ProjectionExpression:      aws.String("SK"),
	})
	if err != nil {
		return nil, fmt.Errorf("reminders of %s: %w", invoiceID, err)
	}
	out := map[string]bool{}
	for _, item := range res.Items {
		if sk, ok := item[attrSK].(*types.AttributeValueMemberS); ok {
			out[strings.TrimPrefix(sk.Value, reminderSK(invoiceID, ""))] = true
		}
	}
	return out, nil
}

// RemindInvoice stores a reminder step's deliveries and events together
// with the step's marker (attribute_not_exists: a step goes at most once,
// even with two runs at once) and a check that the invoice has not changed
// since it was read. sent is false when the step had already gone out.
func (s *Store) RemindInvoice(ctx context.Context, orgID, invoiceID, step string,
	remind func(*invoice.Invoice) ([]*delivery.Delivery, []activity.Event, error)) (bool, error) {
	inv, err := s.GetInvoice(ctx, orgID, invoiceID)
	if err != nil {
		return false, err
	}
	ds, events, err := remind(inv)
	if err != nil {
		return false, err
	}
	tx := []types.TransactWriteItem{
		{Put: &types.Put{TableName: &s.table, ConditionExpression: aws.String("attribute_not_exists(PK)"), Item: map[string]types.AttributeValue{
			attrPK: strAV(orgPK(orgID)), attrSK: strAV(reminderSK(invoiceID, step)), "type": strAV("reminder"), "step": strAV(step),
		}}},
		{ConditionCheck: &types.ConditionCheck{
			TableName: &s.table, Key: key(orgPK(orgID), invoiceSK(invoiceID)),
			ConditionExpression:       aws.String("#v = :v"),
			ExpressionAttributeNames:  map[string]string{"#v": "version"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": numAV(inv.Version)},
		}},
	}
	for _, d := range ds {
		d.Version = 1
		av, err := attributevalue.MarshalMap(deliveryToItem(d))
		if err != nil {
			return false, err
		}
		tx = append(tx, types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	}
	puts, err := s.eventPuts(events)
	if err != nil {
		return false, err
	}
	tx = append(tx, puts...)
	if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx}); err != nil {
		if isConditionFailed(err) {
			return false, nil // sent by another run, or the invoice changed: the next run decides again
		}
		return false, fmt.Errorf("remind %s (%s): %w", invoiceID, step, err)
	}
	return true, nil
}
