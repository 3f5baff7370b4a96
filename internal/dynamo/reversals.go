package dynamo

import (
	"context"
	"fmt"
	"github.com/shopspring/decimal"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/payment"
)

// ChangePayment takes money back out of a recorded payment (a reversal or
// a refund). It reads the payment, its client and the invoices it is
// allocated to, lets change apply the domain change and name the ledger
// entries it implies, and writes the payment (on the version read), every
// invoice it changed (on theirs), the entries with the client's balances
// and the events in one transaction; a lost race re-reads and retries.
func (s *Store) ChangePayment(ctx context.Context, orgID, id string,
	change func(c *client.Client, p *payment.Payment, invoices map[string]*invoice.Invoice) ([]ledger.Entry, []activity.Event, error)) (*payment.Payment, error) {
	for attempt := 1; ; attempt++ {
		p, err := s.GetPayment(ctx, orgID, id)
		if err != nil {
			return nil, err
		}
		c, err := s.GetClient(ctx, orgID, p.Input.ClientID)
		if err != nil {
			return nil, fmt.Errorf("change payment %s: %w", id, err)
		}
		invoices := map[string]*invoice.Invoice{}
		versions := map[string]int64{}
		for _, a := range p.Allocations {
			inv, err := s.GetInvoice(ctx, orgID, a.InvoiceID)
			if err != nil {
				return nil, fmt.Errorf("change payment %s: %w", id, err)
			}
			invoices[inv.ID], versions[inv.ID] = inv, inv.Version
		}
		paidBefore := map[string]decimal.Decimal{}
		for id, inv := range invoices {
			paidBefore[id] = inv.Paid()
		}
		entries, events, err := change(c, p, invoices)
		if err != nil {
			return nil, err
		}
		paidAfter := map[string]decimal.Decimal{}
		for id, inv := range invoices {
			paidAfter[id] = inv.Paid()
		}
		if splits := ledger.PaidSplits(paidBefore, paidAfter); len(entries) == 1 {
			entries[0].Splits = splits
		}
		put, err := s.paymentPut(p, p.Version)
		if err != nil {
			return nil, err
		}
		tx := []types.TransactWriteItem{put}
		for invID, inv := range invoices {
			inv.Version = versions[invID]
			w, err := s.invoiceWrites(inv, nil)
			if err != nil {
				return nil, err
			}
			tx = append(tx, w...)
		}
		posts, err := s.postWrites(ctx, c, entries, p.UpdatedAt())
		if err != nil {
			return nil, fmt.Errorf("change payment %s: %w", id, err)
		}
		tx = append(tx, posts...)
		puts, err := s.eventPuts(events)
		if err != nil {
			return nil, err
		}
		tx = append(tx, puts...)
		err = s.transactRequest(ctx, orgID, id, tx)
		if err == nil {
			return p, nil
		}
		if !isConditionFailed(err) {
			return nil, fmt.Errorf("change payment %s: %w", id, err)
		}
		if attempt == maxAttempts {
			return nil, fmt.Errorf("change payment %s: %w", id, payment.ErrConflict)
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// VoidCreditNote lets void mark a credit note void and take its amount
// back off its invoice; the note (on condition it was not void), the
// invoice (on its version), the ledger entry with the client's balances
// and the events are written in one transaction.
func (s *Store) VoidCreditNote(ctx context.Context, orgID, id string,
	void func(n *credit.Note, inv *invoice.Invoice) ([]activity.Event, error)) (*credit.Note, error) {
	var n *credit.Note
	err := optimistic(ctx, fmt.Errorf("void credit note %s: %w", id, invoice.ErrConflict), func() error {
		var err error
		if n, err = s.CreditNote(ctx, orgID, id); err != nil {
			return err
		}
		inv, err := s.GetInvoice(ctx, orgID, n.InvoiceID)
		if err != nil {
			return fmt.Errorf("void credit note %s: %w", id, err)
		}
		c, err := s.GetClient(ctx, orgID, inv.Spec.ClientID)
		if err != nil {
			return fmt.Errorf("void credit note %s: %w", id, err)
		}
		before := *inv
		events, err := void(n, inv)
		if err != nil {
			return err
		}
		tx, err := s.invoiceWrites(inv, events)
		if err != nil {
			return err
		}
		posts, err := s.postWrites(ctx, c, ledger.Diff(&before, inv, ledger.Doc{ID: n.ID, Number: n.Number}), n.VoidedAt)
		if err != nil {
			return fmt.Errorf("void credit note %s: %w", id, err)
		}
		tx = append(tx, posts...)
		tx = append(tx, types.TransactWriteItem{Update: &types.Update{
			TableName: &s.table, Key: key(orgPK(orgID), creditSK(id)),
			UpdateExpression:          aws.String("SET voidedAt = :at, voidReason = :why"),
			ConditionExpression:       aws.String("attribute_exists(PK) AND attribute_not_exists(voidedAt)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":at": strAV(ts(n.VoidedAt)), ":why": strAV(n.VoidReason)},
		}})
		if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx}); err != nil {
			return fmt.Errorf("void credit note %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// paymentPut writes back a payment read at version prev (0: recorded and
// never changed since), bumping its version.
func (s *Store) paymentPut(p *payment.Payment, prev int64) (types.TransactWriteItem, error) {
	p.Version = prev + 1
	av, err := attributevalue.MarshalMap(paymentToItem(p))
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	put := &types.Put{TableName: &s.table, Item: av, ExpressionAttributeNames: map[string]string{"#v": "version"}}
	if prev == 0 {
		put.ConditionExpression = aws.String("attribute_exists(PK) AND attribute_not_exists(#v)")
	} else {
		put.ConditionExpression = aws.String("#v = :prev")
		put.ExpressionAttributeValues = map[string]types.AttributeValue{":prev": numAV(prev)}
	}
	return types.TransactWriteItem{Put: put}, nil
}
