package dynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/run"
)

// Re-claims of rejected NDIA claim lines (run.Reclaim), three items:
//
//	RECLAIM#<root>             the line's re-claim as it stands (one per original line)
//	RECLAIMQ#<root>            the same while queued: the next real run queries this prefix
//	RUNRECLAIM#<run>#<ref>     the re-claim as a run's file carries it (dry runs too), frozen
func reclaimSK(root string) string          { return "RECLAIM#" + root }
func reclaimQueueSK(root string) string     { return "RECLAIMQ#" + root }
func runReclaimSK(runID, ref string) string { return "RUNRECLAIM#" + runID + "#" + ref }
func runReclaimPrefix(runID string) string  { return "RUNRECLAIM#" + runID + "#" }
func reclaimKey(orgID, root string) map[string]types.AttributeValue {
	return key(orgPK(orgID), reclaimSK(root))
}

type reclaimItem struct {
	PK, SK     string
	Type       string `dynamodbav:"type"`
	Root       string `dynamodbav:"root"`
	Attempt    int    `dynamodbav:"attempt"`
	FromRun    string `dynamodbav:"fromRun"`
	FromRef    string `dynamodbav:"fromRef"`
	ClientID   string `dynamodbav:"clientId"`
	ClientName string `dynamodbav:"clientName,omitempty"`
	InvoiceID  string `dynamodbav:"invoiceId"`
	Number     string `dynamodbav:"number"`
	ClaimRef   string `dynamodbav:"claimRef"` // the claim's reference, also inside Claim: conditions name it
	Claim      string `dynamodbav:"claim"`    // JSON of claimJSON
	Billed     num    `dynamodbav:"billed"`
	State      string `dynamodbav:"state"`
	RunID      string `dynamodbav:"runId,omitempty"`
	Version    int64  `dynamodbav:"version"`
	UpdatedAt  string `dynamodbav:"updatedAt"`
}

func reclaimToItem(orgID, sk string, r *run.Reclaim) (map[string]types.AttributeValue, error) {
	c := r.Claim
	b, err := json.Marshal(claimJSON{Ref: c.Ref, TaskID: c.TaskID, SessionID: c.SessionID, Quantity: quantityJSON(c.Quantity), NDISNumber: c.NDISNumber, SupportItem: c.SupportItem,
		From: c.From.String(), To: c.To.String(), Minutes: c.Minutes, UnitPrice: c.UnitPrice.String(), Amount: c.Amount.String(),
		GSTCode: c.GSTCode, ClaimType: string(c.ClaimType), CancellationReason: c.CancellationReason})
	if err != nil {
		return nil, err
	}
	return attributevalue.MarshalMap(reclaimItem{PK: orgPK(orgID), SK: sk, Type: "reclaim", Root: r.Root, Attempt: r.Attempt,
		FromRun: r.FromRun, FromRef: r.FromRef, ClientID: r.ClientID, ClientName: r.ClientName, InvoiceID: r.InvoiceID,
		Number: r.Number, ClaimRef: c.Ref, Claim: string(b), Billed: toNum(r.Billed), State: string(r.State), RunID: r.RunID,
		Version: r.Version, UpdatedAt: ts(r.UpdatedAt)})
}

func (it reclaimItem) toReclaim() (*run.Reclaim, error) {
	var c claimJSON
	if err := json.Unmarshal([]byte(it.Claim), &c); err != nil {
		return nil, fmt.Errorf("re-claim %s: claim: %w", it.Root, err)
	}
	from, err := fromDate(c.From)
	if err != nil {
		return nil, err
	}
	to, err := fromDate(c.To)
	if err != nil {
		return nil, err
	}
	dec := func(field, s string) (decimal.Decimal, error) { return fromNum(field, num(s)) }
	r := &run.Reclaim{Root: it.Root, Attempt: it.Attempt, FromRun: it.FromRun, FromRef: it.FromRef, ClientID: it.ClientID,
		ClientName: it.ClientName, InvoiceID: it.InvoiceID, Number: it.Number, State: run.ReclaimState(it.State), RunID: it.RunID,
		Version: it.Version, UpdatedAt: fromTS(it.UpdatedAt),
		Claim: run.Claim{Ref: c.Ref, TaskID: c.TaskID, SessionID: c.SessionID, NDISNumber: c.NDISNumber, SupportItem: c.SupportItem, From: from, To: to,
			Minutes: c.Minutes, GSTCode: c.GSTCode, ClaimType: ndis.ClaimType(c.ClaimType), CancellationReason: c.CancellationReason}}
	if r.Claim.UnitPrice, err = dec("unitPrice", c.UnitPrice); err != nil {
		return nil, err
	}
	if r.Claim.Amount, err = dec("amount", c.Amount); err != nil {
		return nil, err
	}
	if c.Quantity != "" {
		if r.Claim.Quantity, err = dec("quantity", c.Quantity); err != nil {
			return nil, err
		}
	}
	if r.Billed, err = fromNum("billed", it.Billed); err != nil {
		return nil, err
	}
	return r, nil
}

// GetReclaim reads the re-claim of the line first claimed as root; nil
// when the line was never queued for re-claim.
func (s *Store) GetReclaim(ctx context.Context, orgID, root string) (*run.Reclaim, error) {
	var it reclaimItem
	found, err := s.get(ctx, orgPK(orgID), reclaimSK(root), &it)
	if err != nil {
		return nil, fmt.Errorf("get re-claim %s: %w", root, err)
	}
	if !found {
		return nil, nil
	}
	return it.toReclaim()
}

// QueueReclaim writes r (state queued) and its queue entry in one
// transaction, on condition that the line it re-claims is rejected on its
// run (run.ErrNotRejected) and the record is still at r.Version (0: new;
// run.ErrReclaimTaken when another request moved it). r.Version moves on.
func (s *Store) QueueReclaim(ctx context.Context, orgID string, r *run.Reclaim) error {
	prev := r.Version
	r.Version = prev + 1
	rec, err := reclaimToItem(orgID, reclaimSK(r.Root), r)
	if err != nil {
		return err
	}
	q, err := reclaimToItem(orgID, reclaimQueueSK(r.Root), r)
	if err != nil {
		return err
	}
	put := &types.Put{TableName: &s.table, Item: rec, ConditionExpression: aws.String("attribute_not_exists(PK)")}
	if prev > 0 {
		put.ConditionExpression = aws.String("version = :v")
		put.ExpressionAttributeValues = map[string]types.AttributeValue{":v": numAV(prev)}
	}
	err = s.transactRequest(ctx, orgID, r.Root, []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{TableName: &s.table, Key: key(orgPK(orgID), runLineSK(r.FromRun, r.FromRef)),
			ConditionExpression:       aws.String("#st = :rejected"),
			ExpressionAttributeNames:  map[string]string{"#st": "state"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":rejected": strAV(string(run.LineRejected))}}},
		{Put: put},
		{Put: &types.Put{TableName: &s.table, Item: q}},
	})
	switch {
	case err == nil:
		return nil
	case reasonFailed(err, 0):
		err = run.ErrNotRejected
	case reasonFailed(err, 1):
		err = run.ErrReclaimTaken
	}
	r.Version = prev
	return fmt.Errorf("queue re-claim of %s: %w", r.FromRef, err)
}

// QueuedReclaims are the org's re-claims waiting for a run, at most
// limit, oldest line first (by root).
func (s *Store) QueuedReclaims(ctx context.Context, orgID string, limit int) ([]*run.Reclaim, error) {
	return s.queryReclaims(ctx, orgID, reclaimQueueSK(""), limit)
}

// RunReclaims are the re-claims a run's file carries.
func (s *Store) RunReclaims(ctx context.Context, orgID, runID string) ([]*run.Reclaim, error) {
	return s.queryReclaims(ctx, orgID, runReclaimPrefix(runID), 0)
}

func (s *Store) queryReclaims(ctx context.Context, orgID, prefix string, limit int) ([]*run.Reclaim, error) {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName: &s.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :sk)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": strAV(orgPK(orgID)), ":sk": strAV(prefix)},
	})
	var out []*run.Reclaim
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("re-claims %s: %w", prefix, err)
		}
		for _, av := range page.Items {
			var it reclaimItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, err
			}
			r, err := it.toReclaim()
			if err != nil {
				return nil, err
			}
			out = append(out, r)
			if limit > 0 && len(out) == limit {
				return out, nil
			}
		}
	}
	return out, nil
}

// TakeReclaim puts a queued re-claim in a run's file: the run's copy
// (RUNRECLAIM) and its re-claim count, and for a real run the record
// moved to reclaimed in that run with its queue entry gone, all in one
// transaction on condition that the record is still queued at r.Version.
// It reports false when another run took it first (or it was corrected
// meanwhile: the next run takes the corrected line). A dry run writes its
// copy and count only, so the real run takes the same lines.
func (s *Store) TakeReclaim(ctx context.Context, orgID, runID string, dry bool, r *run.Reclaim, now time.Time) (bool, error) {
	taken := *r
	taken.State, taken.RunID, taken.UpdatedAt, taken.Version = run.ReclaimClaimed, runID, now, r.Version+1
	cp, err := reclaimToItem(orgID, runReclaimSK(runID, r.Claim.Ref), &taken)
	if err != nil {
		return false, err
	}
	tx := []types.TransactWriteItem{
		{Put: &types.Put{TableName: &s.table, Item: cp, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		{Update: &types.Update{TableName: &s.table, Key: key(orgPK(orgID), runSK(runID)), UpdateExpression: aws.String("ADD reclaims :one"),
			ConditionExpression: aws.String("attribute_exists(PK)"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": numAV(1)}}},
	}
	if !dry {
		rec, err := reclaimToItem(orgID, reclaimSK(r.Root), &taken)
		if err != nil {
			return false, err
		}
		tx = append(tx,
			types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: rec,
				ConditionExpression:       aws.String("#st = :queued AND version = :v"),
				ExpressionAttributeNames:  map[string]string{"#st": "state"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":queued": strAV(string(run.ReclaimQueued)), ":v": numAV(r.Version)}}},
			types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(orgPK(orgID), reclaimQueueSK(r.Root))}})
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
	switch {
	case err == nil:
		return true, nil
	case reasonFailed(err, 0), reasonFailed(err, 2):
		return false, nil
	}
	return false, fmt.Errorf("take re-claim %s into run %s: %w", r.Claim.Ref, runID, err)
}

// SetReclaimState records what the NDIA said about a re-claim (accepted,
// rejected, paid) if the record still stands at that run and reference
// (a later attempt is not moved back) and is not paid (final).
func (s *Store) SetReclaimState(ctx context.Context, orgID, root, runID, ref string, st run.ReclaimState, now time.Time) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: reclaimKey(orgID, root),
		UpdateExpression:         aws.String("SET #st = :st, updatedAt = :now ADD version :one"),
		ConditionExpression:      aws.String("runId = :run AND claimRef = :ref AND #st <> :paid"),
		ExpressionAttributeNames: map[string]string{"#st": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":st": strAV(string(st)), ":now": strAV(ts(now)), ":one": numAV(1),
			":run": strAV(runID), ":ref": strAV(ref), ":paid": strAV(string(run.ReclaimPaid))}})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("re-claim %s: %w", ref, err)
	}
	return nil
}
