package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/session"
)

// Building the NDIS work index of an org created before it (an admin's
// one-off: infra/backfill -only ndiswork; never a request path, which
// reads the items themselves until the index is ready). Every copy is
// written in a transaction with a check that its source is still at the
// version read, so a write racing the backfill (which keeps the index
// itself) is never overwritten by an older copy; a source that moved is
// read again.

// UnindexedOrgs pages, with a Scan of the whole table, the ids of the
// orgs whose NDIS work index is not built. The cursor is the last org id
// of the page ("" starts; a returned "" means done).
func (s *Store) UnindexedOrgs(ctx context.Context, cursor string) ([]string, string, error) {
	in := &dynamodb.ScanInput{
		TableName: &s.table, Limit: aws.Int32(500),
		FilterExpression:          aws.String("#type = :org"),
		ExpressionAttributeNames:  map[string]string{"#type": "type"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":org": strAV("org")},
	}
	if cursor != "" {
		in.ExclusiveStartKey = key(orgPK(cursor), profileSK())
	}
	res, err := s.db.Scan(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("unindexed orgs: %w", err)
	}
	var out []string
	for _, av := range res.Items {
		var it struct{ ID string }
		if v, ok := av["id"].(*types.AttributeValueMemberS); ok {
			it.ID = v.Value
		}
		ready, err := s.NDISWorkReady(ctx, it.ID)
		if err != nil {
			return nil, "", err
		}
		if !ready {
			out = append(out, it.ID)
		}
	}
	next := ""
	if lk := res.LastEvaluatedKey; lk != nil {
		// A Scan page may end on any item: restart after its org.
		pk := lk[attrPK].(*types.AttributeValueMemberS).Value
		next, _, _ = strings.Cut(strings.TrimPrefix(pk, "ORG#"), "#")
	}
	return out, next, nil
}

// NDISWorkReady reports whether the org's NDIS work index is complete.
func (s *Store) NDISWorkReady(ctx context.Context, orgID string) (bool, error) {
	var it struct{ PK string }
	found, err := s.get(ctx, ndisWorkPK(orgID), ndisWorkReadySK(), &it)
	if err != nil {
		return false, fmt.Errorf("NDIS work index of %s: %w", orgID, err)
	}
	return found, nil
}

// BuildNDISWork copies every client's NDIS facts, plan, tasks and
// billable sessions of the org into its NDIS work index and then marks it
// ready. It is idempotent and resumable: run again, it rewrites nothing
// newer than what it reads. It returns the copies written.
func (s *Store) BuildNDISWork(ctx context.Context, orgID string) (int, error) {
	n := 0
	for cursor := ""; ; {
		page, next, err := s.ListClients(ctx, orgID, "", 200, cursor)
		if err != nil {
			return n, fmt.Errorf("build NDIS work of %s: %w", orgID, err)
		}
		for _, c := range page {
			m, err := s.buildClientWork(ctx, c)
			n += m
			if err != nil {
				return n, fmt.Errorf("build NDIS work of %s client %s: %w", orgID, c.ID, err)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{s.workReadyPut(orgID)}}); err != nil {
		return n, fmt.Errorf("build NDIS work of %s: %w", orgID, err)
	}
	return n, nil
}

// buildClientWork copies one client's facts, plan, tasks and billable
// sessions (tasks and plans of any client: one may gain NDIS funding).
func (s *Store) buildClientWork(ctx context.Context, c *client.Client) (int, error) {
	n := 0
	org, cli := c.OrgID, c.ID
	written, err := s.copyWork(ctx, orgPK(org), clientSK(cli), func() (any, int64, bool, error) {
		c, err := s.GetClient(ctx, org, cli)
		if errors.Is(err, client.ErrNotFound) || (err == nil && c.Profile.Funding.Type == "") {
			return nil, 0, false, nil
		}
		if err != nil {
			return nil, 0, false, err
		}
		return clientToItem(c), c.Version, true, nil
	}, org, cli, workClient, "", clientWorkAttrs)
	if err != nil {
		return n, err
	}
	n += written
	written, err = s.copyWork(ctx, orgPK(org), planSK(cli), func() (any, int64, bool, error) {
		var it planItem
		found, err := s.get(ctx, orgPK(org), planSK(cli), &it)
		return it, it.Version, found, err
	}, org, cli, workPlan, "", nil)
	if err != nil {
		return n, err
	}
	n += written
	var tasks []ndis.Task
	if err := s.ClientTasks(ctx, org, cli, func(ts []ndis.Task) error { tasks = append(tasks, ts...); return nil }); err != nil {
		return n, err
	}
	for _, t := range tasks {
		written, err := s.copyWork(ctx, orgPK(org), taskSK(t.ID), func() (any, int64, bool, error) {
			var it taskItem
			found, err := s.get(ctx, orgPK(org), taskSK(t.ID), &it)
			return it, it.Version, found, err
		}, org, cli, workTask, t.ID, nil)
		if err != nil {
			return n, err
		}
		n += written
	}
	for cursor := ""; ; {
		page, next, err := s.ListSessions(ctx, org, cli, time.Unix(0, 0), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), 200, cursor)
		if err != nil {
			return n, err
		}
		for _, ses := range page {
			if !run.BillableSession(ses) {
				continue
			}
			written, err := s.copyWork(ctx, orgPK(org), sessionSK(ses.ID), func() (any, int64, bool, error) {
				cur, err := s.GetSession(ctx, org, ses.ID)
				if errors.Is(err, session.ErrNotFound) || (err == nil && !run.BillableSession(cur)) {
					return nil, 0, false, nil
				}
				if err != nil {
					return nil, 0, false, err
				}
				return sessionToItem(cur), cur.Version, true, nil
			}, org, cli, workSession, ses.ID, nil)
			if err != nil {
				return n, err
			}
			n += written
		}
		if next == "" {
			return n, nil
		}
		cursor = next
	}
}

// copyWork writes the index copy of the source item read, on condition
// the source is still at the version read and no newer copy exists; a
// source that moved since is read again (its own write kept the index,
// but a claim moves a task's version without rewriting its copy). read
// reports found false when nothing is to be copied.
func (s *Store) copyWork(ctx context.Context, pk, sk string, read func() (any, int64, bool, error), org, cli, kind, id string, keep []string) (int, error) {
	for attempt := 0; attempt < 5; attempt++ {
		src, version, found, err := read()
		if err != nil || !found {
			return 0, err
		}
		w, err := s.workCopy(src, org, cli, kind, id, keep)
		if err != nil {
			return 0, err
		}
		names := map[string]string{"#v": "version"}
		values := map[string]types.AttributeValue{":v": numAV(version)}
		w.Put.ConditionExpression = aws.String("attribute_not_exists(PK) OR #v < :v")
		w.Put.ExpressionAttributeNames, w.Put.ExpressionAttributeValues = names, values
		check := types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: &s.table, Key: key(pk, sk),
			ConditionExpression: aws.String("#v = :v"), ExpressionAttributeNames: names, ExpressionAttributeValues: values}}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{check, w}})
		switch {
		case err == nil:
			return 1, nil
		case reasonFailed(err, 0):
			continue
		case reasonFailed(err, 1):
			return 0, nil // a newer copy is there already
		default:
			return 0, err
		}
	}
	return 0, fmt.Errorf("copy %s: it kept changing while read", sk)
}
