package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/clientauth"
)

// Portal sign-in requests (SIGNINREQ#<id>): what the portal's sign-in form
// asked for, waiting for the notifier, which claims one under a lease
// (leaseUntil, epoch ms) and deletes it once handled. TTL on expiresAt
// removes one never handled.

func signInRequestSK(id string) string { return "SIGNINREQ#" + id }

type signInRequestItem struct {
	PK, SK     string
	Type       string `dynamodbav:"type"`
	Email      string `dynamodbav:"email"`
	Base       string `dynamodbav:"base"`
	CreatedAt  string `dynamodbav:"createdAt"`
	ExpiresAt  int64  `dynamodbav:"expiresAt"`
	LeaseUntil int64  `dynamodbav:"leaseUntil,omitempty"`
}

// CreateSignInRequest stores a sign-in request for the notifier.
func (s *Store) CreateSignInRequest(ctx context.Context, r clientauth.SignInRequest) error {
	err := s.putNew(ctx, signInRequestItem{
		PK: orgPK(r.OrgID), SK: signInRequestSK(r.ID), Type: "signin_request", Email: r.Email, Base: r.Base,
		CreatedAt: ts(r.CreatedAt), ExpiresAt: r.ExpiresAt.Unix(),
	})
	if err != nil {
		return fmt.Errorf("create sign-in request: %w", err)
	}
	return nil
}

// ClaimSignInRequest leases a live, unleased (or lease-expired) request
// until now+lease with one conditional update: of two notifiers handling
// the same message, one wins. An absent or expired request is
// clientauth.ErrRequestGone; one under another's lease
// clientauth.ErrRequestLeased.
func (s *Store) ClaimSignInRequest(ctx context.Context, orgID, id string, now time.Time, lease time.Duration) (clientauth.SignInRequest, error) {
	res, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: key(orgPK(orgID), signInRequestSK(id)),
		UpdateExpression:         aws.String("SET #lease = :until"),
		ConditionExpression:      aws.String("attribute_exists(PK) AND #type = :t AND #exp > :nows AND (attribute_not_exists(#lease) OR #lease < :nowms)"),
		ExpressionAttributeNames: map[string]string{"#lease": "leaseUntil", "#type": "type", "#exp": "expiresAt"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":until": numAV(now.Add(lease).UnixMilli()), ":t": strAV("signin_request"),
			":nows": numAV(now.Unix()), ":nowms": numAV(now.UnixMilli()),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if isConditionFailed(err) {
		var it signInRequestItem
		found, gerr := s.get(ctx, orgPK(orgID), signInRequestSK(id), &it)
		if gerr != nil {
			return clientauth.SignInRequest{}, fmt.Errorf("claim sign-in request: %w", gerr)
		}
		if !found || it.Type != "signin_request" || it.ExpiresAt <= now.Unix() {
			return clientauth.SignInRequest{}, clientauth.ErrRequestGone
		}
		return clientauth.SignInRequest{}, clientauth.ErrRequestLeased
	}
	if err != nil {
		return clientauth.SignInRequest{}, fmt.Errorf("claim sign-in request: %w", err)
	}
	var it signInRequestItem
	if err := attributevalue.UnmarshalMap(res.Attributes, &it); err != nil {
		return clientauth.SignInRequest{}, fmt.Errorf("claim sign-in request: %w", err)
	}
	return clientauth.SignInRequest{
		OrgID: orgID, ID: id, Email: it.Email, Base: it.Base, CreatedAt: fromTS(it.CreatedAt),
		ExpiresAt: time.Unix(it.ExpiresAt, 0), LeaseUntil: time.UnixMilli(it.LeaseUntil),
	}, nil
}

// ReleaseSignInRequest ends a lease so the queue's retry can claim the
// request again; one already gone stays gone.
func (s *Store) ReleaseSignInRequest(ctx context.Context, orgID, id string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: key(orgPK(orgID), signInRequestSK(id)),
		UpdateExpression:         aws.String("REMOVE #lease"),
		ConditionExpression:      aws.String("attribute_exists(PK)"),
		ExpressionAttributeNames: map[string]string{"#lease": "leaseUntil"},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("release sign-in request: %w", err)
	}
	return nil
}

// DeleteSignInRequest removes a handled request.
func (s *Store) DeleteSignInRequest(ctx context.Context, orgID, id string) error {
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: key(orgPK(orgID), signInRequestSK(id))}); err != nil {
		return fmt.Errorf("delete sign-in request: %w", err)
	}
	return nil
}
