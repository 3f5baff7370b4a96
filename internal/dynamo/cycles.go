package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/cycle"
	"github.com/carebill/carebill/internal/org"
)

func cycleSK(id string) string { return "CYCLE#" + id }

type cycleItem struct {
	PK, SK     string
	Type       string `dynamodbav:"type"`
	ID         string `dynamodbav:"id"`
	OrgID      string `dynamodbav:"orgId"`
	Start      string `dynamodbav:"start"`
	End        string `dynamodbav:"end"`
	Status     string `dynamodbav:"status"`
	Runner     string `dynamodbav:"runner,omitempty"`
	LeaseUntil int64  `dynamodbav:"leaseUntil"` // epoch ms
	Cursor     string `dynamodbav:"cursor,omitempty"`
	Statements int    `dynamodbav:"statements"`
	Skipped    int    `dynamodbav:"skipped"`
	StartedAt  string `dynamodbav:"startedAt"`
	ClosedAt   string `dynamodbav:"closedAt,omitempty"`
}

func (it cycleItem) toRun() (cycle.Run, error) {
	start, err := fromDate(it.Start)
	if err != nil {
		return cycle.Run{}, err
	}
	end, err := fromDate(it.End)
	if err != nil {
		return cycle.Run{}, err
	}
	return cycle.Run{
		OrgID: it.OrgID, Period: cycle.Period{Start: start, End: end}, Status: cycle.Status(it.Status),
		Runner: it.Runner, LeaseUntil: time.UnixMilli(it.LeaseUntil), Cursor: it.Cursor,
		Statements: it.Statements, Skipped: it.Skipped, StartedAt: fromTS(it.StartedAt), ClosedAt: fromTS(it.ClosedAt),
	}, nil
}

// DueOrgs lists the orgs whose next billing cycle is due to close at now,
// from the scheduler's sharded due index (never a Scan), at most limit.
func (s *Store) DueOrgs(ctx context.Context, now time.Time, limit int) ([]string, error) {
	var out []string
	upTo := cycleDueSK(now, "~") // "~" sorts after every org id
	for shard := 0; shard < cycleDueShards && len(out) < limit; shard++ {
		var start map[string]types.AttributeValue
		for len(out) < limit {
			res, err := s.db.Query(ctx, &dynamodb.QueryInput{
				TableName: &s.table, IndexName: aws.String(indexGSI2),
				KeyConditionExpression:    aws.String("GSI2PK = :pk AND GSI2SK <= :upto"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": strAV(fmt.Sprintf("CYCLEDUE#%d", shard)), ":upto": strAV(upTo)},
				ProjectionExpression:      aws.String("id"),
				Limit:                     aws.Int32(int32(min(limit-len(out), 100))),
				ExclusiveStartKey:         start,
			})
			if err != nil {
				return nil, fmt.Errorf("due orgs: %w", err)
			}
			for _, item := range res.Items {
				var it struct {
					ID string `dynamodbav:"id"`
				}
				if err := attributevalue.UnmarshalMap(item, &it); err != nil {
					return nil, err
				}
				out = append(out, it.ID)
			}
			if res.LastEvaluatedKey == nil {
				break
			}
			start = res.LastEvaluatedKey
		}
	}
	return out, nil
}

// ClaimCycle takes the lease on closing per for runner until leaseUntil:
// it creates the cycle's run record on the first claim and takes over an
// expired lease afterwards, keeping the cursor so the run resumes. Of two
// runs at once, one gets cycle.ErrBusy; a closed cycle gives cycle.ErrAlreadyClosed.
func (s *Store) ClaimCycle(ctx context.Context, orgID string, per cycle.Period, runner string, now, leaseUntil time.Time) (cycle.Run, error) {
	res, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: key(orgPK(orgID), cycleSK(per.ID())),
		UpdateExpression: aws.String("SET #type = :type, id = :id, orgId = :org, #start = :start, #end = :end, #status = if_not_exists(#status, :closing), " +
			"runner = :runner, leaseUntil = :lease, statements = if_not_exists(statements, :zero), skipped = if_not_exists(skipped, :zero), startedAt = if_not_exists(startedAt, :now)"),
		ConditionExpression:      aws.String("attribute_not_exists(PK) OR (#status <> :closed AND leaseUntil < :nowms)"),
		ExpressionAttributeNames: map[string]string{"#type": "type", "#start": "start", "#end": "end", "#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":type": strAV("cycle"), ":id": strAV(per.ID()), ":org": strAV(orgID), ":start": strAV(per.Start.String()), ":end": strAV(per.End.String()),
			":closing": strAV(string(cycle.Closing)), ":closed": strAV(string(cycle.Closed)), ":runner": strAV(runner),
			":lease": numAV(leaseUntil.UnixMilli()), ":zero": numAV(0), ":now": strAV(ts(now)), ":nowms": numAV(now.UnixMilli()),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if err != nil {
		if !isConditionFailed(err) {
			return cycle.Run{}, fmt.Errorf("claim cycle %s of %s: %w", per.ID(), orgID, err)
		}
		run, found, gerr := s.CycleRun(ctx, orgID, per.ID())
		if gerr != nil {
			return cycle.Run{}, gerr
		}
		if found && run.Status == cycle.Closed {
			return cycle.Run{}, fmt.Errorf("claim cycle %s of %s: %w", per.ID(), orgID, cycle.ErrAlreadyClosed)
		}
		return cycle.Run{}, fmt.Errorf("claim cycle %s of %s: %w", per.ID(), orgID, cycle.ErrBusy)
	}
	var it cycleItem
	if err := attributevalue.UnmarshalMap(res.Attributes, &it); err != nil {
		return cycle.Run{}, err
	}
	return it.toRun()
}

// CycleRun reads a cycle's run record.
func (s *Store) CycleRun(ctx context.Context, orgID, cycleID string) (cycle.Run, bool, error) {
	var it cycleItem
	found, err := s.get(ctx, orgPK(orgID), cycleSK(cycleID), &it)
	if err != nil || !found {
		return cycle.Run{}, false, err
	}
	run, err := it.toRun()
	return run, true, err
}

// ListCycleRuns lists an org's cycle records, newest first.
func (s *Store) ListCycleRuns(ctx context.Context, orgID string, limit int) ([]cycle.Run, error) {
	res, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName: &s.table, KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": strAV(orgPK(orgID)), ":sk": strAV("CYCLE#")},
		ScanIndexForward:          aws.Bool(false), Limit: aws.Int32(int32(limit)),
	})
	if err != nil {
		return nil, fmt.Errorf("list cycles of %s: %w", orgID, err)
	}
	out := make([]cycle.Run, 0, len(res.Items))
	for _, item := range res.Items {
		var it cycleItem
		if err := attributevalue.UnmarshalMap(item, &it); err != nil {
			return nil, err
		}
		run, err := it.toRun()
		if err != nil {
			return nil, err
		}
		out = append(out, run)
	}
	return out, nil
}

// SaveCycleProgress records a finished page of clients and extends the
// lease, only while runner still holds it.
func (s *Store) SaveCycleProgress(ctx context.Context, orgID, cycleID, runner, cursor string, statements, skipped int, leaseUntil time.Time) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: key(orgPK(orgID), cycleSK(cycleID)),
		UpdateExpression:         aws.String("SET #cursor = :cursor, leaseUntil = :lease ADD statements :st, skipped :sk"),
		ConditionExpression:      aws.String("runner = :runner AND #status = :closing"),
		ExpressionAttributeNames: map[string]string{"#cursor": "cursor", "#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":cursor": strAV(cursor), ":lease": numAV(leaseUntil.UnixMilli()), ":st": numAV(int64(statements)), ":sk": numAV(int64(skipped)),
			":runner": strAV(runner), ":closing": strAV(string(cycle.Closing)),
		},
	})
	if isConditionFailed(err) {
		return fmt.Errorf("save progress of cycle %s: %w", cycleID, cycle.ErrBusy)
	}
	if err != nil {
		return fmt.Errorf("save progress of cycle %s: %w", cycleID, err)
	}
	return nil
}

// FinishCycle marks the cycle closed and moves the org's closed-through
// date to its end (and so its place in the due index to the next cycle),
// in one transaction, while runner holds the lease.
func (s *Store) FinishCycle(ctx context.Context, orgID string, per cycle.Period, runner string, now time.Time) error {
	for attempt := 1; ; attempt++ {
		o, err := s.GetOrg(ctx, orgID)
		if err != nil {
			return err
		}
		if o.ClosedThrough.Before(per.End) {
			o.ClosedThrough = per.End
		}
		prev := o.Version
		o.Version++
		o.UpdatedAt = now
		av, err := attributevalue.MarshalMap(orgToItem(o))
		if err != nil {
			return err
		}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			s.versionedTxPut(av, prev),
			{Update: &types.Update{
				TableName: &s.table, Key: key(orgPK(orgID), cycleSK(per.ID())),
				UpdateExpression:         aws.String("SET #status = :closed, closedAt = :now REMOVE #cursor"),
				ConditionExpression:      aws.String("runner = :runner AND #status = :closing"),
				ExpressionAttributeNames: map[string]string{"#status": "status", "#cursor": "cursor"},
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":closed": strAV(string(cycle.Closed)), ":closing": strAV(string(cycle.Closing)), ":now": strAV(ts(now)), ":runner": strAV(runner),
				},
			}},
		}})
		if err == nil {
			return nil
		}
		if !isConditionFailed(err) {
			return fmt.Errorf("finish cycle %s of %s: %w", per.ID(), orgID, err)
		}
		run, _, gerr := s.CycleRun(ctx, orgID, per.ID())
		if gerr != nil {
			return gerr
		}
		if run.Runner != runner || run.Status != cycle.Closing {
			return fmt.Errorf("finish cycle %s of %s: %w", per.ID(), orgID, cycle.ErrBusy)
		}
		if attempt == maxAttempts { // the org changed under us each time
			return fmt.Errorf("finish cycle %s of %s: %w", per.ID(), orgID, org.ErrConflict)
		}
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

// AddCycleStatements moves a closed cycle's count of statements by n (a
// regeneration writes them outside the close run).
func (s *Store) AddCycleStatements(ctx context.Context, orgID, cycleID string, n int) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: key(orgPK(orgID), cycleSK(cycleID)),
		UpdateExpression:          aws.String("ADD statements :n"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": numAV(int64(n))},
	})
	if err != nil {
		return fmt.Errorf("count statements of cycle %s: %w", cycleID, err)
	}
	return nil
}
