package dynamo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/backfill"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/money"
)

// The backfill's reads and writes (internal/backfill; an admin's one-off,
// never a request path). A client's `backfill` attribute says where its
// backfill is: absent (never run, or a client the ledger's code made),
// "running" (some entries written), "done".

const (
	backfillRunning = "running"
	backfillDone    = "done"
)

// LegacyClients pages, with a Scan of the whole table, the clients of
// every org that have no ledger and no finished backfill, and those whose
// backfill is running. The cursor is the Scan's position.
func (s *Store) LegacyClients(ctx context.Context, cursor string) ([]backfill.Legacy, string, error) {
	in := &dynamodb.ScanInput{
		TableName: &s.table, ConsistentRead: aws.Bool(true), Limit: aws.Int32(200),
		FilterExpression:         aws.String("#type = :client AND ((attribute_not_exists(#seq) AND attribute_not_exists(#bf)) OR #bf = :running)"),
		ExpressionAttributeNames: map[string]string{"#type": "type", "#seq": "ledgerSeq", "#bf": "backfill"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":client": strAV("client"), ":running": strAV(backfillRunning),
		},
	}
	if cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		var k struct{ PK, SK string }
		if err == nil {
			err = json.Unmarshal(raw, &k)
		}
		if err != nil || k.PK == "" {
			return nil, "", fmt.Errorf("legacy clients: bad cursor")
		}
		in.ExclusiveStartKey = key(k.PK, k.SK)
	}
	res, err := s.db.Scan(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("legacy clients: %w", err)
	}
	out := make([]backfill.Legacy, 0, len(res.Items))
	for _, av := range res.Items {
		var it clientItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, "", fmt.Errorf("legacy clients: %w", err)
		}
		c, err := it.toClient()
		if err != nil {
			return nil, "", fmt.Errorf("legacy client %s: %w", it.ID, err)
		}
		state, _ := av["backfill"].(*types.AttributeValueMemberS)
		out = append(out, backfill.Legacy{Client: c, InProgress: state != nil && state.Value == backfillRunning})
	}
	next := ""
	if res.LastEvaluatedKey != nil {
		var k struct{ PK, SK string }
		if err := attributevalue.UnmarshalMap(res.LastEvaluatedKey, &k); err != nil {
			return nil, "", fmt.Errorf("legacy clients: %w", err)
		}
		raw, _ := json.Marshal(k)
		next = base64.RawURLEncoding.EncodeToString(raw)
	}
	return out, next, nil
}

// ClientDocuments reads every invoice and payment of a client (all index
// pages) and the credit notes of each invoice that was credited.
func (s *Store) ClientDocuments(ctx context.Context, orgID, clientID string) (backfill.Documents, error) {
	var docs backfill.Documents
	cursor := ""
	for {
		page, next, err := s.ListInvoices(ctx, orgID, invoice.ListFilter{ClientID: clientID, Limit: MaxPageSize, Cursor: cursor})
		if err != nil {
			return docs, fmt.Errorf("documents of %s: %w", clientID, err)
		}
		docs.Invoices = append(docs.Invoices, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	for {
		page, next, err := s.ListPayments(ctx, orgID, clientID, MaxPageSize, cursor)
		if err != nil {
			return docs, fmt.Errorf("documents of %s: %w", clientID, err)
		}
		docs.Payments = append(docs.Payments, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	for _, inv := range docs.Invoices {
		if !inv.Credit().IsPositive() {
			continue
		}
		for cursor := ""; ; {
			items, next, err := s.run(ctx, listQuery{org: orgID, index: indexGSI1, pk: invoiceActivityPK(orgID, inv.ID) + "#CRN", forward: true, limit: MaxPageSize, cursor: cursor})
			if err != nil {
				return docs, fmt.Errorf("credit notes of %s: %w", inv.ID, err)
			}
			for _, av := range items {
				var it creditItem
				if err := attributevalue.UnmarshalMap(av, &it); err != nil {
					return docs, err
				}
				n, err := s.CreditNote(ctx, orgID, it.ID)
				if err != nil {
					return docs, err
				}
				docs.Notes = append(docs.Notes, n)
			}
			if next == "" {
				break
			}
			cursor = next
		}
	}
	return docs, nil
}

// PostBackfill writes entries to c's ledger in one transaction with the
// client's balances (acct; owing and credit shown in cur) and its
// backfill state: the first write needs a client with neither ledger nor
// backfill, each later one the sequence the previous left and a running
// backfill, so two runs never both write, and a rerun finds where the
// last stopped. With no entries (a client nothing ever moved for) it
// only marks the backfill done, leaving the ledger to the ledger's code.
// A client changed since it was read is backfill.ErrRaced.
func (s *Store) PostBackfill(ctx context.Context, c *client.Client, entries []ledger.Entry, acct ledger.Account, cur money.Currency, last bool) error {
	state := backfillRunning
	if last {
		state = backfillDone
	}
	names := map[string]string{"#seq": "ledgerSeq", "#bf": "backfill"}
	values := map[string]types.AttributeValue{":state": strAV(state)}
	up := &types.Update{TableName: &s.table, Key: key(orgPK(c.OrgID), clientSK(c.ID)), ExpressionAttributeNames: names, ExpressionAttributeValues: values}
	if c.Account.Seq == 0 {
		up.ConditionExpression = aws.String("attribute_exists(PK) AND attribute_not_exists(#seq) AND attribute_not_exists(#bf)")
	} else {
		up.ConditionExpression = aws.String("attribute_exists(PK) AND #seq = :prev AND #bf = :running")
		values[":prev"], values[":running"] = numAV(c.Account.Seq), strAV(backfillRunning)
	}
	if len(entries) == 0 {
		up.UpdateExpression = aws.String("SET #bf = :state")
		_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{{Update: up}}})
		if isConditionFailed(err) {
			return fmt.Errorf("backfill %s: %w", c.ID, backfill.ErrRaced)
		}
		if err != nil {
			return fmt.Errorf("backfill %s: %w", c.ID, err)
		}
		return nil
	}
	bals := map[string]balanceItem{}
	for k, v := range acct.Balances {
		bals[k.Code()] = balanceItem{Owing: toNum(v.Owing), Credit: toNum(v.Credit)}
	}
	balsAV, err := attributevalue.Marshal(bals)
	if err != nil {
		return err
	}
	mine := acct.Balances[cur]
	up.UpdateExpression = aws.String("SET #seq = :seq, #date = :date, #bals = :bals, #owing = :owing, #credit = :credit, #cur = :cur, #bf = :state")
	names["#date"], names["#bals"], names["#owing"], names["#credit"], names["#cur"] = "ledgerDate", "balances", "owing", "credit", "currency"
	values[":seq"], values[":date"], values[":bals"] = numAV(acct.Seq), strAV(acct.Date.String()), balsAV
	values[":owing"] = &types.AttributeValueMemberN{Value: mine.Owing.String()}
	values[":credit"] = &types.AttributeValueMemberN{Value: mine.Credit.String()}
	values[":cur"] = strAV(cur.Code())
	tx := []types.TransactWriteItem{{Update: up}}
	for _, e := range entries {
		av, err := attributevalue.MarshalMap(ledgerToItem(e))
		if err != nil {
			return err
		}
		tx = append(tx, types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
	if isConditionFailed(err) {
		return fmt.Errorf("backfill %s: %w", c.ID, backfill.ErrRaced)
	}
	if err != nil {
		return fmt.Errorf("backfill %s, entries %d–%d: %w", c.ID, entries[0].Seq, entries[len(entries)-1].Seq, err)
	}
	return nil
}

// SetCreditApplied records an old invoice's applied client credit
// (creditApplied), which the ledger's code writes on every invoice; an
// invoice that has it already is left alone.
func (s *Store) SetCreditApplied(ctx context.Context, orgID, invoiceID string, amount decimal.Decimal) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: key(orgPK(orgID), invoiceSK(invoiceID)),
		UpdateExpression:          aws.String("SET #ca = :ca"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND attribute_not_exists(#ca)"),
		ExpressionAttributeNames:  map[string]string{"#ca": "creditApplied"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":ca": &types.AttributeValueMemberN{Value: amount.String()}},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("record credit applied to %s: %w", invoiceID, err)
	}
	return nil
}
