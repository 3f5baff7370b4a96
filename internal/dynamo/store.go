package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/activity"
)

// Store is carebill's data in one DynamoDB table.
type Store struct {
	db    *dynamodb.Client
	table string

	finalizeRetries atomic.Int64
	zones           sync.Map // org id → zoneEntry
}

// New returns a store over table. The client is built once per cold start
// by the caller.
func New(db *dynamodb.Client, table string) (*Store, error) {
	if db == nil || table == "" {
		return nil, errors.New("dynamo: a client and a table name are required")
	}
	return &Store{db: db, table: table}, nil
}

// maxAttempts bounds optimistic retries of one change.
const maxAttempts = 5

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

// get reads one item with a consistent read into out; found is false when
// the item does not exist.
func (s *Store) get(ctx context.Context, pk, sk string, out any) (found bool, err error) {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &s.table, Key: key(pk, sk), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return false, err
	}
	if res.Item == nil {
		return false, nil
	}
	return true, attributevalue.UnmarshalMap(res.Item, out)
}

// putNew writes an item that must not exist yet.
func (s *Store) putNew(ctx context.Context, item any) error {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table, Item: av,
		ConditionExpression: aws.String("attribute_not_exists(PK)"),
	})
	return err
}

// createWith writes a new item (which must not exist) of orgID together
// with events in one transaction, marked as the effect of the API request
// ctx serves (transactRequest; ref is the new item's id).
func (s *Store) createWith(ctx context.Context, orgID, ref string, item any, events []activity.Event, also ...types.TransactWriteItem) error {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return err
	}
	puts, err := s.eventPuts(events)
	if err != nil {
		return err
	}
	tx := append([]types.TransactWriteItem{{Put: &types.Put{
		TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)"),
	}}}, puts...)
	tx = append(tx, also...)
	return s.transactRequest(ctx, orgID, ref, tx)
}

// putVersioned replaces an item only if its stored version is still prev.
func (s *Store) putVersioned(ctx context.Context, item any, prev int64) error {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return err
	}
	_, err = s.db.PutItem(ctx, versionedPut(s.table, av, prev))
	return err
}

func versionedPut(table string, av map[string]types.AttributeValue, prev int64) *dynamodb.PutItemInput {
	return &dynamodb.PutItemInput{
		TableName: &table, Item: av,
		ConditionExpression:       aws.String("#v = :prev"),
		ExpressionAttributeNames:  map[string]string{"#v": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":prev": numAV(prev)},
	}
}

// counterPut moves an org's number series from last to last+1: the write
// that makes numbering gapless, as it fails if anyone else moved it first.
func (s *Store) counterPut(orgID, series string, last int64) *types.Put {
	put := &types.Put{
		TableName: &s.table,
		Item: map[string]types.AttributeValue{
			attrPK: strAV(orgPK(orgID)), attrSK: strAV(seqSK(series)), "type": strAV("seq"), "last": numAV(last + 1),
		},
	}
	if last == 0 {
		put.ConditionExpression = aws.String("attribute_not_exists(PK)")
	} else {
		put.ConditionExpression = aws.String("#last = :prev")
		put.ExpressionAttributeNames = map[string]string{"#last": "last"}
		put.ExpressionAttributeValues = map[string]types.AttributeValue{":prev": numAV(last)}
	}
	return put
}

// versionedTxPut is versionedPut as a transaction item.
func (s *Store) versionedTxPut(av map[string]types.AttributeValue, prev int64) types.TransactWriteItem {
	p := versionedPut(s.table, av, prev)
	return types.TransactWriteItem{Put: &types.Put{
		TableName: p.TableName, Item: p.Item, ConditionExpression: p.ConditionExpression,
		ExpressionAttributeNames: p.ExpressionAttributeNames, ExpressionAttributeValues: p.ExpressionAttributeValues,
	}}
}

func numAV(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: fmt.Sprint(n)}
}

func strAV(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// isConditionFailed reports whether err is a failed condition, alone or
// inside a cancelled transaction (ConditionalCheckFailed, or
// TransactionConflict: another transaction held an item), that is,
// another writer got there first and a fresh read may succeed. A
// transaction cancelled because DynamoDB was throttled is not: re-reading
// changes nothing, so it is left to Unavailable (503, Retry-After)
// rather than retried as a lost race.
func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return true
	}
	var tce *types.TransactionCanceledException
	return errors.As(err, &tce) && !cancelledByThrottling(tce)
}

// backoff sleeps before retry attempt n (1-based): full jitter over an
// exponentially growing window capped at 200 ms.
func backoff(ctx context.Context, n int) error {
	window := min(5*time.Millisecond<<min(n, 6), 200*time.Millisecond)
	t := time.NewTimer(rand.N(window) + time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
