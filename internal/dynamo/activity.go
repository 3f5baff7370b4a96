package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/activity"
)

func activitySK(id string) string { return "ACT#" + id }
func invoiceActivityPK(org, inv string) string {
	return "ORG#" + org + "#INV#" + inv + "#ACT"
}
func clientActivityPK(org, cli string) string {
	return "ORG#" + org + "#CLIENT#" + cli + "#ACT"
}

type activityItem struct {
	PK, SK     string
	GSI1PK     string `dynamodbav:",omitempty"`
	GSI1SK     string `dynamodbav:",omitempty"`
	GSI2PK     string `dynamodbav:",omitempty"`
	GSI2SK     string `dynamodbav:",omitempty"`
	Type       string `dynamodbav:"type"`
	ID         string `dynamodbav:"id"`
	OrgID      string `dynamodbav:"orgId"`
	Kind       string `dynamodbav:"kind"`
	InvoiceID  string `dynamodbav:"invoiceId,omitempty"`
	Number     string `dynamodbav:"number,omitempty"`
	ClientID   string `dynamodbav:"clientId,omitempty"`
	ClientName string `dynamodbav:"clientName,omitempty"`
	Actor      string `dynamodbav:"actor,omitempty"`
	Channel    string `dynamodbav:"channel,omitempty"`
	Recipient  string `dynamodbav:"recipient,omitempty"`
	Detail     string `dynamodbav:"detail,omitempty"`
	Search     string `dynamodbav:"search"`
	At         string `dynamodbav:"at"`
}

func activityToItem(e activity.Event) activityItem {
	it := activityItem{
		PK: orgPK(e.OrgID), SK: activitySK(e.ID), Type: "activity", ID: e.ID, OrgID: e.OrgID, Kind: string(e.Kind),
		InvoiceID: e.InvoiceID, Number: e.Number, ClientID: e.ClientID, ClientName: e.ClientName, Actor: e.Actor,
		Channel: e.Channel, Recipient: e.Recipient, Detail: e.Detail, Search: searchText(e.SearchText()), At: ts(e.At),
	}
	if e.InvoiceID != "" {
		it.GSI1PK, it.GSI1SK = invoiceActivityPK(e.OrgID, e.InvoiceID), e.ID
	}
	if e.ClientID != "" {
		it.GSI2PK, it.GSI2SK = clientActivityPK(e.OrgID, e.ClientID), e.ID
	}
	return it
}

func (it activityItem) toEvent() activity.Event {
	return activity.Event{
		ID: it.ID, OrgID: it.OrgID, Kind: activity.Kind(it.Kind), InvoiceID: it.InvoiceID, Number: it.Number,
		ClientID: it.ClientID, ClientName: it.ClientName, Actor: it.Actor, Channel: it.Channel,
		Recipient: it.Recipient, Detail: it.Detail, At: fromTS(it.At),
	}
}

// eventPuts are the transaction items that append events; each must be new.
func (s *Store) eventPuts(events []activity.Event) ([]types.TransactWriteItem, error) {
	out := make([]types.TransactWriteItem, 0, len(events))
	for _, e := range events {
		av, err := attributevalue.MarshalMap(activityToItem(e))
		if err != nil {
			return nil, err
		}
		out = append(out, types.TransactWriteItem{Put: &types.Put{
			TableName: &s.table, Item: av, ConditionExpression: strPtr("attribute_not_exists(PK)"),
		}})
	}
	return out, nil
}

func strPtr(s string) *string { return &s }

// AppendActivity records events that go with no other change, such as an
// invoice being viewed.
func (s *Store) AppendActivity(ctx context.Context, events ...activity.Event) error {
	if len(events) == 0 {
		return nil
	}
	tx, err := s.eventPuts(events)
	if err != nil {
		return err
	}
	if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx}); err != nil {
		return fmt.Errorf("append activity: %w", err)
	}
	return nil
}

// ListActivity lists events newest first.
func (s *Store) ListActivity(ctx context.Context, orgID string, f activity.Filter) ([]activity.Event, string, error) {
	q := listQuery{org: orgID, search: f.Search, limit: f.Limit, cursor: f.Cursor}
	switch {
	case f.InvoiceID != "":
		q.index, q.pk = indexGSI1, invoiceActivityPK(orgID, f.InvoiceID)
	case f.ClientID != "":
		q.index, q.pk = indexGSI2, clientActivityPK(orgID, f.ClientID)
	default:
		q.pk, q.skCond, q.sk = orgPK(orgID), "begins_with(#sk, :sk)", "ACT#"
	}
	items, next, err := s.run(ctx, q)
	if err != nil {
		return nil, "", fmt.Errorf("list activity: %w", err)
	}
	out := make([]activity.Event, 0, len(items))
	for _, av := range items {
		var it activityItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, "", fmt.Errorf("list activity: %w", err)
		}
		out = append(out, it.toEvent())
	}
	return out, next, nil
}
