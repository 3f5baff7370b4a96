package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/idempotency"
)

// requestMarkerSK keys the marker that the API request named key (its
// Idempotency-Key and body digest, idempotency.Request.Key) took effect
// in the org's partition. A marker lives as long as the key's record
// (idempotency.TTL, a day): it carries expiresAt (epoch seconds), the
// data table's TTL attribute, and since TTL deletion lags by up to days
// a marker past its expiresAt is treated as absent.
func requestMarkerSK(key string) string { return "REQUEST#" + key }

// maxTransactItems is DynamoDB's limit on the items of one
// TransactWriteItems.
const maxTransactItems = 100

// transactRequest writes tx as one transaction and, when ctx serves a
// POST with an Idempotency-Key in orgID (idempotency.RequestFrom), puts
// the request's marker in the same transaction on condition that no
// other execution of the request wrote a live one. ref names what the
// write made or changed (an id) and made anything else it made (a
// send's deliveries), kept on the marker for the repeat's answer.
//
// A repeat of a request whose earlier execution committed (its reply
// lost with its function) fails on the marker alone and gets
// *idempotency.AppliedError naming the earlier ref and made, having
// written nothing; the request's idempotency.Request is told, so the key
// keeps this answer. A marker whose expiresAt has passed (by the
// request's own clock, Request.At) is overwritten: the key is
// forgotten, and the request is a new one. Any other failure is
// returned as it is (a lost race stays a lost race for the caller's
// optimistic loop). A transaction already at DynamoDB's 100 items cannot
// take the marker and is written without it; every marked write has far
// fewer.
func (s *Store) transactRequest(ctx context.Context, orgID, ref string, tx []types.TransactWriteItem, made ...string) error {
	req := idempotency.RequestFrom(ctx)
	if req == nil || req.Scope != orgID || len(tx) >= maxTransactItems {
		_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
		return err
	}
	at := req.At
	if at.IsZero() {
		at = time.Now()
	}
	marker := map[string]types.AttributeValue{
		attrPK: strAV(orgPK(orgID)), attrSK: strAV(requestMarkerSK(req.Key)),
		"type": strAV("request"), "run": strAV(req.Run), "ref": strAV(ref),
		"at":        strAV(at.UTC().Format(time.RFC3339)),
		"expiresAt": numAV(at.Add(idempotency.TTL).Unix()),
	}
	if len(made) > 0 {
		marker["made"] = &types.AttributeValueMemberSS{Value: made}
	}
	marked := append(tx[:len(tx):len(tx)], types.TransactWriteItem{Put: &types.Put{
		TableName: &s.table, Item: marker,
		ConditionExpression:      aws.String("attribute_not_exists(PK) OR #run = :run OR #exp < :now"),
		ExpressionAttributeNames: map[string]string{"#run": "run", "#exp": "expiresAt"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":run": strAV(req.Run), ":now": numAV(at.Unix()),
		},
	}})
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: marked})
	if err == nil || !reasonFailed(err, len(tx)) {
		return err
	}
	var earlier struct {
		Ref  string   `dynamodbav:"ref"`
		Made []string `dynamodbav:"made,stringset"`
	}
	if _, gerr := s.get(ctx, orgPK(orgID), requestMarkerSK(req.Key), &earlier); gerr != nil {
		return fmt.Errorf("read request marker: %w", gerr)
	}
	req.Applied()
	return &idempotency.AppliedError{Ref: earlier.Ref, Made: earlier.Made}
}

// RequestApplied reports, as *idempotency.AppliedError, that an earlier
// execution of the API request ctx serves took effect in orgID: a live
// marker of the request's key (requestMarkerSK) written by another run.
// It is nil without one (also when ctx serves no keyed request in
// orgID, or the marker has expired by the request's clock). It serves a
// retry refused by a check the first execution's write made true (a
// payment reversed, credit applied): the API answers it as applied
// instead. The request's idempotency.Request is told, as
// transactRequest tells it.
func (s *Store) RequestApplied(ctx context.Context, orgID string) error {
	req := idempotency.RequestFrom(ctx)
	if req == nil || req.Scope != orgID {
		return nil
	}
	var m struct {
		Run       string   `dynamodbav:"run"`
		Ref       string   `dynamodbav:"ref"`
		Made      []string `dynamodbav:"made,stringset"`
		ExpiresAt int64    `dynamodbav:"expiresAt"`
	}
	found, err := s.get(ctx, orgPK(orgID), requestMarkerSK(req.Key), &m)
	if err != nil {
		return fmt.Errorf("read request marker: %w", err)
	}
	at := req.At
	if at.IsZero() {
		at = time.Now()
	}
	if !found || m.Run == req.Run || (m.ExpiresAt != 0 && m.ExpiresAt < at.Unix()) {
		return nil
	}
	req.Applied()
	return &idempotency.AppliedError{Ref: m.Ref, Made: m.Made}
}

// putNewRequest writes an item of orgID that must not exist yet, marked
// as the effect of the API request ctx serves (transactRequest; ref is
// the item's id). Without such a request it is putNew.
func (s *Store) putNewRequest(ctx context.Context, orgID, ref string, item any) error {
	if idempotency.RequestFrom(ctx) == nil {
		return s.putNew(ctx, item)
	}
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return err
	}
	return s.transactRequest(ctx, orgID, ref, []types.TransactWriteItem{{Put: &types.Put{
		TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)"),
	}}})
}
