package dynamo

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// FuzzDecodeCursor: a list cursor comes back from clients, so any text
// may arrive. decodeCursor must never panic, refuses what it cannot read
// with ErrBadCursor, and a cursor it accepts starts inside the partition
// it was asked for (never another org's); a cursor it wrote reads back
// to the same key.
func FuzzDecodeCursor(f *testing.F) {
	keys := []string{attrPK, "SK", "GSI1PK", "GSI1SK"}
	const pk, other = "ORG#org_a#CLIENTS", "ORG#org_a"
	valid := encodeCursor(map[string]types.AttributeValue{
		attrPK: strAV(other), "SK": strAV("CLIENT#cli_1"), "GSI1PK": strAV(pk), "GSI1SK": strAV("zoë"),
	}, keys)
	for _, s := range []string{valid, "", "e30", "eyJQSyI6Ik9SRyNvcmdfYiJ9", "!!", valid + "A"} {
		f.Add(s, "zoë")
	}
	f.Fuzz(func(t *testing.T, cursor, sortKey string) {
		key, err := decodeCursor(cursor, keys, "GSI1PK", pk, other)
		if err != nil && !errors.Is(err, ErrBadCursor) {
			t.Fatalf("decodeCursor(%q) = %v, want ErrBadCursor", cursor, err)
		}
		if err == nil && cursor != "" {
			if got := key["GSI1PK"].(*types.AttributeValueMemberS).Value; got != pk {
				t.Fatalf("cursor %q starts in partition %q, want %q", cursor, got, pk)
			}
			if got := key[attrPK].(*types.AttributeValueMemberS).Value; got != other {
				t.Fatalf("cursor %q starts in table partition %q, want %q", cursor, got, other)
			}
		}
		if !utf8.ValidString(sortKey) {
			return // item keys are UTF-8 strings: DynamoDB holds no other
		}
		// What the store writes, it reads back.
		item := map[string]types.AttributeValue{attrPK: strAV(other), "SK": strAV("CLIENT#" + sortKey), "GSI1PK": strAV(pk), "GSI1SK": strAV(sortKey)}
		back, err := decodeCursor(encodeCursor(item, keys), keys, "GSI1PK", pk, other)
		if err != nil && len(encodeCursor(item, keys)) <= 2048 {
			t.Fatalf("own cursor for sort key %q refused: %v", sortKey, err)
		}
		if err == nil && back["GSI1SK"].(*types.AttributeValueMemberS).Value != sortKey {
			t.Fatalf("own cursor for sort key %q read back as %v", sortKey, back["GSI1SK"])
		}
	})
}
