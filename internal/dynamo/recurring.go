package dynamo

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/recurring"
)

func chargeSK(id string) string              { return "REC#" + id }
func clientChargesPK(org, cli string) string { return "ORG#" + org + "#CLIENT#" + cli + "#REC" }

// recurringDueShards spreads the schedule's index of charges to bill.
const recurringDueShards = 8

// recurringDuePK is the schedule's partition for an org's charges: like
// cycleDuePK, read only by the cycle-close function, never on a request.
func recurringDuePK(org string) string {
	h := fnv.New32a()
	h.Write([]byte(org))
	return "RECURDUE#" + strconv.Itoa(int(h.Sum32()%recurringDueShards))
}

type chargeItem struct {
	PK, SK         string
	GSI1PK, GSI1SK string
	// GSI2PK/GSI2SK put an active charge (not paused, not finished) in the
	// schedule's due index, by its next occurrence; absent otherwise.
	GSI2PK, GSI2SK string `dynamodbav:",omitempty"`
	Type           string `dynamodbav:"type"`
	ID             string `dynamodbav:"id"`
	OrgID          string `dynamodbav:"orgId"`
	ClientID       string `dynamodbav:"clientId"`
	Description    string `dynamodbav:"description"`
	Amount         num    `dynamodbav:"amount"`
	TaxRate        *num   `dynamodbav:"taxRate,omitempty"`
	Frequency      string `dynamodbav:"frequency"`
	Weekday        int    `dynamodbav:"weekday"`
	DayOfMonth     int    `dynamodbav:"dayOfMonth,omitempty"`
	Start          string `dynamodbav:"start"`
	End            string `dynamodbav:"end,omitempty"`
	Count          int    `dynamodbav:"count,omitempty"`
	Paused         bool   `dynamodbav:"paused,omitempty"`
	Billed         int    `dynamodbav:"billed"`
	Next           string `dynamodbav:"next,omitempty"`
	LastDate       string `dynamodbav:"lastDate,omitempty"`
	LastInvoiceID  string `dynamodbav:"lastInvoiceId,omitempty"`
	PendingDate    string `dynamodbav:"pendingDate,omitempty"`
	PendingInvoice string `dynamodbav:"pendingInvoiceId,omitempty"`
	Version        int64  `dynamodbav:"version"`
	CreatedAt      string `dynamodbav:"createdAt"`
	UpdatedAt      string `dynamodbav:"updatedAt"`
}

func chargeToItem(c *recurring.Charge) chargeItem {
	sp := c.Spec
	it := chargeItem{
		PK: orgPK(c.OrgID), SK: chargeSK(c.ID), GSI1PK: clientChargesPK(c.OrgID, sp.ClientID), GSI1SK: c.ID,
		Type: "recurring", ID: c.ID, OrgID: c.OrgID, ClientID: sp.ClientID, Description: sp.Description, Amount: toNum(sp.Amount),
		Frequency: string(sp.Frequency), Weekday: int(sp.Weekday), DayOfMonth: sp.DayOfMonth, Start: sp.Start.String(), Count: sp.Count,
		Paused: c.Paused, Billed: c.Billed, LastDate: c.LastBill.Date.String(), LastInvoiceID: c.LastBill.InvoiceID,
		PendingDate: c.Pending.Date.String(), PendingInvoice: c.Pending.InvoiceID,
		Version: c.Version, CreatedAt: ts(c.CreatedAt), UpdatedAt: ts(c.UpdatedAt),
	}
	if !sp.End.IsZero() {
		it.End = sp.End.String()
	}
	if !c.Next.IsZero() {
		it.Next = c.Next.String()
		if !c.Paused {
			it.GSI2PK, it.GSI2SK = recurringDuePK(c.OrgID), it.Next+"#"+c.OrgID+"#"+c.ID
		}
	}
	if sp.TaxRate != nil {
		n := toNum(*sp.TaxRate)
		it.TaxRate = &n
	}
	return it
}

func (it chargeItem) toCharge() (*recurring.Charge, error) {
	c := &recurring.Charge{ID: it.ID, OrgID: it.OrgID, Paused: it.Paused, Billed: it.Billed, Version: it.Version,
		CreatedAt: fromTS(it.CreatedAt), UpdatedAt: fromTS(it.UpdatedAt),
		Spec: recurring.Spec{ClientID: it.ClientID, Description: it.Description, Frequency: recurring.Frequency(it.Frequency),
			Weekday: time.Weekday(it.Weekday), DayOfMonth: it.DayOfMonth, Count: it.Count}}
	var err error
	if c.Spec.Amount, err = fromNum("amount", it.Amount); err != nil {
		return nil, err
	}
	if it.TaxRate != nil {
		r, err := fromNum("taxRate", *it.TaxRate)
		if err != nil {
			return nil, err
		}
		c.Spec.TaxRate = &r
	}
	for _, f := range []struct {
		stored string
		dst    *calendar.Date
	}{{it.Start, &c.Spec.Start}, {it.End, &c.Spec.End}, {it.Next, &c.Next}, {it.LastDate, &c.LastBill.Date}, {it.PendingDate, &c.Pending.Date}} {
		if *f.dst, err = fromDate(f.stored); err != nil {
			return nil, fmt.Errorf("recurring charge %s: %w", it.ID, err)
		}
	}
	c.LastBill.InvoiceID, c.Pending.InvoiceID = it.LastInvoiceID, it.PendingInvoice
	return c, nil
}

// CreateCharge stores a new recurring charge.
func (s *Store) CreateCharge(ctx context.Context, c *recurring.Charge) error {
	c.Version = 1
	if err := s.putNewRequest(ctx, c.OrgID, c.ID, chargeToItem(c)); err != nil {
		return fmt.Errorf("create recurring charge %s: %w", c.ID, err)
	}
	return nil
}

// GetCharge reads one of the org's recurring charges.
func (s *Store) GetCharge(ctx context.Context, orgID, id string) (*recurring.Charge, error) {
	var it chargeItem
	found, err := s.get(ctx, orgPK(orgID), chargeSK(id), &it)
	if err != nil {
		return nil, fmt.Errorf("get recurring charge %s: %w", id, err)
	}
	if !found {
		return nil, fmt.Errorf("get recurring charge %s: %w", id, recurring.ErrNotFound)
	}
	return it.toCharge()
}

// DeleteCharge removes a recurring charge (the invoices it made stay).
func (s *Store) DeleteCharge(ctx context.Context, orgID, id string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: &s.table, Key: key(orgPK(orgID), chargeSK(id)), ConditionExpression: aws.String("attribute_exists(PK)"),
	})
	if isConditionFailed(err) {
		return fmt.Errorf("delete recurring charge %s: %w", id, recurring.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("delete recurring charge %s: %w", id, err)
	}
	return nil
}

// UpdateCharge applies change and, when it reports a change, writes the
// charge back conditioned on the version read, retrying a lost race.
func (s *Store) UpdateCharge(ctx context.Context, orgID, id string, change func(*recurring.Charge) (bool, error)) (*recurring.Charge, error) {
	for attempt := 1; ; attempt++ {
		c, err := s.GetCharge(ctx, orgID, id)
		if err != nil {
			return nil, err
		}
		changed, err := change(c)
		if err != nil || !changed {
			return c, err
		}
		prev := c.Version
		c.Version++
		err = s.putVersioned(ctx, chargeToItem(c), prev)
		if err == nil {
			return c, nil
		}
		if !isConditionFailed(err) {
			return nil, fmt.Errorf("update recurring charge %s: %w", id, err)
		}
		if attempt == maxAttempts {
			return nil, fmt.Errorf("update recurring charge %s: %w", id, recurring.ErrConflict)
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// UpdateChargeAndDraft applies change to a charge and a draft invoice and
// writes both in one TransactWriteItems, each conditioned on its version:
// an occurrence's line lands on the draft exactly when the charge moves on.
func (s *Store) UpdateChargeAndDraft(ctx context.Context, orgID, chargeID, invoiceID string, change func(*recurring.Charge, *invoice.Invoice) (bool, error)) (*recurring.Charge, *invoice.Invoice, error) {
	for attempt := 1; ; attempt++ {
		c, err := s.GetCharge(ctx, orgID, chargeID)
		if err != nil {
			return nil, nil, err
		}
		inv, err := s.GetInvoice(ctx, orgID, invoiceID)
		if err != nil {
			return nil, nil, err
		}
		changed, err := change(c, inv)
		if err != nil || !changed {
			return c, inv, err
		}
		prevC, prevI := c.Version, inv.Version
		c.Version++
		inv.Version++
		cav, err := attributevalue.MarshalMap(chargeToItem(c))
		if err != nil {
			return nil, nil, fmt.Errorf("update recurring charge %s and draft %s: %w", chargeID, invoiceID, err)
		}
		iav, err := attributevalue.MarshalMap(invoiceToItem(inv))
		if err != nil {
			return nil, nil, fmt.Errorf("update recurring charge %s and draft %s: %w", chargeID, invoiceID, err)
		}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			s.versionedTxPut(cav, prevC), s.versionedTxPut(iav, prevI),
		}})
		if err == nil {
			return c, inv, nil
		}
		if !isConditionFailed(err) {
			return nil, nil, fmt.Errorf("update recurring charge %s and draft %s: %w", chargeID, invoiceID, err)
		}
		if attempt == maxAttempts {
			return nil, nil, fmt.Errorf("update recurring charge %s and draft %s: %w", chargeID, invoiceID, recurring.ErrConflict)
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, nil, err
		}
	}
}

// ClientCharges lists a client's recurring charges, oldest first (at most
// 200: a client has a handful).
func (s *Store) ClientCharges(ctx context.Context, orgID, clientID string) ([]*recurring.Charge, error) {
	items, _, err := s.run(ctx, listQuery{org: orgID, index: indexGSI1, pk: clientChargesPK(orgID, clientID), forward: true, limit: MaxPageSize})
	if err != nil {
		return nil, fmt.Errorf("list recurring charges: %w", err)
	}
	out := make([]*recurring.Charge, 0, len(items))
	for _, av := range items {
		var it chargeItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, fmt.Errorf("list recurring charges: %w", err)
		}
		c, err := it.toCharge()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// DueCharges lists active charges whose next occurrence is on or before
// upTo (YYYY-MM-DD), from the sharded due index (never a Scan), at most
// limit, oldest occurrence first within each shard.
func (s *Store) DueCharges(ctx context.Context, upTo string, limit int) ([]recurring.Ref, error) {
	var out []recurring.Ref
	for shard := 0; shard < recurringDueShards && len(out) < limit; shard++ {
		var start map[string]types.AttributeValue
		for len(out) < limit {
			res, err := s.db.Query(ctx, &dynamodb.QueryInput{
				TableName: &s.table, IndexName: aws.String(indexGSI2),
				KeyConditionExpression:    aws.String("GSI2PK = :pk AND GSI2SK <= :upto"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": strAV(fmt.Sprintf("RECURDUE#%d", shard)), ":upto": strAV(upTo + "#~")},
				ProjectionExpression:      aws.String("id, orgId"),
				Limit:                     aws.Int32(int32(min(limit-len(out), 100))),
				ExclusiveStartKey:         start,
			})
			if err != nil {
				return nil, fmt.Errorf("due recurring charges: %w", err)
			}
			for _, item := range res.Items {
				var it struct {
					ID    string `dynamodbav:"id"`
					OrgID string `dynamodbav:"orgId"`
				}
				if err := attributevalue.UnmarshalMap(item, &it); err != nil {
					return nil, err
				}
				out = append(out, recurring.Ref{OrgID: it.OrgID, ID: it.ID})
			}
			if res.LastEvaluatedKey == nil {
				break
			}
			start = res.LastEvaluatedKey
		}
	}
	return out, nil
}
