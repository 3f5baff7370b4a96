package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
)

func deliverySK(id string) string { return "DLV#" + id }
func invoiceDeliveriesPK(org, inv string) string {
	return "ORG#" + org + "#INV#" + inv + "#DLV"
}

type deliveryItem struct {
	PK, SK         string
	GSI1PK, GSI1SK string
	Type           string `dynamodbav:"type"`
	ID             string `dynamodbav:"id"`
	OrgID          string `dynamodbav:"orgId"`
	Kind           string `dynamodbav:"kind,omitempty"`
	PaymentID      string `dynamodbav:"paymentId,omitempty"`
	InvoiceID      string `dynamodbav:"invoiceId"`
	Number         string `dynamodbav:"number,omitempty"`
	ClientID       string `dynamodbav:"clientId"`
	ClientName     string `dynamodbav:"clientName,omitempty"`
	Channel        string `dynamodbav:"channel"`
	Recipient      string `dynamodbav:"recipient"`
	ReplyTo        string `dynamodbav:"replyTo,omitempty"`
	Subject        string `dynamodbav:"subject,omitempty"`
	Body           string `dynamodbav:"body,omitempty"`
	Step           string `dynamodbav:"step,omitempty"`
	StatementID    string `dynamodbav:"statementId,omitempty"`
	PayLinkURL     string `dynamodbav:"payLinkUrl,omitempty"`
	Status         string `dynamodbav:"status"`
	Attempts       int    `dynamodbav:"attempts"`
	LastError      string `dynamodbav:"lastError,omitempty"`
	ProviderID     string `dynamodbav:"providerId,omitempty"`
	LeaseUntil     string `dynamodbav:"leaseUntil,omitempty"`
	Version        int64  `dynamodbav:"version"`
	CreatedAt      string `dynamodbav:"createdAt"`
	UpdatedAt      string `dynamodbav:"updatedAt"`
	SentAt         string `dynamodbav:"sentAt,omitempty"`
}

func deliveryToItem(d *delivery.Delivery) deliveryItem {
	gsi1 := invoiceDeliveriesPK(d.OrgID, d.InvoiceID)
	if d.Kind == delivery.ReceiptKind {
		gsi1 = paymentDeliveriesPK(d.OrgID, d.PaymentID)
	}
	if d.StatementID != "" {
		gsi1 = statementDeliveriesPK(d.OrgID, d.StatementID)
	}
	return deliveryItem{
		PK: orgPK(d.OrgID), SK: deliverySK(d.ID), GSI1PK: gsi1, GSI1SK: d.ID, StatementID: d.StatementID,
		Type: "delivery", ID: d.ID, OrgID: d.OrgID, Kind: string(d.Kind), PaymentID: d.PaymentID, InvoiceID: d.InvoiceID, Number: d.Number,
		ClientID: d.ClientID, ClientName: d.ClientName, Channel: string(d.Channel), Recipient: d.Recipient,
		ReplyTo: d.ReplyTo, Subject: d.Subject, Body: d.Body, Step: d.Step, PayLinkURL: d.PayLinkURL, Status: string(d.Status),
		Attempts: d.Attempts, LastError: d.LastError, ProviderID: d.ProviderID, LeaseUntil: ts(d.LeaseUntil),
		Version: d.Version, CreatedAt: ts(d.CreatedAt), UpdatedAt: ts(d.UpdatedAt), SentAt: ts(d.SentAt),
	}
}

func (it deliveryItem) toDelivery() *delivery.Delivery {
	return &delivery.Delivery{
		ID: it.ID, OrgID: it.OrgID, Kind: delivery.Kind(it.Kind), PaymentID: it.PaymentID, InvoiceID: it.InvoiceID, Number: it.Number, ClientID: it.ClientID,
		ClientName: it.ClientName, Channel: delivery.Channel(it.Channel), Recipient: it.Recipient,
		ReplyTo: it.ReplyTo, Subject: it.Subject, Body: it.Body, Step: it.Step, StatementID: it.StatementID, PayLinkURL: it.PayLinkURL,
		Status: delivery.Status(it.Status), Attempts: it.Attempts, LastError: it.LastError, ProviderID: it.ProviderID,
		LeaseUntil: fromTS(it.LeaseUntil), Version: it.Version,
		CreatedAt: fromTS(it.CreatedAt), UpdatedAt: fromTS(it.UpdatedAt), SentAt: fromTS(it.SentAt),
	}
}

// SendInvoice stores a send: send marks the invoice sent and returns one
// new delivery per channel with their "sent" events; the invoice (on the
// version read), the deliveries and the events are written in one
// TransactWriteItems, so a send is recorded whole or not at all. A lost
// race with another change re-reads and retries.
func (s *Store) SendInvoice(ctx context.Context, orgID, invoiceID string, send func(*invoice.Invoice) ([]*delivery.Delivery, []activity.Event, error)) (*invoice.Invoice, error) {
	for attempt := 1; ; attempt++ {
		inv, err := s.GetInvoice(ctx, orgID, invoiceID)
		if err != nil {
			return nil, err
		}
		before := *inv
		ds, events, err := send(inv)
		if err != nil {
			return nil, err
		}
		if len(ledger.Diff(&before, inv, ledger.Doc{})) > 0 {
			return nil, fmt.Errorf("send invoice %s: sending must not move money", invoiceID)
		}
		tx, err := s.invoiceWrites(inv, events)
		if err != nil {
			return nil, fmt.Errorf("send invoice %s: %w", invoiceID, err)
		}
		for _, d := range ds {
			d.Version = 1
			av, err := attributevalue.MarshalMap(deliveryToItem(d))
			if err != nil {
				return nil, fmt.Errorf("send invoice %s: %w", invoiceID, err)
			}
			tx = append(tx, types.TransactWriteItem{Put: &types.Put{
				TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)"),
			}})
		}
		err = s.transactRequest(ctx, orgID, invoiceID, tx, deliveryIDs(ds)...)
		if err == nil {
			return inv, nil
		}
		if !isConditionFailed(err) {
			return nil, fmt.Errorf("send invoice %s: %w", invoiceID, err)
		}
		if attempt == maxAttempts {
			return nil, fmt.Errorf("send invoice %s: %w", invoiceID, invoice.ErrConflict)
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// GetDelivery reads a delivery of org.
func (s *Store) GetDelivery(ctx context.Context, orgID, id string) (*delivery.Delivery, error) {
	var it deliveryItem
	found, err := s.get(ctx, orgPK(orgID), deliverySK(id), &it)
	if err != nil {
		return nil, fmt.Errorf("get delivery %s: %w", id, err)
	}
	if !found {
		return nil, fmt.Errorf("get delivery %s: %w", id, delivery.ErrNotFound)
	}
	return it.toDelivery(), nil
}

// UpdateDelivery writes d back if its stored version is still d.Version,
// bumping it, together with events in one transaction. A worker that lost
// the race gets delivery.ErrConflict and d unchanged in storage.
func (s *Store) UpdateDelivery(ctx context.Context, d *delivery.Delivery, events ...activity.Event) error {
	prev := d.Version
	d.Version++
	av, err := attributevalue.MarshalMap(deliveryToItem(d))
	if err != nil {
		d.Version = prev
		return fmt.Errorf("update delivery %s: %w", d.ID, err)
	}
	if len(events) == 0 {
		_, err = s.db.PutItem(ctx, versionedPut(s.table, av, prev))
	} else {
		var puts []types.TransactWriteItem
		if puts, err = s.eventPuts(events); err != nil {
			d.Version = prev
			return fmt.Errorf("update delivery %s: %w", d.ID, err)
		}
		tx := append([]types.TransactWriteItem{s.versionedTxPut(av, prev)}, puts...)
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
	}
	if err != nil {
		d.Version = prev
		if isConditionFailed(err) {
			return fmt.Errorf("update delivery %s: %w", d.ID, delivery.ErrConflict)
		}
		return fmt.Errorf("update delivery %s: %w", d.ID, err)
	}
	return nil
}

// ListDeliveries lists an invoice's deliveries, newest first.
func (s *Store) ListDeliveries(ctx context.Context, orgID, invoiceID string, limit int, cursor string) ([]*delivery.Delivery, string, error) {
	items, next, err := s.run(ctx, listQuery{org: orgID, index: indexGSI1, pk: invoiceDeliveriesPK(orgID, invoiceID), limit: limit, cursor: cursor})
	if err != nil {
		return nil, "", fmt.Errorf("list deliveries: %w", err)
	}
	out := make([]*delivery.Delivery, 0, len(items))
	for _, av := range items {
		var it deliveryItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, "", fmt.Errorf("list deliveries: %w", err)
		}
		out = append(out, it.toDelivery())
	}
	return out, next, nil
}

// deliveryIDs are the ids of ds, for a send's request marker.
func deliveryIDs(ds []*delivery.Delivery) []string {
	ids := make([]string, 0, len(ds))
	for _, d := range ds {
		ids = append(ids, d.ID)
	}
	return ids
}
