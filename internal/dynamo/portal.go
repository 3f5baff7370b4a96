package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/clientauth"
)

// The client portal's items: sign-in links, sessions and the per-email
// sign-in counter, all in the org's partition and all removed by the
// table's TTL on expiresAt (epoch seconds) once they have expired. Reads
// check expiry themselves, as TTL deletes lazily.

func signInSK(hash string) string { return "SIGNIN#" + hash }
func portalSessionSK(hash string) string {
	return "PSESSION#" + hash
}
func signInRateSK(emailHash string, window time.Time) string {
	return "SIGNINRATE#" + emailHash + "#" + strconv.FormatInt(window.Unix(), 10)
}

// portalAuthItem is a sign-in link or a session: both are a hash bound to
// an email and the clients it held.
type portalAuthItem struct {
	PK, SK    string
	Type      string   `dynamodbav:"type"`
	Email     string   `dynamodbav:"email"`
	ClientIDs []string `dynamodbav:"clientIds"`
	CreatedAt string   `dynamodbav:"createdAt"`
	ExpiresAt int64    `dynamodbav:"expiresAt"`
}

// CreateSignInLink stores a new sign-in link.
func (s *Store) CreateSignInLink(ctx context.Context, l clientauth.Link) error {
	err := s.putNew(ctx, portalAuthItem{
		PK: orgPK(l.OrgID), SK: signInSK(l.Hash), Type: "signin", Email: l.Email, ClientIDs: l.ClientIDs,
		CreatedAt: ts(l.CreatedAt), ExpiresAt: l.ExpiresAt.Unix(),
	})
	if err != nil {
		return fmt.Errorf("create sign-in link: %w", err)
	}
	return nil
}

// ConsumeSignInLink deletes a sign-in link that is still live at now and
// returns what it held. The delete is conditional, so of two uses of one
// link exactly one succeeds.
func (s *Store) ConsumeSignInLink(ctx context.Context, orgID, hash string, now time.Time) (clientauth.Link, error) {
	res, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: &s.table, Key: key(orgPK(orgID), signInSK(hash)),
		ConditionExpression:       aws.String("attribute_exists(PK) AND #type = :signin AND #exp > :now"),
		ExpressionAttributeNames:  map[string]string{"#type": "type", "#exp": "expiresAt"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":signin": strAV("signin"), ":now": numAV(now.Unix())},
		ReturnValues:              types.ReturnValueAllOld,
	})
	if isConditionFailed(err) {
		return clientauth.Link{}, clientauth.ErrInvalidLink
	}
	if err != nil {
		return clientauth.Link{}, fmt.Errorf("consume sign-in link: %w", err)
	}
	var it portalAuthItem
	if err := attributevalue.UnmarshalMap(res.Attributes, &it); err != nil {
		return clientauth.Link{}, fmt.Errorf("consume sign-in link: %w", err)
	}
	return clientauth.Link{
		OrgID: orgID, Hash: hash, Email: it.Email, ClientIDs: it.ClientIDs,
		CreatedAt: fromTS(it.CreatedAt), ExpiresAt: time.Unix(it.ExpiresAt, 0),
	}, nil
}

// CountSignInRequest counts a sign-in email to one address in one window,
// refusing (clientauth.ErrThrottled) once max have been sent in it.
func (s *Store) CountSignInRequest(ctx context.Context, orgID, emailHash string, window time.Time, max int) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: key(orgPK(orgID), signInRateSK(emailHash, window)),
		UpdateExpression:         aws.String("SET #type = :type, #exp = :exp ADD #n :one"),
		ConditionExpression:      aws.String("attribute_not_exists(#n) OR #n < :max"),
		ExpressionAttributeNames: map[string]string{"#type": "type", "#exp": "expiresAt", "#n": "count"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":type": strAV("signin_rate"), ":exp": numAV(window.Add(2 * clientauth.LinkTTL).Unix()),
			":one": numAV(1), ":max": numAV(int64(max)),
		},
	})
	if isConditionFailed(err) {
		return clientauth.ErrThrottled
	}
	if err != nil {
		return fmt.Errorf("count sign-in request: %w", err)
	}
	return nil
}

// CreatePortalSession stores a new session.
func (s *Store) CreatePortalSession(ctx context.Context, sess clientauth.Session) error {
	err := s.putNew(ctx, portalAuthItem{
		PK: orgPK(sess.OrgID), SK: portalSessionSK(sess.Hash), Type: "portal_session", Email: sess.Email,
		ClientIDs: sess.ClientIDs, CreatedAt: ts(sess.CreatedAt), ExpiresAt: sess.ExpiresAt.Unix(),
	})
	if err != nil {
		return fmt.Errorf("create portal session: %w", err)
	}
	return nil
}

// PortalSession reads a session by its secret's hash; the caller checks
// its expiry. A missing one is clientauth.ErrNoSession.
func (s *Store) PortalSession(ctx context.Context, orgID, hash string) (clientauth.Session, error) {
	var it portalAuthItem
	found, err := s.get(ctx, orgPK(orgID), portalSessionSK(hash), &it)
	if err != nil {
		return clientauth.Session{}, fmt.Errorf("get portal session: %w", err)
	}
	if !found || it.Type != "portal_session" {
		return clientauth.Session{}, clientauth.ErrNoSession
	}
	return clientauth.Session{
		OrgID: orgID, Hash: hash, Email: it.Email, ClientIDs: it.ClientIDs,
		CreatedAt: fromTS(it.CreatedAt), ExpiresAt: time.Unix(it.ExpiresAt, 0),
	}, nil
}

// DeletePortalSession ends a session; ending one already gone is no error.
func (s *Store) DeletePortalSession(ctx context.Context, orgID, hash string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: key(orgPK(orgID), portalSessionSK(hash))})
	if err != nil {
		return fmt.Errorf("delete portal session: %w", err)
	}
	return nil
}
