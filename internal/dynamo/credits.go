package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/money"
)

const seriesCredit = "credit"

func creditSK(id string) string { return "CRN#" + id }

type creditItem struct {
	PK, SK         string
	GSI1PK, GSI1SK string
	Type           string `dynamodbav:"type"`
	ID             string `dynamodbav:"id"`
	OrgID          string `dynamodbav:"orgId"`
	InvoiceID      string `dynamodbav:"invoiceId"`
	Invoice        string `dynamodbav:"invoiceNumber"`
	ClientID       string `dynamodbav:"clientId"`
	Amount         num    `dynamodbav:"amount"`
	Currency       string `dynamodbav:"currency"`
	Reason         string `dynamodbav:"reason"`
	Number         string `dynamodbav:"number"`
	Seq            int64  `dynamodbav:"seq"`
	CreatedAt      string `dynamodbav:"createdAt"`
}

// IssueCreditNote numbers a credit note from the org's credit series and
// writes it with the credited invoice, its ledger entry with the client's
// balances, and the events in one transaction, like finalization does for
// invoices.
func (s *Store) IssueCreditNote(ctx context.Context, orgID, invoiceID string,
	issue func(inv *invoice.Invoice, seq int64) (*credit.Note, []activity.Event, error)) (*credit.Note, error) {
	for attempt := 1; ; attempt++ {
		inv, err := s.GetInvoice(ctx, orgID, invoiceID)
		if err != nil {
			return nil, err
		}
		var counter seqItem
		if _, err := s.get(ctx, orgPK(orgID), seqSK(seriesCredit), &counter); err != nil {
			return nil, fmt.Errorf("issue credit note: %w", err)
		}
		c, err := s.GetClient(ctx, orgID, inv.Spec.ClientID)
		if err != nil {
			return nil, fmt.Errorf("issue credit note: %w", err)
		}
		before := *inv
		note, events, err := issue(inv, counter.Last+1)
		if err != nil {
			return nil, err
		}
		tx, err := s.invoiceWrites(inv, events)
		if err != nil {
			return nil, err
		}
		posts, err := s.postWrites(ctx, c, ledger.Diff(&before, inv, ledger.Doc{ID: note.ID, Number: note.Number}), note.CreatedAt)
		if err != nil {
			return nil, fmt.Errorf("issue credit note: %w", err)
		}
		tx = append(tx, posts...)
		av, err := attributevalue.MarshalMap(creditItem{
			PK: orgPK(orgID), SK: creditSK(note.ID), GSI1PK: invoiceActivityPK(orgID, invoiceID) + "#CRN", GSI1SK: note.ID,
			Type: "credit", ID: note.ID, OrgID: orgID, InvoiceID: invoiceID, Invoice: note.Invoice, ClientID: note.ClientID,
			Amount: toNum(note.Amount), Currency: inv.Spec.Currency.Code(), Reason: note.Reason, Number: note.Number,
			Seq: note.Seq, CreatedAt: ts(note.CreatedAt),
		})
		if err != nil {
			return nil, err
		}
		tx = append(tx,
			types.TransactWriteItem{Put: s.counterPut(orgID, seriesCredit, counter.Last)},
			types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		)
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
		if err == nil {
			return note, nil
		}
		if !isConditionFailed(err) {
			return nil, fmt.Errorf("issue credit note: %w", err)
		}
		if attempt == maxFinalizeAttempts {
			return nil, fmt.Errorf("issue credit note: %w", invoice.ErrConflict)
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// CreditNote reads one credit note.
func (s *Store) CreditNote(ctx context.Context, orgID, id string) (*credit.Note, error) {
	var it creditItem
	found, err := s.get(ctx, orgPK(orgID), creditSK(id), &it)
	if err != nil {
		return nil, fmt.Errorf("get credit note %s: %w", id, err)
	}
	if !found {
		return nil, fmt.Errorf("get credit note %s: %w", id, credit.ErrNotFound)
	}
	amt, err := fromNum("amount", it.Amount)
	if err != nil {
		return nil, err
	}
	cur, err := money.ParseCurrency(it.Currency)
	if err != nil {
		return nil, err
	}
	return &credit.Note{
		ID: it.ID, OrgID: it.OrgID, InvoiceID: it.InvoiceID, Invoice: it.Invoice, ClientID: it.ClientID,
		Amount: amt, Currency: cur, Reason: it.Reason, Number: it.Number, Seq: it.Seq, CreatedAt: fromTS(it.CreatedAt),
	}, nil
}
