package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/ndis"
)

// LoadParticipants writes new NDIS participants of org (clients), their
// plans and their tasks as CreateClient, PutPlan and CreateTask would
// store them (version 1, no events), 25 items to a BatchWriteItem with no
// conditions: for filling an empty org at scale (bench/runs, whose
// 10,000 participants × 4 tasks would otherwise take 60,000 conditional
// writes). Nothing checks that an item is new; ids must be fresh.
func (s *Store) LoadParticipants(ctx context.Context, orgID string, clients []*client.Client, plans []*ndis.Plan, tasks []*ndis.Task) error {
	items := make([]any, 0, len(clients)+len(plans)+len(tasks))
	for _, c := range clients {
		c.Version = 1
		items = append(items, clientToItem(c))
	}
	for _, p := range plans {
		it := planItem{PK: orgPK(orgID), SK: planSK(p.ClientID), Type: "ndisplan", ClientID: p.ClientID, Start: p.Start.String(),
			End: p.End.String(), Remoteness: string(p.Remoteness), Budgets: map[string]num{}, Version: 1, UpdatedAt: ts(p.UpdatedAt)}
		for k, v := range p.Budgets {
			it.Budgets[k] = toNum(v)
		}
		p.Version = 1
		items = append(items, it)
	}
	for _, t := range tasks {
		t.Version = 1
		it := taskItem{
			PK: orgPK(t.OrgID), SK: taskSK(t.ID), GSI1PK: clientTasksPK(t.OrgID, t.ClientID), GSI1SK: t.Date.String() + "#" + t.ID,
			Type: "task", ID: t.ID, OrgID: t.OrgID, ClientID: t.ClientID, SupportItem: t.SupportItem, Date: t.Date.String(),
			Minutes: t.Minutes, ClaimType: string(t.ClaimType), CancellationReason: t.CancellationReason, Notes: t.Notes,
			Version: t.Version, CreatedAt: ts(t.CreatedAt),
		}
		if !t.Rate.IsZero() {
			it.Rate = toNum(t.Rate)
		}
		items = append(items, it)
	}
	avs := make([]map[string]types.AttributeValue, 0, len(items))
	for _, it := range items {
		av, err := attributevalue.MarshalMap(it)
		if err != nil {
			return fmt.Errorf("load participants: %w", err)
		}
		avs = append(avs, av)
	}
	if err := s.putBatches(ctx, avs); err != nil {
		return fmt.Errorf("load participants: %w", err)
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
