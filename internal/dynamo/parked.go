package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/payment"
)

// A parked card payment is PARKED#<intent> in the org's partition, so a
// payment intent parks once; GSI1 ORG#<org>#PARKED lists them newest
// first.
func parkedSK(intentID string) string       { return "PARKED#" + intentID }
func parkedListPK(orgID string) string      { return "ORG#" + orgID + "#PARKED" }
func parkedListSK(p *payment.Parked) string { return ts(p.CreatedAt) + "#" + p.IntentID }

type parkedItem struct {
	PK, SK         string
	GSI1PK, GSI1SK string
	Type           string `dynamodbav:"type"`
	OrgID          string `dynamodbav:"orgId"`
	IntentID       string `dynamodbav:"intentId"`
	EventID        string `dynamodbav:"eventId"`
	InvoiceID      string `dynamodbav:"invoiceId"`
	InvoiceNumber  string `dynamodbav:"invoiceNumber,omitempty"`
	ClientID       string `dynamodbav:"clientId"`
	ClientName     string `dynamodbav:"clientName,omitempty"`
	Amount         num    `dynamodbav:"amount"`
	Currency       string `dynamodbav:"currency"`
	Expected       string `dynamodbav:"expected"`
	PaidAt         string `dynamodbav:"paidAt"`
	CreatedAt      string `dynamodbav:"createdAt"`
	Resolution     string `dynamodbav:"resolution,omitempty"`
	ResolveReason  string `dynamodbav:"resolveReason,omitempty"`
	ResolvedBy     string `dynamodbav:"resolvedBy,omitempty"`
	ResolvedAt     string `dynamodbav:"resolvedAt,omitempty"`
	Version        int64  `dynamodbav:"version"`
}

func parkedToItem(p *payment.Parked) parkedItem {
	return parkedItem{
		PK: orgPK(p.OrgID), SK: parkedSK(p.IntentID), GSI1PK: parkedListPK(p.OrgID), GSI1SK: parkedListSK(p),
		Type: "parked_card", OrgID: p.OrgID, IntentID: p.IntentID, EventID: p.EventID, InvoiceID: p.InvoiceID,
		InvoiceNumber: p.InvoiceNumber, ClientID: p.ClientID, ClientName: p.ClientName, Amount: toNum(p.Amount),
		Currency: p.Currency.Code(), Expected: p.Expected.Code(), PaidAt: ts(p.PaidAt), CreatedAt: ts(p.CreatedAt),
		Resolution: string(p.Resolution), ResolveReason: p.ResolveReason, ResolvedBy: p.ResolvedBy,
		ResolvedAt: ts(p.ResolvedAt), Version: p.Version,
	}
}

func (it parkedItem) toParked() (*payment.Parked, error) {
	amt, err := fromNum("amount", it.Amount)
	if err != nil {
		return nil, err
	}
	cur, err := money.ParseCurrency(it.Currency)
	if err != nil {
		return nil, fmt.Errorf("stored currency: %w", err)
	}
	want, err := money.ParseCurrency(it.Expected)
	if err != nil {
		return nil, fmt.Errorf("stored expected currency: %w", err)
	}
	return &payment.Parked{
		OrgID: it.OrgID, IntentID: it.IntentID, EventID: it.EventID, InvoiceID: it.InvoiceID, InvoiceNumber: it.InvoiceNumber,
		ClientID: it.ClientID, ClientName: it.ClientName, Amount: amt, Currency: cur, Expected: want,
		PaidAt: fromTS(it.PaidAt), CreatedAt: fromTS(it.CreatedAt), Resolution: payment.Resolution(it.Resolution),
		ResolveReason: it.ResolveReason, ResolvedBy: it.ResolvedBy, ResolvedAt: fromTS(it.ResolvedAt), Version: it.Version,
	}, nil
}

// ParkCardPayment stores p with its events in one transaction unless its
// payment intent is parked already; it reports whether it stored it.
func (s *Store) ParkCardPayment(ctx context.Context, p *payment.Parked, events ...activity.Event) (bool, error) {
	p.Version = 1
	av, err := attributevalue.MarshalMap(parkedToItem(p))
	if err != nil {
		return false, fmt.Errorf("park card payment %s: %w", p.IntentID, err)
	}
	puts, err := s.eventPuts(events)
	if err != nil {
		return false, fmt.Errorf("park card payment %s: %w", p.IntentID, err)
	}
	tx := append([]types.TransactWriteItem{{Put: &types.Put{
		TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)"),
	}}}, puts...)
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("park card payment %s: %w", p.IntentID, err)
	}
	return true, nil
}

// GetParked reads the org's parked card payment of a payment intent.
func (s *Store) GetParked(ctx context.Context, orgID, intentID string) (*payment.Parked, error) {
	var it parkedItem
	found, err := s.get(ctx, orgPK(orgID), parkedSK(intentID), &it)
	if err != nil {
		return nil, fmt.Errorf("get parked card payment %s: %w", intentID, err)
	}
	if !found {
		return nil, fmt.Errorf("get parked card payment %s: %w", intentID, payment.ErrParkedNotFound)
	}
	return it.toParked()
}

// UpdateParked writes p back if its stored version is still p.Version,
// with events, in one transaction; else payment.ErrParkedConflict.
func (s *Store) UpdateParked(ctx context.Context, p *payment.Parked, events ...activity.Event) error {
	prev := p.Version
	p.Version++
	av, err := attributevalue.MarshalMap(parkedToItem(p))
	if err == nil {
		var puts []types.TransactWriteItem
		if puts, err = s.eventPuts(events); err == nil {
			tx := append([]types.TransactWriteItem{s.versionedTxPut(av, prev)}, puts...)
			_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
		}
	}
	if err != nil {
		p.Version = prev
		if isConditionFailed(err) {
			return fmt.Errorf("update parked card payment %s: %w", p.IntentID, payment.ErrParkedConflict)
		}
		return fmt.Errorf("update parked card payment %s: %w", p.IntentID, err)
	}
	return nil
}

// ListParked lists the org's parked card payments, newest first.
func (s *Store) ListParked(ctx context.Context, orgID string, limit int, cursor string) ([]*payment.Parked, string, error) {
	items, next, err := s.run(ctx, listQuery{org: orgID, index: indexGSI1, pk: parkedListPK(orgID), limit: limit, cursor: cursor})
	if err != nil {
		return nil, "", fmt.Errorf("list parked card payments: %w", err)
	}
	out := make([]*payment.Parked, 0, len(items))
	for _, av := range items {
		var it parkedItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, "", fmt.Errorf("list parked card payments: %w", err)
		}
		p, err := it.toParked()
		if err != nil {
			return nil, "", fmt.Errorf("list parked card payments: %w", err)
		}
		out = append(out, p)
	}
	return out, next, nil
}
