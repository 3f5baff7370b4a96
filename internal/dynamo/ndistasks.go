package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/ndis"
)

// uninvoicedAt conditions a task write on the version read and on no
// invoice having claimed the task since (StartRunInvoice sets invoiceId).
const uninvoicedAt = "#v = :prev AND attribute_not_exists(invoiceId)"

// UpdateTask applies change to an uninvoiced task and writes it back with
// its NDIS work index copy in one transaction, conditioned on the version
// read and the task still being uninvoiced (retried on a race). The
// participant is not changed (the task's keys name it). Errors:
// ndis.ErrTaskNotFound, ndis.ErrTaskInvoiced, ndis.ErrConflict, or
// change's own.
func (s *Store) UpdateTask(ctx context.Context, orgID, id string, change func(*ndis.Task) error) (ndis.Task, error) {
	var t ndis.Task
	err := optimistic(ctx, fmt.Errorf("update task %s: %w", id, ndis.ErrConflict), func() error {
		var err error
		if t, err = s.GetTask(ctx, orgID, id); err != nil {
			return err
		}
		if t.InvoiceID != "" {
			return fmt.Errorf("update task %s: %w", id, ndis.ErrTaskInvoiced)
		}
		cli, prev := t.ClientID, t.Version
		if err := change(&t); err != nil {
			return err
		}
		t.ID, t.OrgID, t.ClientID, t.InvoiceID, t.Version = id, orgID, cli, "", prev+1
		it := taskToItem(&t)
		av, err := attributevalue.MarshalMap(it)
		if err != nil {
			return fmt.Errorf("update task %s: %w", id, err)
		}
		w, err := s.workCopy(it, orgID, cli, workTask, id, nil)
		if err != nil {
			return fmt.Errorf("update task %s: %w", id, err)
		}
		put := s.versionedTxPut(av, prev)
		put.Put.ConditionExpression = aws.String(uninvoicedAt)
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{put, w}})
		return err
	})
	if err != nil {
		return ndis.Task{}, err
	}
	return t, nil
}

// DeleteTask deletes an uninvoiced task and its NDIS work index copy in
// one transaction, conditioned as UpdateTask. Errors:
// ndis.ErrTaskNotFound, ndis.ErrTaskInvoiced, ndis.ErrConflict.
func (s *Store) DeleteTask(ctx context.Context, orgID, id string) error {
	return optimistic(ctx, fmt.Errorf("delete task %s: %w", id, ndis.ErrConflict), func() error {
		t, err := s.GetTask(ctx, orgID, id)
		if err != nil {
			return err
		}
		if t.InvoiceID != "" {
			return fmt.Errorf("delete task %s: %w", id, ndis.ErrTaskInvoiced)
		}
		del := types.TransactWriteItem{Delete: &types.Delete{
			TableName: &s.table, Key: taskKey(orgID, id),
			ConditionExpression:       aws.String(uninvoicedAt),
			ExpressionAttributeNames:  map[string]string{"#v": "version"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":prev": numAV(t.Version)},
		}}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
			TransactItems: []types.TransactWriteItem{del, s.workDelete(orgID, t.ClientID, workTask, id)},
		})
		return err
	})
}
