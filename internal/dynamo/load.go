package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
)

// LoadHistory writes clients (with their ledger accounts), invoices and
// ledger entries as they are, 25 items to a BatchWriteItem, with no
// conditions and no events: for filling an empty org with a history built
// by the domain packages (benchmarks of scale, which would otherwise spend
// hours creating it one use case at a time). Each client's balances and
// sequence must already be what its entries sum to (ledger.Post keeps them
// so); nothing here checks it.
func (s *Store) LoadHistory(ctx context.Context, clients []*client.Client, invoices []*invoice.Invoice, entries []ledger.Entry) error {
	var items []map[string]types.AttributeValue
	for _, c := range clients {
		it := clientToItem(c)
		it.Balances = map[string]balanceItem{}
		for cur, b := range c.Account.Balances {
			it.Balances[cur.Code()] = balanceItem{Owing: toNum(b.Owing), Credit: toNum(b.Credit)}
		}
		av, err := attributevalue.MarshalMap(it)
		if err != nil {
			return err
		}
		items = append(items, av)
	}
	for _, inv := range invoices {
		av, err := attributevalue.MarshalMap(invoiceToItem(inv))
		if err != nil {
			return err
		}
		items = append(items, av)
	}
	for _, e := range entries {
		av, err := attributevalue.MarshalMap(ledgerToItem(e))
		if err != nil {
			return err
		}
		items = append(items, av)
	}
	if err := s.putBatches(ctx, items); err != nil {
		return fmt.Errorf("load history: %w", err)
	}
	return nil
}

// putBatches writes items unconditionally, 25 to a BatchWriteItem,
// resubmitting what DynamoDB leaves unprocessed (up to maxAttempts times,
// with backoff).
func (s *Store) putBatches(ctx context.Context, items []map[string]types.AttributeValue) error {
	for len(items) > 0 {
		n := min(25, len(items))
		reqs := make([]types.WriteRequest, 0, n)
		for _, av := range items[:n] {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: av}})
		}
		items = items[n:]
		pending := map[string][]types.WriteRequest{s.table: reqs}
		for attempt := 1; len(pending[s.table]) > 0; attempt++ {
			res, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return err
			}
			pending = res.UnprocessedItems
			if len(pending[s.table]) > 0 {
				if attempt == maxAttempts {
					return fmt.Errorf("%d items left unprocessed", len(pending[s.table]))
				}
				if err := backoff(ctx, attempt); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
