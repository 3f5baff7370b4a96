package dynamo

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/session"
)

// The NDIS work index (keys: ndisWorkPK, ndisWorkSK) lets a run start and
// the dashboard judge every participant's alerts from one Query instead
// of a plan GetItem and a task Query per participant. Each index item is
// a copy of the item it stands for, written (or deleted) in the same
// TransactWriteItems as that item, so the two cannot disagree:
//
//	CLIENT  a participant's client facts (profile attributes), while the client has NDIS funding
//	PLAN    the participant's plan
//	TASK    every task, invoiced or not (invoiced ones count to the budget)
//	SES     a session while a run could bill it (run.BillableSession)
//	CLAIM   a run invoice's task and session ids (StartRunInvoice), so
//	        claiming 95 tasks adds one index write, not 95
//
// Copies hold facts, not verdicts: what depends on today or on the price
// limits is judged when the index is read (run.Build).
const (
	workClient  = "CLIENT"
	workPlan    = "PLAN"
	workTask    = "TASK"
	workSession = "SES"
	workClaim   = "CLAIM"
)

// workCopy is the index copy of a source item's attributes: the same
// attributes under the index key, without the source's keys and GSI
// attributes (or only keep, when given), typed "ndiswork".
func (s *Store) workCopy(src any, orgID, cli, kind, id string, keep []string) (types.TransactWriteItem, error) {
	av, err := attributevalue.MarshalMap(src)
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("NDIS work index copy: %w", err)
	}
	out := map[string]types.AttributeValue{}
	for k, v := range av {
		switch {
		case k == attrPK || k == attrSK || strings.HasPrefix(k, "GSI"):
		case keep == nil || slices.Contains(keep, k):
			out[k] = v
		}
	}
	out[attrPK], out[attrSK] = strAV(ndisWorkPK(orgID)), strAV(ndisWorkSK(cli, kind, id))
	// Its own type: a Scan for the source's type (the ledger backfill's
	// for clients) must not take a copy for the item.
	out["type"] = strAV("ndiswork")
	return types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: out}}, nil
}

func (s *Store) workDelete(orgID, cli, kind, id string) types.TransactWriteItem {
	return types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(ndisWorkPK(orgID), ndisWorkSK(cli, kind, id))}}
}

// clientWorkAttrs are what a participant's index copy keeps: the profile
// (what a run invoice and its alerts read), never the balances, which
// move without the profile.
var clientWorkAttrs = append([]string{"type", "id", "orgId", "version", "createdAt"}, clientProfileAttrs...)

// clientWork is a client write's index write: the copy while the client
// has NDIS funding, a delete when it had and no longer has, nothing for a
// client that was and is no participant.
func (s *Store) clientWork(c *client.Client, wasParticipant bool) ([]types.TransactWriteItem, error) {
	if c.Profile.Funding.Type == "" {
		if wasParticipant {
			return []types.TransactWriteItem{s.workDelete(c.OrgID, c.ID, workClient, "")}, nil
		}
		return nil, nil
	}
	w, err := s.workCopy(clientToItem(c), c.OrgID, c.ID, workClient, "", clientWorkAttrs)
	if err != nil {
		return nil, err
	}
	return []types.TransactWriteItem{w}, nil
}

// sessionWork is a session write's index write: the copy while a run
// could bill it, a delete when it could before the write, else nothing
// (a therapist's session costs no index write).
func (s *Store) sessionWork(ses *session.Session, wasBillable bool) ([]types.TransactWriteItem, error) {
	if !run.BillableSession(ses) {
		if wasBillable {
			return []types.TransactWriteItem{s.workDelete(ses.OrgID, ses.Spec.ClientID, workSession, ses.ID)}, nil
		}
		return nil, nil
	}
	w, err := s.workCopy(sessionToItem(ses), ses.OrgID, ses.Spec.ClientID, workSession, ses.ID, nil)
	if err != nil {
		return nil, err
	}
	return []types.TransactWriteItem{w}, nil
}

type claimWorkItem struct {
	PK, SK     string
	Type       string   `dynamodbav:"type"`
	InvoiceID  string   `dynamodbav:"invoiceId"`
	TaskIDs    []string `dynamodbav:"taskIds,omitempty,stringset"`
	SessionIDs []string `dynamodbav:"sessionIds,omitempty,stringset"`
}

// claimWork records, in the transaction that claims them, the tasks and
// sessions a run invoice takes: the index reads them as invoiced.
func (s *Store) claimWork(orgID, cli, invoiceID string, taskIDs, sessionIDs []string) (types.TransactWriteItem, error) {
	return s.workCopy(claimWorkItem{Type: "ndisclaim", InvoiceID: invoiceID, TaskIDs: taskIDs, SessionIDs: sessionIDs}, orgID, cli, workClaim, invoiceID, nil)
}

// workReadyPut marks an org's index complete.
func (s *Store) workReadyPut(orgID string) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: map[string]types.AttributeValue{
		attrPK: strAV(ndisWorkPK(orgID)), attrSK: strAV(ndisWorkReadySK()), "type": strAV("ndisworkready"),
	}}}
}

// NDISWork reads the org's NDIS work index, one consistent Query in 1 MB
// pages, and calls each with one participant's work at a time (run.Work:
// clients in id order, tasks by date, sessions by start). ready is false,
// and each is never called, when the org's index was never built (an org
// older than the index that the backfill has not reached: BuildNDISWork):
// read the items themselves instead.
func (s *Store) NDISWork(ctx context.Context, orgID string, each func(run.Work) error) (ready bool, err error) {
	// Consistent: a task recorded a moment ago is judged too.
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName: &s.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": strAV(ndisWorkPK(orgID))},
	})
	var acc workAcc
	first := true
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return false, fmt.Errorf("NDIS work of org %s: %w", orgID, err)
		}
		for _, av := range page.Items {
			sk := ""
			if v, ok := av[attrSK].(*types.AttributeValueMemberS); ok {
				sk = v.Value
			}
			if first {
				first = false
				if sk != ndisWorkReadySK() {
					return false, nil
				}
				continue
			}
			if err := acc.add(sk, av, each); err != nil {
				return true, fmt.Errorf("NDIS work of org %s: %w", orgID, err)
			}
		}
	}
	if first {
		return false, nil
	}
	if err := acc.flush(each); err != nil {
		return true, fmt.Errorf("NDIS work of org %s: %w", orgID, err)
	}
	return true, nil
}

// workAcc gathers one client's index items (they sort together).
type workAcc struct {
	cli      string
	work     run.Work
	claimed  map[string]string // task or session id → invoice id
	sessions []*session.Session
}

func (a *workAcc) add(sk string, av map[string]types.AttributeValue, each func(run.Work) error) error {
	rest, ok := strings.CutPrefix(sk, "C#")
	if !ok {
		return fmt.Errorf("index key %q", sk)
	}
	cli, rest, _ := strings.Cut(rest, "#")
	kind, _, _ := strings.Cut(rest, "#")
	if cli != a.cli {
		if err := a.flush(each); err != nil {
			return err
		}
		*a = workAcc{cli: cli, claimed: map[string]string{}}
	}
	switch kind {
	case workClient:
		var it clientItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return err
		}
		c, err := it.toClient()
		if err != nil {
			return err
		}
		a.work.Client = c
	case workPlan:
		var it planItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return err
		}
		p, err := it.toPlan()
		if err != nil {
			return err
		}
		a.work.Plan = p
	case workTask:
		var it taskItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return err
		}
		t, err := it.toTask()
		if err != nil {
			return err
		}
		a.work.Tasks = append(a.work.Tasks, t)
	case workSession:
		var it sessionItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return err
		}
		ses, err := it.toSession()
		if err != nil {
			return err
		}
		a.sessions = append(a.sessions, ses)
	case workClaim:
		var it claimWorkItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return err
		}
		for _, id := range append(slices.Clone(it.TaskIDs), it.SessionIDs...) {
			a.claimed[id] = it.InvoiceID
		}
	default:
		return fmt.Errorf("index key %q", sk)
	}
	return nil
}

// flush hands over the gathered participant: claimed tasks read as
// invoiced, claimed sessions are no longer billable; a client without a
// CLIENT copy (no NDIS funding) is no participant and is skipped.
func (a *workAcc) flush(each func(run.Work) error) error {
	if a.cli == "" || a.work.Client == nil {
		return nil
	}
	for i, t := range a.work.Tasks {
		if inv, ok := a.claimed[t.ID]; ok && t.InvoiceID == "" {
			a.work.Tasks[i].InvoiceID = inv
		}
	}
	slices.SortStableFunc(a.work.Tasks, func(x, y ndis.Task) int {
		return strings.Compare(x.Date.String()+"#"+x.ID, y.Date.String()+"#"+y.ID)
	})
	for _, ses := range a.sessions {
		if _, ok := a.claimed[ses.ID]; !ok {
			a.work.Sessions = append(a.work.Sessions, ses)
		}
	}
	slices.SortStableFunc(a.work.Sessions, func(x, y *session.Session) int {
		return strings.Compare(sessionStartKey(x.Spec.Start, x.ID), sessionStartKey(y.Spec.Start, y.ID))
	})
	return each(a.work)
}
