package dynamo_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/idempotency"
)

// A request's marker carries expiresAt (epoch seconds, the table's TTL
// attribute) a day after the request; until then a later execution of
// the request meets it and writes nothing; past it, before TTL has
// deleted the item, the marker counts as absent and the request is a new
// one. Both sides of the edge are judged by the request's own clock.
func TestRequestMarkerExpires(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.org(t)
	run := func(n int, at time.Time, c *client.Client) error {
		req := &idempotency.Request{Scope: o.ID, Key: "k-expiry#0123456789abcdef", Run: "run-" + strconv.Itoa(n), At: at}
		return f.store.CreateClient(idempotency.WithRequest(ctx, req), c)
	}
	first := f.newClient(t, o.ID, "First Run")
	if err := run(1, now, first); err != nil {
		t.Fatal(err)
	}
	marker := f.marker(t, o.ID, "k-expiry#0123456789abcdef")
	exp, ok := marker["expiresAt"].(*types.AttributeValueMemberN)
	if !ok || exp.Value != strconv.FormatInt(now.Add(idempotency.TTL).Unix(), 10) {
		t.Fatalf("marker expiresAt = %#v, want %d (a day after the request)", marker["expiresAt"], now.Add(idempotency.TTL).Unix())
	}

	// A second before the edge: the first run's marker answers.
	second := f.newClient(t, o.ID, "Second Run")
	err := run(2, now.Add(idempotency.TTL-time.Second), second)
	var ae *idempotency.AppliedError
	if !errors.As(err, &ae) || ae.Ref != first.ID {
		t.Fatalf("retry inside the window = %v, want AppliedError naming %s", err, first.ID)
	}
	if _, err := f.store.GetClient(ctx, o.ID, second.ID); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("the refused retry wrote its client: %v", err)
	}

	// A second past it: the marker is absent though its item remains.
	third := f.newClient(t, o.ID, "Third Run")
	if err := run(3, now.Add(idempotency.TTL+time.Second), third); err != nil {
		t.Fatalf("request after the marker expired = %v, want a new request", err)
	}
	if _, err := f.store.GetClient(ctx, o.ID, third.ID); err != nil {
		t.Fatalf("the new request's client: %v", err)
	}
	if got := f.marker(t, o.ID, "k-expiry#0123456789abcdef")["ref"].(*types.AttributeValueMemberS).Value; got != third.ID {
		t.Errorf("marker names %s after the new request, want %s", got, third.ID)
	}
}

// newClient is a client of orgID not yet stored.
func (fixture) newClient(t *testing.T, orgID, name string) *client.Client {
	t.Helper()
	c, err := client.New(id.New(id.Client, time.Now()), orgID, client.Profile{
		Name: name, Contacts: []client.Contact{{Name: name, Email: "billing@example.com"}},
	}, func() string { return id.New(id.Contact, time.Now()) }, now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// marker reads the request marker of key in orgID's partition.
func (f fixture) marker(t *testing.T, orgID, key string) map[string]types.AttributeValue {
	t.Helper()
	out, err := f.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &f.name, Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "ORG#" + orgID}, "SK": &types.AttributeValueMemberS{Value: "REQUEST#" + key},
	}})
	if err != nil || out.Item == nil {
		t.Fatalf("marker of %s: %v (found %v)", key, err, out != nil && out.Item != nil)
	}
	return out.Item
}
