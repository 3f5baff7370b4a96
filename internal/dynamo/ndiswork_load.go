package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/run"
)

// LoadNDISWork writes participants' work as it is (each client, plan,
// task and billable session, with their NDIS work index copies), 25 items
// to a BatchWriteItem, with no conditions and no events: for filling an
// empty org at the scale of a benchmark (bench/runstart, bench/runs), which would
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
	if err := s.putBatches(ctx, items); err != nil {
		return fmt.Errorf("load NDIS work: %w", err)
	}
	return nil
}
