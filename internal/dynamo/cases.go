package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/cases"
	"github.com/carebill/carebill/internal/money"
)

func caseSK(id string) string                   { return "CASE#" + id }
func casesByStatusPK(org, status string) string { return "ORG#" + org + "#CASES#" + status }
func clientCasesPK(org, cli string) string      { return "ORG#" + org + "#CLIENT#" + cli + "#CASE" }
func caseStatsSK(status cases.Status) string    { return "CASESTATS#" + string(status) }

type productItem struct {
	Description  string `dynamodbav:"description"`
	Manufacturer string `dynamodbav:"manufacturer"`
	Lot          string `dynamodbav:"lot,omitempty"`
	Quantity     num    `dynamodbav:"quantity"`
	Rate         num    `dynamodbav:"rate"`
	Discount     num    `dynamodbav:"discount,omitempty"`
}

type billedItem struct {
	InvoiceID    string `dynamodbav:"invoiceId"`
	Manufacturer string `dynamodbav:"manufacturer,omitempty"`
	PO           string `dynamodbav:"po"`
}

type caseItem struct {
	PK, SK             string
	GSI1PK, GSI1SK     string
	GSI2PK, GSI2SK     string
	Type               string            `dynamodbav:"type"`
	ID                 string            `dynamodbav:"id"`
	OrgID              string            `dynamodbav:"orgId"`
	ClientID           string            `dynamodbav:"clientId"`
	Doctor             string            `dynamodbav:"doctor"`
	Patient            string            `dynamodbav:"patient,omitempty"`
	EventDate          string            `dynamodbav:"eventDate"`
	Products           []productItem     `dynamodbav:"products"`
	BillingNotes       string            `dynamodbav:"billingNotes,omitempty"`
	Currency           string            `dynamodbav:"currency"`
	POAll              string            `dynamodbav:"poAll,omitempty"`
	POByManufacturer   map[string]string `dynamodbav:"poByManufacturer,omitempty"`
	Status             string            `dynamodbav:"status"`
	Value              num               `dynamodbav:"value"`
	Invoices           []billedItem      `dynamodbav:"invoices,omitempty"`
	CommissionPaid     bool              `dynamodbav:"commissionPaid"`
	CommissionPaidDate string            `dynamodbav:"commissionPaidDate,omitempty"`
	Version            int64             `dynamodbav:"version"`
	CreatedAt          string            `dynamodbav:"createdAt"`
	UpdatedAt          string            `dynamodbav:"updatedAt"`
}

func caseToItem(c *cases.Case) caseItem {
	sp := c.Spec
	sk := sp.EventDate.String() + "#" + c.ID
	it := caseItem{
		PK: orgPK(c.OrgID), SK: caseSK(c.ID),
		GSI1PK: clientCasesPK(c.OrgID, sp.ClientID), GSI1SK: sk,
		GSI2PK: casesByStatusPK(c.OrgID, string(c.Status)), GSI2SK: sk,
		Type: "case", ID: c.ID, OrgID: c.OrgID, ClientID: sp.ClientID, Doctor: sp.Doctor, Patient: sp.Patient,
		EventDate: sp.EventDate.String(), BillingNotes: sp.BillingNotes, Currency: c.Currency.Code(),
		POAll: c.POs.All, POByManufacturer: c.POs.ByManufacturer, Status: string(c.Status), Value: toNum(c.Value()),
		CommissionPaid: c.CommissionPaid, CommissionPaidDate: c.CommissionPaidDate.String(),
		Version: c.Version, CreatedAt: ts(c.CreatedAt), UpdatedAt: ts(c.UpdatedAt),
	}
	for _, p := range sp.Products {
		pi := productItem{Description: p.Description, Manufacturer: p.Manufacturer, Lot: p.Lot, Quantity: toNum(p.Quantity), Rate: toNum(p.Rate)}
		if !p.Discount.IsZero() {
			pi.Discount = toNum(p.Discount)
		}
		it.Products = append(it.Products, pi)
	}
	for _, b := range c.Invoices {
		it.Invoices = append(it.Invoices, billedItem(b))
	}
	return it
}

func (it caseItem) toCase() (*cases.Case, error) {
	cur, err := money.ParseCurrency(it.Currency)
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", it.ID, err)
	}
	c := &cases.Case{
		ID: it.ID, OrgID: it.OrgID, Currency: cur, Status: cases.Status(it.Status), CommissionPaid: it.CommissionPaid,
		POs:     cases.POs{All: it.POAll, ByManufacturer: it.POByManufacturer},
		Version: it.Version, CreatedAt: fromTS(it.CreatedAt), UpdatedAt: fromTS(it.UpdatedAt),
		Spec: cases.Spec{ClientID: it.ClientID, Doctor: it.Doctor, Patient: it.Patient, BillingNotes: it.BillingNotes},
	}
	if c.Spec.EventDate, err = fromDate(it.EventDate); err != nil {
		return nil, err
	}
	if c.CommissionPaidDate, err = fromDate(it.CommissionPaidDate); err != nil {
		return nil, err
	}
	for _, pi := range it.Products {
		p := cases.Product{Description: pi.Description, Manufacturer: pi.Manufacturer, Lot: pi.Lot}
		if p.Quantity, err = fromNum("quantity", pi.Quantity); err != nil {
			return nil, err
		}
		if p.Rate, err = fromNum("rate", pi.Rate); err != nil {
			return nil, err
		}
		if p.Discount, err = fromNum("discount", pi.Discount); err != nil {
			return nil, err
		}
		c.Spec.Products = append(c.Spec.Products, p)
	}
	for _, b := range it.Invoices {
		c.Invoices = append(c.Invoices, cases.Billed(b))
	}
	return c, nil
}

// pendingPO is what a case adds to the org's pending-PO totals.
func pendingPO(c *cases.Case) (int64, decimal.Decimal) {
	if c == nil || c.Status != cases.PendingPO {
		return 0, decimal.Zero
	}
	return 1, c.Value()
}

// caseWrites stores c (prev is the version read, 0 for a new case) and
// moves the org's pending-PO count and value by what changed, in one
// transaction: the dashboard's totals never drift from the cases.
func (s *Store) caseWrites(before, c *cases.Case, prev int64) ([]types.TransactWriteItem, error) {
	av, err := attributevalue.MarshalMap(caseToItem(c))
	if err != nil {
		return nil, err
	}
	var tx []types.TransactWriteItem
	if prev == 0 {
		tx = append(tx, types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	} else {
		tx = append(tx, s.versionedTxPut(av, prev))
	}
	n0, v0 := pendingPO(before)
	n1, v1 := pendingPO(c)
	if n0 != n1 || !v0.Equal(v1) {
		tx = append(tx, types.TransactWriteItem{Update: &types.Update{
			TableName: &s.table, Key: key(orgPK(c.OrgID), caseStatsSK(cases.PendingPO)),
			UpdateExpression:         aws.String("ADD #n :n, #v :v"),
			ExpressionAttributeNames: map[string]string{"#n": "count", "#v": "value"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":n": numAV(n1 - n0), ":v": &types.AttributeValueMemberN{Value: v1.Sub(v0).String()},
			},
		}})
	}
	return tx, nil
}

// CreateCase stores a new case.
func (s *Store) CreateCase(ctx context.Context, c *cases.Case) error {
	c.Version = 1
	tx, err := s.caseWrites(nil, c, 0)
	if err == nil {
		err = s.transactRequest(ctx, c.OrgID, c.ID, tx)
	}
	if err != nil {
		return fmt.Errorf("create case %s: %w", c.ID, err)
	}
	return nil
}

// GetCase reads a case of org.
func (s *Store) GetCase(ctx context.Context, orgID, id string) (*cases.Case, error) {
	var it caseItem
	found, err := s.get(ctx, orgPK(orgID), caseSK(id), &it)
	if err != nil {
		return nil, fmt.Errorf("get case %s: %w", id, err)
	}
	if !found {
		return nil, fmt.Errorf("get case %s: %w", id, cases.ErrNotFound)
	}
	return it.toCase()
}

// UpdateCase applies change and, when it reports a change, writes the
// case conditioned on the version read, with the pending-PO totals; a
// lost race re-reads and runs change again.
func (s *Store) UpdateCase(ctx context.Context, orgID, id string, change func(*cases.Case) (bool, error)) (*cases.Case, error) {
	var c *cases.Case
	err := optimistic(ctx, fmt.Errorf("update case %s: %w", id, cases.ErrConflict), func() error {
		before, err := s.GetCase(ctx, orgID, id)
		if err != nil {
			return err
		}
		c, _ = caseItem(caseToItem(before)).toCase() // a copy to change
		changed, err := change(c)
		if err != nil || !changed {
			return err
		}
		prev := c.Version
		c.Version++
		tx, err := s.caseWrites(before, c, prev)
		if err == nil {
			_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
		}
		if err != nil {
			return fmt.Errorf("update case %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ListCases lists the org's cases in one status, oldest event first.
func (s *Store) ListCases(ctx context.Context, orgID string, status cases.Status, limit int, cursor string) ([]*cases.Case, string, error) {
	items, next, err := s.run(ctx, listQuery{org: orgID, index: indexGSI2, pk: casesByStatusPK(orgID, string(status)), forward: true, limit: limit, cursor: cursor})
	if err != nil {
		return nil, "", fmt.Errorf("list cases: %w", err)
	}
	out := make([]*cases.Case, 0, len(items))
	for _, av := range items {
		var it caseItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, "", fmt.Errorf("list cases: %w", err)
		}
		c, err := it.toCase()
		if err != nil {
			return nil, "", fmt.Errorf("list cases: %w", err)
		}
		out = append(out, c)
	}
	return out, next, nil
}

// PendingPOTotals are the org's cases pending their PO: how many and
// their value before tax, kept by every case write's transaction.
func (s *Store) PendingPOTotals(ctx context.Context, orgID string) (int64, decimal.Decimal, error) {
	var it struct {
		Count int64 `dynamodbav:"count"`
		Value num   `dynamodbav:"value"`
	}
	if _, err := s.get(ctx, orgPK(orgID), caseStatsSK(cases.PendingPO), &it); err != nil {
		return 0, decimal.Zero, fmt.Errorf("pending PO totals: %w", err)
	}
	v, err := fromNum("value", it.Value)
	return it.Count, v, err
}
