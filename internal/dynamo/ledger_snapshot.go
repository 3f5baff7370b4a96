package dynamo

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/statement"
)

func ledgerSnapshotSK(cli string) string { return "LEDGERSNAP#" + cli }

// clientLedgerPK is the GSI1 partition of one client's ledger entries
// (GSI1SK: posting date and sequence, as the table's sort key). The close
// reads a client's entries there: one small partition per client rather
// than a range of the org's partition, which every client's close would
// otherwise share.
func clientLedgerPK(org, cli string) string { return "ORG#" + org + "#CLIENT#" + cli + "#LEDGER" }

// ledgerSnapshot is a client's ledger folded as at a cycle's end, written
// at each close, so the next close reads only the entries since: the
// entries with seq ≤ Seq and effective date ≤ AsAt are in it; every other
// entry was posted on or after From (the posting date of entry Seq, or of
// the earliest of the Pending entries posted by then but dated after
// AsAt).
type ledgerSnapshot struct {
	AsAt     calendar.Date
	Seq      int64
	From     calendar.Date
	Pending  int // entries with seq ≤ Seq dated after AsAt
	Balance  decimal.Decimal
	Credit   decimal.Decimal
	Open     map[string]snapshotInvoice // every invoice with a nonzero balance at AsAt
	Currency string
}

type snapshotInvoice struct {
	statement.Invoice
	Owing decimal.Decimal
}

type snapshotItem struct {
	PK, SK   string
	Type     string             `dynamodbav:"type"`
	AsAt     string             `dynamodbav:"asAt"`
	Seq      int64              `dynamodbav:"seq"`
	From     string             `dynamodbav:"from"`
	Pending  int                `dynamodbav:"pending"`
	Balance  num                `dynamodbav:"balance"`
	Credit   num                `dynamodbav:"credit"`
	Currency string             `dynamodbav:"currency,omitempty"`
	Open     []snapshotOpenItem `dynamodbav:"open"`
}

type snapshotOpenItem struct {
	ID     string `dynamodbav:"id"`
	Number string `dynamodbav:"number,omitempty"`
	Name   string `dynamodbav:"name,omitempty"`
	Issue  string `dynamodbav:"issue,omitempty"`
	Due    string `dynamodbav:"due,omitempty"`
	Total  num    `dynamodbav:"total"`
	Owing  num    `dynamodbav:"owing"`
}

// getSnapshot reads c's snapshot; nil when there is none.
func (s *Store) getSnapshot(ctx context.Context, c *client.Client) (*ledgerSnapshot, error) {
	var it snapshotItem
	found, err := s.get(ctx, orgPK(c.OrgID), ledgerSnapshotSK(c.ID), &it)
	if err != nil || !found {
		return nil, err
	}
	return it.toSnapshot()
}

func (it snapshotItem) toSnapshot() (*ledgerSnapshot, error) {
	var err error
	snap := &ledgerSnapshot{Seq: it.Seq, Pending: it.Pending, Currency: it.Currency, Open: map[string]snapshotInvoice{}}
	if snap.AsAt, err = calendar.Parse(it.AsAt); err != nil {
		return nil, err
	}
	if snap.From, err = calendar.Parse(it.From); err != nil {
		return nil, err
	}
	if snap.Balance, err = fromNum("balance", it.Balance); err != nil {
		return nil, err
	}
	if snap.Credit, err = fromNum("credit", it.Credit); err != nil {
		return nil, err
	}
	for _, o := range it.Open {
		si := snapshotInvoice{Invoice: statement.Invoice{ID: o.ID, Number: o.Number, Name: o.Name}}
		if si.IssueDate, err = fromDate(o.Issue); err != nil {
			return nil, err
		}
		if si.DueDate, err = fromDate(o.Due); err != nil {
			return nil, err
		}
		if si.Total, err = fromNum("total", o.Total); err != nil {
			return nil, err
		}
		if si.Owing, err = fromNum("owing", o.Owing); err != nil {
			return nil, err
		}
		snap.Open[o.ID] = si
	}
	return snap, nil
}

// putSnapshot stores snap for c unless a later one is stored: snapshots
// only move forward (a regenerated older cycle leaves the newer one).
func (s *Store) putSnapshot(ctx context.Context, c *client.Client, snap *ledgerSnapshot) error {
	it := snapshotItem{
		PK: orgPK(c.OrgID), SK: ledgerSnapshotSK(c.ID), Type: "ledgersnap", AsAt: snap.AsAt.String(), Seq: snap.Seq,
		From: snap.From.String(), Pending: snap.Pending, Balance: toNum(snap.Balance), Credit: toNum(snap.Credit), Currency: snap.Currency,
		Open: []snapshotOpenItem{},
	}
	ids := make([]string, 0, len(snap.Open))
	for id := range snap.Open {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		o := snap.Open[id]
		it.Open = append(it.Open, snapshotOpenItem{ID: id, Number: o.Number, Name: o.Name, Issue: dateStr(o.IssueDate), Due: dateStr(o.DueDate),
			Total: toNum(o.Total), Owing: toNum(o.Owing)})
	}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table, Item: av,
		ConditionExpression:      aws.String("attribute_not_exists(PK) OR asAt < :asAt OR (asAt = :asAt AND #seq <= :seq)"),
		ExpressionAttributeNames: map[string]string{"#seq": "seq"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":asAt": strAV(it.AsAt), ":seq": numAV(it.Seq),
		},
	})
	if isConditionFailed(err) {
		return nil // a later close stored a later one
	}
	if err != nil {
		return fmt.Errorf("ledger snapshot of %s: %w", c.ID, err)
	}
	return nil
}

func dateStr(d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// entriesFrom reads c's entries posted on or after from (all when zero)
// with seq ≤ c's sequence as read, in posting order: from the client's
// own GSI1 partition, and if that answer is not complete by complete (the
// index lags, or entries written before it existed lack its keys) from the
// table, consistently.
func (s *Store) entriesFrom(ctx context.Context, c *client.Client, from calendar.Date, complete func([]ledger.Entry) bool) ([]ledger.Entry, error) {
	bound := ""
	if !from.IsZero() {
		bound = from.String()
	}
	idx := &dynamodb.QueryInput{
		TableName: &s.table, IndexName: aws.String(indexGSI1),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": strAV(clientLedgerPK(c.OrgID, c.ID))},
	}
	if bound != "" {
		idx.KeyConditionExpression = aws.String("GSI1PK = :pk AND GSI1SK >= :from")
		idx.ExpressionAttributeValues[":from"] = strAV(bound)
	}
	entries, err := s.queryEntries(ctx, idx, c.Account.Seq)
	if err != nil {
		return nil, err
	}
	if complete(entries) {
		return entries, nil
	}
	table := &dynamodb.QueryInput{
		TableName: &s.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("PK = :pk AND SK BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": strAV(orgPK(c.OrgID)), ":from": strAV(ledgerPrefix(c.ID) + bound), ":to": strAV(ledgerPrefix(c.ID) + "~"),
		},
	}
	return s.queryEntries(ctx, table, c.Account.Seq)
}

func (s *Store) queryEntries(ctx context.Context, in *dynamodb.QueryInput, maxSeq int64) ([]ledger.Entry, error) {
	var out []ledger.Entry
	for {
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, av := range res.Items {
			e, err := unmarshalEntry(av)
			if err != nil {
				return nil, err
			}
			if e.Seq <= maxSeq {
				out = append(out, e)
			}
		}
		if res.LastEvaluatedKey == nil {
			return out, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}
