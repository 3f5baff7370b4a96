package dynamo

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A send claim (SENDCLAIM#<invoice>#<channel>#<recipient hash>) is held by
// the one request sending an invoice over a channel to a recipient during a
// short window; concurrent sends of the same find it and send nothing.
// The table's TTL removes it after expiresAt.
func sendClaimSK(invoiceID, channel, recipient string) string {
	h := sha256.Sum256([]byte(recipient))
	return "SENDCLAIM#" + invoiceID + "#" + channel + "#" + hex.EncodeToString(h[:8])
}

// ClaimSend takes the claim on sending invoiceID over channel to
// recipient until until, unless a live claim (one not expired at now)
// holds it; it reports whether this call took it. Each call writes its
// own holder token and accepts a claim already holding it: when the
// reply to the put is lost (a throttled or dropped response) and the
// SDK sends it again, the retry finds this call's own claim and takes it,
// rather than reporting another sender and sending nothing.
func (s *Store) ClaimSend(ctx context.Context, orgID, invoiceID, channel, recipient string, now, until time.Time) (bool, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return false, fmt.Errorf("claim send: %w", err)
	}
	holder := hex.EncodeToString(b[:])
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table,
		Item: map[string]types.AttributeValue{
			attrPK: strAV(orgPK(orgID)), attrSK: strAV(sendClaimSK(invoiceID, channel, recipient)),
			"type": strAV("send_claim"), "expiresAt": numAV(until.Unix()), "holder": strAV(holder),
		},
		ConditionExpression:       aws.String("attribute_not_exists(PK) OR expiresAt <= :now OR holder = :holder"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": numAV(now.Unix()), ":holder": strAV(holder)},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim send: %w", err)
	}
	return true, nil
}

// ReleaseSend gives a claim back, so a send that failed can be retried at
// once.
func (s *Store) ReleaseSend(ctx context.Context, orgID, invoiceID, channel, recipient string) error {
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: &s.table, Key: key(orgPK(orgID), sendClaimSK(invoiceID, channel, recipient)),
	}); err != nil {
		return fmt.Errorf("release send: %w", err)
	}
	return nil
}

// FirstView records that viewer (a pay link's hash) opened invoiceID on
// day (YYYY-MM-DD) and reports whether this was the first such view; the
// marker (VIEW#<invoice>#<viewer>#<day>) lapses by TTL at until.
func (s *Store) FirstView(ctx context.Context, orgID, invoiceID, viewer, day string, until time.Time) (bool, error) {
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table,
		Item: map[string]types.AttributeValue{
			attrPK: strAV(orgPK(orgID)), attrSK: strAV("VIEW#" + invoiceID + "#" + viewer + "#" + day),
			"type": strAV("view"), "expiresAt": numAV(until.Unix()),
		},
		ConditionExpression: aws.String("attribute_not_exists(PK)"),
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("record view: %w", err)
	}
	return true, nil
}
