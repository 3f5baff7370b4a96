package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/run"
)

// LoadNDISWork writes participants' work as it is (each client, plan,
// task and billable session, with their NDIS work index copies), 25 items
// to a BatchWriteItem, with no conditions and no events: for filling an
// empty org at the scale of a benchmark (bench/runstart), which would
// otherwise spend most of its time creating it one transaction at a time.
// Versions are written as given (1 for new work).
func (s *Store) LoadNDISWork(ctx context.Context, orgID string, works []run.Work) error {
	var items []map[string]types.AttributeValue
	add := func(src any, cli, kind, id string, keep []string) error {
		av, err := attributevalue.MarshalMap(src)
		if err != nil {
			return err
		}
		w, err := s.workCopy(src, orgID, cli, kind, id, keep)
		if err != nil {
			return err
		}
		items = append(items, av, w.Put.Item)
		return nil
	}
	for _, w := range works {
		c := w.Client
		if err := add(clientToItem(c), c.ID, workClient, "", clientWorkAttrs); err != nil {
			return fmt.Errorf("load NDIS work: %w", err)
		}
		if p := w.Plan; p != nil {
			it := planItem{PK: orgPK(orgID), SK: planSK(c.ID), Type: "ndisplan", ClientID: c.ID, Start: p.Start.String(),
				End: p.End.String(), Remoteness: string(p.Remoteness), Budgets: map[string]num{}, Version: p.Version, UpdatedAt: ts(p.UpdatedAt)}
			for k, v := range p.Budgets {
				it.Budgets[k] = toNum(v)
			}
			if err := add(it, c.ID, workPlan, "", nil); err != nil {
				return fmt.Errorf("load NDIS work: %w", err)
			}
		}
		for _, t := range w.Tasks {
			t.OrgID, t.ClientID = orgID, c.ID
			it := taskToItem(&t)
			if err := add(it, c.ID, workTask, t.ID, nil); err != nil {
				return fmt.Errorf("load NDIS work: %w", err)
			}
		}
		for _, ses := range w.Sessions {
			if err := add(sessionToItem(ses), c.ID, workSession, ses.ID, nil); err != nil {
				return fmt.Errorf("load NDIS work: %w", err)
			}
		}
	}
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
				return fmt.Errorf("load NDIS work: %w", err)
			}
			pending = res.UnprocessedItems
			if len(pending[s.table]) > 0 {
				if attempt == maxAttempts {
					return fmt.Errorf("load NDIS work: %d items left unprocessed", len(pending[s.table]))
				}
				if err := backoff(ctx, attempt); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
