package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/member"
)

// An org's members (MEMBER#<user id>) and signed-out tokens
// (REVOKED#<sha-256 of the token>, removed by TTL once the token has
// expired anyway), both in the org's partition.

func memberSK(userID string) string     { return "MEMBER#" + userID }
func revokedSK(tokenHash string) string { return "REVOKED#" + tokenHash }

type memberItem struct {
	PK, SK    string
	Type      string `dynamodbav:"type"`
	UserID    string `dynamodbav:"userId"`
	Email     string `dynamodbav:"email"`
	Role      string `dynamodbav:"role"`
	CreatedAt string `dynamodbav:"createdAt"`
}

func (it memberItem) member(orgID string) member.Member {
	return member.Member{OrgID: orgID, UserID: it.UserID, Email: it.Email, Role: auth.Role(it.Role), CreatedAt: fromTS(it.CreatedAt)}
}

// AddMember records a new member; one already recorded is
// member.ErrExists.
func (s *Store) AddMember(ctx context.Context, m member.Member) error {
	err := s.putNew(ctx, memberItem{
		PK: orgPK(m.OrgID), SK: memberSK(m.UserID), Type: "member", UserID: m.UserID, Email: m.Email,
		Role: string(m.Role), CreatedAt: ts(m.CreatedAt),
	})
	if isConditionFailed(err) {
		return fmt.Errorf("add member: %w", member.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("add member: %w", err)
	}
	return nil
}

// Member returns one member; member.ErrNotFound if there is none.
func (s *Store) Member(ctx context.Context, orgID, userID string) (member.Member, error) {
	var it memberItem
	found, err := s.get(ctx, orgPK(orgID), memberSK(userID), &it)
	if err != nil {
		return member.Member{}, fmt.Errorf("get member: %w", err)
	}
	if !found {
		return member.Member{}, member.ErrNotFound
	}
	return it.member(orgID), nil
}

// Session reads, in one BatchGetItem of strongly consistent reads, the
// member a token speaks for and whether that token was signed out.
// member.ErrNotFound if the member is gone.
func (s *Store) Session(ctx context.Context, orgID, userID, tokenHash string) (member.Session, error) {
	keys := []map[string]types.AttributeValue{key(orgPK(orgID), memberSK(userID)), key(orgPK(orgID), revokedSK(tokenHash))}
	var got []map[string]types.AttributeValue
	for attempt := 0; len(keys) > 0; attempt++ {
		if attempt == maxAttempts {
			return member.Session{}, fmt.Errorf("read session: unprocessed keys after %d attempts", attempt)
		}
		res, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			s.table: {Keys: keys, ConsistentRead: aws.Bool(true)},
		}})
		if err != nil {
			return member.Session{}, fmt.Errorf("read session: %w", err)
		}
		got = append(got, res.Responses[s.table]...)
		keys = res.UnprocessedKeys[s.table].Keys
	}
	var out member.Session
	found := false
	for _, av := range got {
		var it memberItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return member.Session{}, fmt.Errorf("read session: %w", err)
		}
		switch it.SK {
		case memberSK(userID):
			out.Member, found = it.member(orgID), true
		case revokedSK(tokenHash):
			out.Revoked = true
		}
	}
	if !found {
		return member.Session{}, member.ErrNotFound
	}
	return out, nil
}

// Members lists an org's members, oldest first.
func (s *Store) Members(ctx context.Context, orgID string) ([]member.Member, error) {
	var out []member.Member
	var start map[string]types.AttributeValue
	for {
		res, err := s.db.Query(ctx, &dynamodb.QueryInput{
			TableName: &s.table, KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :sk)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": strAV(orgPK(orgID)), ":sk": strAV("MEMBER#")},
			ExclusiveStartKey:         start, ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return nil, fmt.Errorf("list members: %w", err)
		}
		for _, av := range res.Items {
			var it memberItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, fmt.Errorf("list members: %w", err)
			}
			out = append(out, it.member(orgID))
		}
		if start = res.LastEvaluatedKey; start == nil {
			break
		}
	}
	return out, nil
}

// SetMemberRole changes a member's role; member.ErrNotFound if gone.
func (s *Store) SetMemberRole(ctx context.Context, orgID, userID string, role auth.Role) (member.Member, error) {
	res, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: key(orgPK(orgID), memberSK(userID)),
		UpdateExpression:          aws.String("SET #role = :role"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeNames:  map[string]string{"#role": "role"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":role": strAV(string(role))},
		ReturnValues:              types.ReturnValueAllNew,
	})
	if isConditionFailed(err) {
		return member.Member{}, member.ErrNotFound
	}
	if err != nil {
		return member.Member{}, fmt.Errorf("set member role: %w", err)
	}
	var it memberItem
	if err := attributevalue.UnmarshalMap(res.Attributes, &it); err != nil {
		return member.Member{}, fmt.Errorf("set member role: %w", err)
	}
	return it.member(orgID), nil
}

// RemoveMember deletes a member's record; their tokens stop working at
// once. member.ErrNotFound if already gone.
func (s *Store) RemoveMember(ctx context.Context, orgID, userID string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: &s.table, Key: key(orgPK(orgID), memberSK(userID)), ConditionExpression: aws.String("attribute_exists(PK)"),
	})
	if isConditionFailed(err) {
		return member.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	return nil
}

// RevokeToken records a signed-out token until it would have expired.
func (s *Store) RevokeToken(ctx context.Context, orgID, tokenHash string, expires time.Time) error {
	av, err := attributevalue.MarshalMap(struct {
		PK, SK    string
		Type      string `dynamodbav:"type"`
		ExpiresAt int64  `dynamodbav:"expiresAt"`
	}{orgPK(orgID), revokedSK(tokenHash), "revoked", expires.Unix()})
	if err != nil {
		return err
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av}); err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}
