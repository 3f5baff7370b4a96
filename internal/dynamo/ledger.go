package dynamo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/money"
)

// ledgerPrefix starts the sort keys of one client's ledger entries.
func ledgerPrefix(cli string) string { return "LEDGER#" + cli + "#" }

// ledgerSK sorts a client's entries by posting date, then sequence. Posting
// dates never go back (ledger.Post), so this is also sequence order, and a
// date range is a key condition.
func ledgerSK(cli string, date calendar.Date, seq int64) string {
	return fmt.Sprintf("%s%s#%012d", ledgerPrefix(cli), date, seq)
}

type ledgerItem struct {
	PK, SK     string
	GSI1PK     string      `dynamodbav:",omitempty"`
	GSI1SK     string      `dynamodbav:",omitempty"`
	Type       string      `dynamodbav:"type"`
	OrgID      string      `dynamodbav:"orgId"`
	ClientID   string      `dynamodbav:"clientId"`
	Seq        int64       `dynamodbav:"seq"`
	Kind       string      `dynamodbav:"kind"`
	Currency   string      `dynamodbav:"currency"`
	Owing      num         `dynamodbav:"owing"`
	Credit     num         `dynamodbav:"credit"`
	Balance    num         `dynamodbav:"balance"`
	DocumentID string      `dynamodbav:"documentId,omitempty"`
	Number     string      `dynamodbav:"number,omitempty"`
	InvoiceID  string      `dynamodbav:"invoiceId,omitempty"`
	Memo       string      `dynamodbav:"memo,omitempty"`
	Date       string      `dynamodbav:"date"`
	Effective  string      `dynamodbav:"effective,omitempty"`
	Splits     []splitItem `dynamodbav:"splits,omitempty"`
	At         string      `dynamodbav:"at"`
}

func ledgerToItem(e ledger.Entry) ledgerItem {
	return ledgerItem{
		PK: orgPK(e.OrgID), SK: ledgerSK(e.ClientID, e.Date, e.Seq), Type: "ledger",
		GSI1PK: clientLedgerPK(e.OrgID, e.ClientID), GSI1SK: strings.TrimPrefix(ledgerSK(e.ClientID, e.Date, e.Seq), ledgerPrefix(e.ClientID)),
		OrgID: e.OrgID, ClientID: e.ClientID, Seq: e.Seq, Kind: string(e.Kind), Currency: e.Currency.Code(),
		Owing: toNum(e.Owing), Credit: toNum(e.Credit), Balance: toNum(e.Balance),
		DocumentID: e.DocumentID, Number: e.Number, InvoiceID: e.InvoiceID, Memo: e.Memo,
		Date: e.Date.String(), Effective: e.Effective.String(), At: ts(e.At), Splits: splitsToItems(e.Splits),
	}
}

func (it ledgerItem) toEntry() (ledger.Entry, error) {
	e := ledger.Entry{
		OrgID: it.OrgID, ClientID: it.ClientID, Seq: it.Seq, Kind: ledger.Kind(it.Kind),
		DocumentID: it.DocumentID, Number: it.Number, InvoiceID: it.InvoiceID, Memo: it.Memo, At: fromTS(it.At),
	}
	var err error
	if e.Currency, err = money.ParseCurrency(it.Currency); err != nil {
		return e, err
	}
	if e.Date, err = calendar.Parse(it.Date); err != nil {
		return e, err
	}
	if e.Effective, err = fromDate(it.Effective); err != nil {
		return e, err
	}
	if e.Effective.IsZero() {
		e.Effective = e.Date
	}
	for _, sp := range it.Splits {
		o, err := fromNum("split", sp.Owing)
		if err != nil {
			return e, err
		}
		e.Splits = append(e.Splits, ledger.Split{InvoiceID: sp.InvoiceID, Owing: o})
	}
	for _, f := range []struct {
		dst *decimal.Decimal
		n   num
	}{{&e.Owing, it.Owing}, {&e.Credit, it.Credit}, {&e.Balance, it.Balance}} {
		if *f.dst, err = fromNum("ledger", f.n); err != nil {
			return e, err
		}
	}
	return e, nil
}

// postWrites posts entries to c's ledger: it numbers them after the
// client's last entry, fixes the client's currency on its first movement
// (refusing entries in any other, ledger.ErrCurrencyMismatch), and returns
// the writes: the client's materialized balances, conditioned on the
// ledger sequence read (so two movements never interleave), and one new
// item per entry. c is updated to the posted state.
func (s *Store) postWrites(ctx context.Context, c *client.Client, entries []ledger.Entry, now time.Time) ([]types.TransactWriteItem, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	cur := c.Profile.Currency
	if cur.IsZero() {
		cur = entries[0].Currency
	}
	for _, e := range entries {
		if err := ledger.CheckCurrency(cur, e.Currency, string(e.Kind)); err != nil {
			return nil, err
		}
	}
	prev := c.Account.Seq
	acct := c.Account
	acct.Balances = map[money.Currency]ledger.Balances{}
	for k, v := range c.Account.Balances {
		acct.Balances[k] = v
	}
	loc, err := s.zone(ctx, c.OrgID)
	if err != nil {
		return nil, err
	}
	if err := ledger.Post(&acct, entries, calendar.Today(now, loc), now); err != nil {
		return nil, err
	}
	bals := map[string]balanceItem{}
	for k, v := range acct.Balances {
		bals[k.Code()] = balanceItem{Owing: toNum(v.Owing), Credit: toNum(v.Credit)}
	}
	balsAV, err := attributevalue.Marshal(bals)
	if err != nil {
		return nil, err
	}
	mine := acct.Balances[cur]
	up := &types.Update{
		TableName: &s.table, Key: key(orgPK(c.OrgID), clientSK(c.ID)),
		UpdateExpression:         aws.String("SET #seq = :seq, #date = :date, #bals = :bals, #owing = :owing, #credit = :credit, #cur = :cur"),
		ExpressionAttributeNames: map[string]string{"#seq": "ledgerSeq", "#date": "ledgerDate", "#bals": "balances", "#owing": "owing", "#credit": "credit", "#cur": "currency"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":seq": numAV(acct.Seq), ":date": strAV(acct.Date.String()), ":bals": balsAV,
			":owing": &types.AttributeValueMemberN{Value: mine.Owing.String()}, ":credit": &types.AttributeValueMemberN{Value: mine.Credit.String()},
			":cur": strAV(cur.Code()),
		},
	}
	if prev == 0 {
		up.ConditionExpression = aws.String("attribute_exists(PK) AND attribute_not_exists(#seq)")
	} else {
		up.ConditionExpression = aws.String("attribute_exists(PK) AND #seq = :prev")
		up.ExpressionAttributeValues[":prev"] = numAV(prev)
	}
	tx := []types.TransactWriteItem{{Update: up}}
	for _, e := range entries {
		av, err := attributevalue.MarshalMap(ledgerToItem(e))
		if err != nil {
			return nil, err
		}
		tx = append(tx, types.TransactWriteItem{Put: &types.Put{
			TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)"),
		}})
	}
	c.Account, c.Profile.Currency = acct, cur
	c.Balance = client.Balance{Owing: mine.Owing, Credit: mine.Credit}
	return tx, nil
}

// Ledger pages a client's entries posted from from to to (inclusive; zero
// dates leave that end open), in sequence order, with the balances before
// the first and after the last entry of the range.
func (s *Store) Ledger(ctx context.Context, orgID, clientID string, from, to calendar.Date, limit int, cursor string) (ledger.Page, error) {
	lo, hi := ledgerPrefix(clientID), ledgerPrefix(clientID)+"~"
	if !from.IsZero() {
		lo = ledgerPrefix(clientID) + from.String()
	}
	if !to.IsZero() {
		hi = ledgerPrefix(clientID) + to.String() + "#~"
	}
	items, next, err := s.run(ctx, listQuery{
		org: orgID, pk: orgPK(orgID), skCond: "#sk BETWEEN :sk AND :hi", sk: lo, forward: true,
		values: map[string]types.AttributeValue{":hi": strAV(hi)}, limit: limit, cursor: cursor,
	})
	if err != nil {
		return ledger.Page{}, fmt.Errorf("client ledger %s: %w", clientID, err)
	}
	page := ledger.Page{NextCursor: next}
	for _, av := range items {
		e, err := unmarshalEntry(av)
		if err != nil {
			return ledger.Page{}, fmt.Errorf("client ledger %s: %w", clientID, err)
		}
		page.Entries = append(page.Entries, e)
	}
	if page.Opening, err = s.lastEntryBefore(ctx, orgID, clientID, lo); err != nil {
		return ledger.Page{}, fmt.Errorf("client ledger %s: %w", clientID, err)
	}
	if page.Closing, err = s.lastEntryBefore(ctx, orgID, clientID, hi); err != nil {
		return ledger.Page{}, fmt.Errorf("client ledger %s: %w", clientID, err)
	}
	return page, nil
}

// lastEntryBefore is the running balance of the last entry whose key sorts
// before sk within the same client's ledger (zero when there is none).
func (s *Store) lastEntryBefore(ctx context.Context, orgID, clientID, sk string) (ledger.Balance, error) {
	res, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName: &s.table, ConsistentRead: aws.Bool(true), ScanIndexForward: aws.Bool(false), Limit: aws.Int32(1),
		KeyConditionExpression:    aws.String("PK = :pk AND SK BETWEEN :lo AND :sk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": strAV(orgPK(orgID)), ":lo": strAV(ledgerPrefix(clientID)), ":sk": strAV(sk)},
	})
	if err != nil {
		return ledger.Balance{}, err
	}
	if len(res.Items) == 0 {
		return ledger.Balance{}, nil
	}
	e, err := unmarshalEntry(res.Items[0])
	if err != nil {
		return ledger.Balance{}, err
	}
	return ledger.Balance{Currency: e.Currency, Amount: e.Balance, Seq: e.Seq}, nil
}

func unmarshalEntry(av map[string]types.AttributeValue) (ledger.Entry, error) {
	var it ledgerItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return ledger.Entry{}, err
	}
	return it.toEntry()
}

// AllLedgerEntries reads every entry of a client's ledger in order, for
// recomputing its balances (an admin's verify; not a request-path list).
func (s *Store) AllLedgerEntries(ctx context.Context, orgID, clientID string) ([]ledger.Entry, error) {
	var out []ledger.Entry
	in := &dynamodb.QueryInput{
		TableName: &s.table, ConsistentRead: aws.Bool(true), ScanIndexForward: aws.Bool(true),
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": strAV(orgPK(orgID)), ":p": strAV(ledgerPrefix(clientID)),
		},
	}
	for {
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("ledger entries of %s: %w", clientID, err)
		}
		for _, av := range res.Items {
			e, err := unmarshalEntry(av)
			if err != nil {
				return nil, fmt.Errorf("ledger entries of %s: %w", clientID, err)
			}
			out = append(out, e)
		}
		if res.LastEvaluatedKey == nil {
			return out, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// zone is the org's time zone, which decides a posting's date: read from
// the org's settings and kept for five minutes per container, as the
// billing service keeps it.
func (s *Store) zone(ctx context.Context, orgID string) (*time.Location, error) {
	if z, ok := s.zones.Load(orgID); ok && time.Now().Before(z.(zoneEntry).expires) {
		return z.(zoneEntry).loc, nil
	}
	o, err := s.GetOrg(ctx, orgID)
	if err != nil {
		return nil, err
	}
	loc := o.Location()
	s.zones.Store(orgID, zoneEntry{loc: loc, expires: time.Now().Add(5 * time.Minute)})
	return loc, nil
}

type zoneEntry struct {
	loc     *time.Location
	expires time.Time
}

type splitItem struct {
	InvoiceID string `dynamodbav:"invoiceId"`
	Owing     num    `dynamodbav:"owing"`
}

func splitsToItems(ss []ledger.Split) []splitItem {
	var out []splitItem
	for _, sp := range ss {
		out = append(out, splitItem{InvoiceID: sp.InvoiceID, Owing: toNum(sp.Owing)})
	}
	return out
}
