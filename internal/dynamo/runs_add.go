package dynamo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/run"
)

// AddRunClient puts a client the run did not invoice onto it, in one
// transaction: a client with no record on the run (left out, or no work
// when the run started) gets a requeued record and the run's total goes up
// by one; a client the worker found with nothing to invoice goes from
// empty back to requeued (empty down by one). run.ErrAlreadyOnRun when the
// client has any other record on the run (invoiced, parked, in progress):
// a client is never invoiced twice by one run. A client the coordinator
// excluded when starting the run leaves its excluded list (excludeClientIds)
// in the same transaction that adds it.
func (s *Store) AddRunClient(ctx context.Context, orgID, runID, clientID, clientName string, now time.Time) error {
	put, err := s.clientPut(orgID, &run.ClientResult{RunID: runID, ClientID: clientID, ClientName: clientName, State: run.ClientRequeued, UpdatedAt: now}, "")
	if err != nil {
		return err
	}
	put.Put.ConditionExpression = aws.String("attribute_not_exists(PK)")
	put.Put.ExpressionAttributeNames, put.Put.ExpressionAttributeValues = nil, nil
	// The excluded list is a list: its entry goes by index, read first and
	// checked in the transaction; another requeue moving it means reading again.
	for attempt := 1; ; attempt++ {
		at, err := s.excludedIndex(ctx, orgID, runID, clientID)
		if err != nil {
			return err
		}
		total := types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(orgPK(orgID), runSK(runID)),
			UpdateExpression: aws.String("ADD #total :one"), ConditionExpression: aws.String("attribute_exists(PK)"),
			ExpressionAttributeNames: map[string]string{"#total": "total"}, ExpressionAttributeValues: map[string]types.AttributeValue{":one": numAV(1)}}}
		if at >= 0 {
			u := total.Update
			u.UpdateExpression = aws.String(fmt.Sprintf("ADD #total :one REMOVE #ex[%d]", at))
			u.ConditionExpression = aws.String(fmt.Sprintf("attribute_exists(PK) AND #ex[%d] = :cid", at))
			u.ExpressionAttributeNames["#ex"] = "excluded"
			u.ExpressionAttributeValues[":cid"] = strAV(clientID)
		}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{put, total}})
		if err == nil {
			return nil
		}
		if reasonFailed(err, 0) {
			break
		}
		if at < 0 || !reasonFailed(err, 1) || attempt == 3 {
			return fmt.Errorf("add %s to run %s: %w", clientID, runID, err)
		}
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{TableName: &s.table, Key: key(orgPK(orgID), runClientSK(runID, clientID)),
			UpdateExpression:         aws.String("SET #st = :rq, updatedAt = :now REMOVE #rs ADD version :one"),
			ConditionExpression:      aws.String("#st = :empty"),
			ExpressionAttributeNames: map[string]string{"#st": "state", "#rs": "reason"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":rq": strAV(string(run.ClientRequeued)), ":empty": strAV(string(run.ClientEmpty)),
				":now": strAV(ts(now)), ":one": numAV(1)}}},
		s.runCountUpdate(orgID, runID, runCount{empty: -1}),
	}})
	if reasonFailed(err, 0) {
		return fmt.Errorf("add %s to run %s: %w", clientID, runID, run.ErrAlreadyOnRun)
	}
	if err != nil {
		return fmt.Errorf("add %s to run %s: %w", clientID, runID, err)
	}
	return nil
}

// excludedIndex is clientID's position in the run's excluded list, -1
// when it is not there (or the run does not exist).
func (s *Store) excludedIndex(ctx context.Context, orgID, runID, clientID string) (int, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(orgPK(orgID), runSK(runID)),
		ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("#ex"), ExpressionAttributeNames: map[string]string{"#ex": "excluded"}})
	if err != nil {
		return -1, fmt.Errorf("add %s to run %s: read its exclusions: %w", clientID, runID, err)
	}
	var it struct {
		Excluded []string `dynamodbav:"excluded"`
	}
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return -1, fmt.Errorf("add %s to run %s: read its exclusions: %w", clientID, runID, err)
	}
	return slices.Index(it.Excluded, clientID), nil
}
