package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/ndis"
)

func taskSK(id string) string              { return "TASK#" + id }
func clientTasksPK(org, cli string) string { return "ORG#" + org + "#CLIENT#" + cli + "#TASK" }
func planSK(cli string) string             { return "NDISPLAN#" + cli }
func priceLimitsSK() string                { return "NDISPRICES" }

type taskItem struct {
	PK, SK             string
	GSI1PK, GSI1SK     string
	Type               string `dynamodbav:"type"`
	ID                 string `dynamodbav:"id"`
	OrgID              string `dynamodbav:"orgId"`
	ClientID           string `dynamodbav:"clientId"`
	SupportItem        string `dynamodbav:"supportItem,omitempty"`
	Date               string `dynamodbav:"date"`
	Minutes            int    `dynamodbav:"minutes"`
	ClaimType          string `dynamodbav:"claimType,omitempty"`
	CancellationReason string `dynamodbav:"cancellationReason,omitempty"`
	Rate               num    `dynamodbav:"rate,omitempty"`
	Notes              string `dynamodbav:"notes,omitempty"`
	InvoiceID          string `dynamodbav:"invoiceId,omitempty"`
	Version            int64  `dynamodbav:"version"`
	CreatedAt          string `dynamodbav:"createdAt"`
}

func (it taskItem) toTask() (ndis.Task, error) {
	t := ndis.Task{ID: it.ID, OrgID: it.OrgID, ClientID: it.ClientID, SupportItem: it.SupportItem, Minutes: it.Minutes,
		ClaimType: ndis.ClaimType(it.ClaimType), CancellationReason: it.CancellationReason, Notes: it.Notes,
		InvoiceID: it.InvoiceID, Version: it.Version, CreatedAt: fromTS(it.CreatedAt)}
	var err error
	if t.Date, err = fromDate(it.Date); err != nil {
		return t, err
	}
	t.Rate, err = fromNum("rate", it.Rate)
	return t, err
}

func taskToItem(t *ndis.Task) taskItem {
	it := taskItem{
		PK: orgPK(t.OrgID), SK: taskSK(t.ID), GSI1PK: clientTasksPK(t.OrgID, t.ClientID), GSI1SK: t.Date.String() + "#" + t.ID,
		Type: "task", ID: t.ID, OrgID: t.OrgID, ClientID: t.ClientID, SupportItem: t.SupportItem, Date: t.Date.String(),
		Minutes: t.Minutes, ClaimType: string(t.ClaimType), CancellationReason: t.CancellationReason, Notes: t.Notes,
		InvoiceID: t.InvoiceID, Version: t.Version, CreatedAt: ts(t.CreatedAt),
	}
	if !t.Rate.IsZero() {
		it.Rate = toNum(t.Rate)
	}
	return it
}

// CreateTask stores a new task.
func (s *Store) CreateTask(ctx context.Context, t *ndis.Task) error {
	t.Version = 1
	it := taskToItem(t)
	// The task's NDIS work index copy goes in the same transaction.
	w, err := s.workCopy(it, t.OrgID, t.ClientID, workTask, t.ID, nil)
	if err == nil {
		err = s.createWith(ctx, t.OrgID, t.ID, it, nil, w)
	}
	if err != nil {
		return fmt.Errorf("create task %s: %w", t.ID, err)
	}
	return nil
}

// GetTask reads a task of org.
func (s *Store) GetTask(ctx context.Context, orgID, id string) (ndis.Task, error) {
	var it taskItem
	found, err := s.get(ctx, orgPK(orgID), taskSK(id), &it)
	if err != nil {
		return ndis.Task{}, fmt.Errorf("get task %s: %w", id, err)
	}
	if !found {
		return ndis.Task{}, fmt.Errorf("get task %s: %w", id, ndis.ErrTaskNotFound)
	}
	return it.toTask()
}

// ClientTasks calls each with a participant's tasks in date order, a page
// at a time (the budget alert needs the running total).
func (s *Store) ClientTasks(ctx context.Context, orgID, clientID string, each func([]ndis.Task) error) error {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName: &s.table, IndexName: strPtr(indexGSI1),
		KeyConditionExpression:    strPtr("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrGSI1PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": strAV(clientTasksPK(orgID, clientID))},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("tasks of %s: %w", clientID, err)
		}
		batch := make([]ndis.Task, 0, len(page.Items))
		for _, av := range page.Items {
			var it taskItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return fmt.Errorf("tasks of %s: %w", clientID, err)
			}
			t, err := it.toTask()
			if err != nil {
				return fmt.Errorf("tasks of %s: %w", clientID, err)
			}
			batch = append(batch, t)
		}
		if err := each(batch); err != nil {
			return err
		}
	}
	return nil
}

type planItem struct {
	PK, SK     string
	Type       string         `dynamodbav:"type"`
	ClientID   string         `dynamodbav:"clientId"`
	Start      string         `dynamodbav:"start"`
	End        string         `dynamodbav:"end"`
	Remoteness string         `dynamodbav:"remoteness"`
	Budgets    map[string]num `dynamodbav:"budgets"`
	Version    int64          `dynamodbav:"version"`
	UpdatedAt  string         `dynamodbav:"updatedAt"`
}

// PutPlan stores a participant's plan, conditioned on the version it
// replaces (0 = none yet).
func (s *Store) PutPlan(ctx context.Context, orgID string, p *ndis.Plan) error {
	it := planItem{PK: orgPK(orgID), SK: planSK(p.ClientID), Type: "ndisplan", ClientID: p.ClientID, Start: p.Start.String(),
		End: p.End.String(), Remoteness: string(p.Remoteness), Budgets: map[string]num{}, Version: p.Version + 1, UpdatedAt: ts(p.UpdatedAt)}
	for k, v := range p.Budgets {
		it.Budgets[k] = toNum(v)
	}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return fmt.Errorf("put plan of %s: %w", p.ClientID, err)
	}
	put := types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")}}
	if p.Version != 0 {
		put = s.versionedTxPut(av, p.Version)
	}
	w, err := s.workCopy(it, orgID, p.ClientID, workPlan, "", nil)
	if err != nil {
		return fmt.Errorf("put plan of %s: %w", p.ClientID, err)
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{put, w}})
	if isConditionFailed(err) {
		return fmt.Errorf("put plan of %s: %w", p.ClientID, ndis.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("put plan of %s: %w", p.ClientID, err)
	}
	p.Version++
	return nil
}

// GetPlan reads a participant's plan.
func (s *Store) GetPlan(ctx context.Context, orgID, clientID string) (*ndis.Plan, error) {
	var it planItem
	found, err := s.get(ctx, orgPK(orgID), planSK(clientID), &it)
	if err != nil {
		return nil, fmt.Errorf("get plan of %s: %w", clientID, err)
	}
	if !found {
		return nil, fmt.Errorf("get plan of %s: %w", clientID, ndis.ErrPlanNotFound)
	}
	return it.toPlan()
}

func (it planItem) toPlan() (*ndis.Plan, error) {
	p := &ndis.Plan{ClientID: it.ClientID, Remoteness: ndis.Remoteness(it.Remoteness), Budgets: map[string]decimal.Decimal{}, Version: it.Version, UpdatedAt: fromTS(it.UpdatedAt)}
	var err error
	if p.Start, err = fromDate(it.Start); err != nil {
		return nil, err
	}
	if p.End, err = fromDate(it.End); err != nil {
		return nil, err
	}
	for k, v := range it.Budgets {
		if p.Budgets[k], err = fromNum("budget", v); err != nil {
			return nil, err
		}
	}
	return p, nil
}

type priceLimitItem struct {
	SupportItem string `dynamodbav:"supportItem"`
	From        string `dynamodbav:"from"`
	National    num    `dynamodbav:"national"`
	Remote      num    `dynamodbav:"remote"`
	VeryRemote  num    `dynamodbav:"veryRemote"`
}

type priceListItem struct {
	PK, SK  string
	Type    string           `dynamodbav:"type"`
	Items   []priceLimitItem `dynamodbav:"items"`
	Version int64            `dynamodbav:"version"`
}

// PriceLimits reads the org's NDIS price limits and their version; an org
// that never loaded any gets the defaults at version 0.
func (s *Store) PriceLimits(ctx context.Context, orgID string) ([]ndis.PriceLimit, int64, error) {
	var it priceListItem
	found, err := s.get(ctx, orgPK(orgID), priceLimitsSK(), &it)
	if err != nil {
		return nil, 0, fmt.Errorf("price limits: %w", err)
	}
	if !found {
		return ndis.DefaultPriceLimits(), 0, nil
	}
	out := make([]ndis.PriceLimit, 0, len(it.Items))
	for _, pi := range it.Items {
		l := ndis.PriceLimit{SupportItem: pi.SupportItem}
		if l.From, err = fromDate(pi.From); err != nil {
			return nil, 0, err
		}
		for _, f := range []struct {
			dst *decimal.Decimal
			n   num
		}{{&l.National, pi.National}, {&l.Remote, pi.Remote}, {&l.VeryRemote, pi.VeryRemote}} {
			if *f.dst, err = fromNum("price limit", f.n); err != nil {
				return nil, 0, err
			}
		}
		out = append(out, l)
	}
	return out, it.Version, nil
}

// PutPriceLimits replaces the org's price limits if they are still at
// version (0 = the defaults, never stored).
func (s *Store) PutPriceLimits(ctx context.Context, orgID string, ls []ndis.PriceLimit, version int64) error {
	it := priceListItem{PK: orgPK(orgID), SK: priceLimitsSK(), Type: "ndisprices", Version: version + 1, Items: []priceLimitItem{}}
	for _, l := range ls {
		it.Items = append(it.Items, priceLimitItem{SupportItem: l.SupportItem, From: l.From.String(),
			National: toNum(l.National), Remote: toNum(l.Remote), VeryRemote: toNum(l.VeryRemote)})
	}
	var err error
	if version == 0 {
		err = s.putNew(ctx, it)
	} else {
		err = s.putVersioned(ctx, it, version)
	}
	if isConditionFailed(err) {
		return fmt.Errorf("put price limits: %w", ndis.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("put price limits: %w", err)
	}
	return nil
}
