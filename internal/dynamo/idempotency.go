package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/idempotency"
)

// Idempotency keeps idempotency records in their own table, whose TTL on
// expiresAt clears them after a day.
type Idempotency struct {
	db    *dynamodb.Client
	table string
}

// NewIdempotency returns the record store over table.
func NewIdempotency(db *dynamodb.Client, table string) (*Idempotency, error) {
	if db == nil || table == "" {
		return nil, errors.New("dynamo: a client and an idempotency table name are required")
	}
	return &Idempotency{db: db, table: table}, nil
}

type idemItem struct {
	PK              string
	RequestHash     string `dynamodbav:"requestHash"`
	Status          string `dynamodbav:"status"`
	StatusCode      int    `dynamodbav:"statusCode,omitempty"`
	ContentType     string `dynamodbav:"contentType,omitempty"`
	Location        string `dynamodbav:"location,omitempty"`
	Body            []byte `dynamodbav:"body,omitempty"`
	ExpiresAt       int64  `dynamodbav:"expiresAt"`       // epoch seconds, the table's TTL
	InProgressUntil int64  `dynamodbav:"inProgressUntil"` // epoch milliseconds
}

// Begin claims key unless a live record holds it. TTL deletion lags, so an
// expired record is treated as absent; so is an INPROGRESS record whose
// owner died past its expiry.
func (s *Idempotency) Begin(ctx context.Context, key, hash string, now time.Time) (*idempotency.Record, error) {
	av, err := attributevalue.MarshalMap(idemItem{
		PK: key, RequestHash: hash, Status: string(idempotency.InProgress),
		ExpiresAt:       now.Add(idempotency.TTL).Unix(),
		InProgressUntil: now.Add(idempotency.InProgressExpiry).UnixMilli(),
	})
	if err != nil {
		return nil, err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table, Item: av,
		ConditionExpression:      aws.String("attribute_not_exists(PK) OR expiresAt < :now OR (#s = :inprogress AND inProgressUntil < :nowms)"),
		ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": numAV(now.Unix()), ":nowms": numAV(now.UnixMilli()),
			":inprogress": strAV(string(idempotency.InProgress)),
		},
	})
	if err == nil {
		return nil, nil
	}
	if !isConditionFailed(err) {
		return nil, fmt.Errorf("idempotency begin: %w", err)
	}
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &s.table, ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{attrPK: strAV(key)},
	})
	if err != nil {
		return nil, fmt.Errorf("idempotency read: %w", err)
	}
	if res.Item == nil { // released in between: the caller may retry
		return &idempotency.Record{Key: key, RequestHash: hash, Status: idempotency.InProgress}, idempotency.ErrExists
	}
	var it idemItem
	if err := attributevalue.UnmarshalMap(res.Item, &it); err != nil {
		return nil, fmt.Errorf("idempotency read: %w", err)
	}
	return &idempotency.Record{
		Key: key, RequestHash: it.RequestHash, Status: idempotency.Status(it.Status),
		StatusCode: it.StatusCode, ContentType: it.ContentType, Location: it.Location, Body: it.Body,
	}, idempotency.ErrExists
}

// Complete stores the response.
func (s *Idempotency) Complete(ctx context.Context, rec idempotency.Record, now time.Time) error {
	av, err := attributevalue.MarshalMap(idemItem{
		PK: rec.Key, RequestHash: rec.RequestHash, Status: string(idempotency.Completed),
		StatusCode: rec.StatusCode, ContentType: rec.ContentType, Location: rec.Location, Body: rec.Body,
		ExpiresAt: now.Add(idempotency.TTL).Unix(),
	})
	if err != nil {
		return err
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av}); err != nil {
		return fmt.Errorf("idempotency complete: %w", err)
	}
	return nil
}

// Release deletes a claim.
func (s *Idempotency) Release(ctx context.Context, key string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: &s.table, Key: map[string]types.AttributeValue{attrPK: strAV(key)},
	})
	if err != nil {
		return fmt.Errorf("idempotency release: %w", err)
	}
	return nil
}
