package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/cycle"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/statement"
)

func statementSK(id string) string { return "STMT#" + id }

// statementForSK marks that a client has its statement for a cycle: the
// item whose conditional Put makes a close that runs twice write one
// statement, and whose deletion reopens the cycle for the client.
func statementForSK(cycleID, clientID string) string { return "STMTFOR#" + cycleID + "#" + clientID }

func clientStatementsPK(org, cli string) string { return "ORG#" + org + "#CLIENT#" + cli + "#STMT" }
func cycleStatementsPK(org, cyc string) string  { return "ORG#" + org + "#CYCLE#" + cyc + "#STMT" }

type stmtLineItem struct {
	Date        string `dynamodbav:"date"`
	Kind        string `dynamodbav:"kind"`
	DocumentID  string `dynamodbav:"documentId,omitempty"`
	Number      string `dynamodbav:"number,omitempty"`
	Description string `dynamodbav:"description,omitempty"`
	Amount      num    `dynamodbav:"amount"`
	Balance     num    `dynamodbav:"balance"`
}

type stmtOpenItem struct {
	InvoiceID   string `dynamodbav:"invoiceId"`
	Number      string `dynamodbav:"number"`
	Name        string `dynamodbav:"name,omitempty"`
	IssueDate   string `dynamodbav:"issueDate"`
	DueDate     string `dynamodbav:"dueDate,omitempty"`
	Total       num    `dynamodbav:"total"`
	Balance     num    `dynamodbav:"balance"`
	DaysOverdue int    `dynamodbav:"daysOverdue"`
	Bucket      int    `dynamodbav:"bucket"`
}

type statementItem struct {
	PK, SK         string
	GSI1PK, GSI1SK string
	GSI2PK, GSI2SK string         `dynamodbav:",omitempty"`
	Type           string         `dynamodbav:"type"`
	ID             string         `dynamodbav:"id"`
	OrgID          string         `dynamodbav:"orgId"`
	ClientID       string         `dynamodbav:"clientId"`
	CycleID        string         `dynamodbav:"cycleId,omitempty"`
	Kind           string         `dynamodbav:"kind"`
	From           string         `dynamodbav:"from,omitempty"`
	To             string         `dynamodbav:"to"`
	Currency       string         `dynamodbav:"currency"`
	Opening        num            `dynamodbav:"opening"`
	Closing        num            `dynamodbav:"closing"`
	Credit         num            `dynamodbav:"credit"`
	Lines          []stmtLineItem `dynamodbav:"lines"`
	Open           []stmtOpenItem `dynamodbav:"open"`
	Aging          []num          `dynamodbav:"aging"`
	Locked         []string       `dynamodbav:"locked,omitempty"`
	CreatedAt      string         `dynamodbav:"createdAt"`
}

func statementToItem(st *statement.Statement) statementItem {
	it := statementItem{
		PK: orgPK(st.OrgID), SK: statementSK(st.ID),
		GSI1PK: clientStatementsPK(st.OrgID, st.ClientID), GSI1SK: st.To.String() + "#" + st.ID,
		Type: "statement", ID: st.ID, OrgID: st.OrgID, ClientID: st.ClientID, CycleID: st.CycleID, Kind: string(st.Kind),
		From: st.From.String(), To: st.To.String(), Currency: st.Currency.Code(),
		Opening: toNum(st.Opening), Closing: toNum(st.Closing), Credit: toNum(st.Credit),
		Lines: []stmtLineItem{}, Open: []stmtOpenItem{}, Locked: st.Locked, CreatedAt: ts(st.CreatedAt),
	}
	if st.CycleID != "" {
		it.GSI2PK, it.GSI2SK = cycleStatementsPK(st.OrgID, st.CycleID), st.ClientID
	}
	for _, l := range st.Lines {
		it.Lines = append(it.Lines, stmtLineItem{Date: l.Date.String(), Kind: l.Kind, DocumentID: l.DocumentID, Number: l.Number,
			Description: l.Description, Amount: toNum(l.Amount), Balance: toNum(l.Balance)})
	}
	for _, o := range st.Open {
		it.Open = append(it.Open, stmtOpenItem{InvoiceID: o.ID, Number: o.Number, Name: o.Name, IssueDate: o.IssueDate.String(),
			DueDate: o.DueDate.String(), Total: toNum(o.Total), Balance: toNum(o.Balance), DaysOverdue: o.DaysOverdue, Bucket: int(o.Bucket)})
	}
	for _, a := range st.Aging {
		it.Aging = append(it.Aging, toNum(a))
	}
	return it
}

func (it statementItem) toStatement() (*statement.Statement, error) {
	st := &statement.Statement{
		ID: it.ID, OrgID: it.OrgID, ClientID: it.ClientID, CycleID: it.CycleID, Kind: statement.Kind(it.Kind),
		Locked: it.Locked, CreatedAt: fromTS(it.CreatedAt),
	}
	var err error
	if st.Currency, err = money.ParseCurrency(it.Currency); err != nil {
		return nil, fmt.Errorf("statement %s: %w", it.ID, err)
	}
	if st.From, err = fromDate(it.From); err != nil {
		return nil, err
	}
	if st.To, err = fromDate(it.To); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		dst *decimal.Decimal
		n   num
	}{{&st.Opening, it.Opening}, {&st.Closing, it.Closing}, {&st.Credit, it.Credit}} {
		if *f.dst, err = fromNum("statement", f.n); err != nil {
			return nil, err
		}
	}
	for _, l := range it.Lines {
		line := statement.Line{Kind: l.Kind, DocumentID: l.DocumentID, Number: l.Number, Description: l.Description}
		if line.Date, err = fromDate(l.Date); err != nil {
			return nil, err
		}
		if line.Amount, err = fromNum("amount", l.Amount); err != nil {
			return nil, err
		}
		if line.Balance, err = fromNum("balance", l.Balance); err != nil {
			return nil, err
		}
		st.Lines = append(st.Lines, line)
	}
	for _, o := range it.Open {
		item := statement.OpenItem{Invoice: statement.Invoice{ID: o.InvoiceID, Number: o.Number, Name: o.Name},
			DaysOverdue: o.DaysOverdue, Bucket: statement.Bucket(o.Bucket)}
		if item.IssueDate, err = fromDate(o.IssueDate); err != nil {
			return nil, err
		}
		if item.DueDate, err = fromDate(o.DueDate); err != nil {
			return nil, err
		}
		if item.Total, err = fromNum("total", o.Total); err != nil {
			return nil, err
		}
		if item.Balance, err = fromNum("balance", o.Balance); err != nil {
			return nil, err
		}
		st.Open = append(st.Open, item)
	}
	for i, a := range it.Aging {
		if i < len(st.Aging) {
			if st.Aging[i], err = fromNum("aging", a); err != nil {
				return nil, err
			}
		}
	}
	return st, nil
}

// CycleStatement writes the client's statement for a closing cycle unless
// one exists: build gets the client's ledger for the cycle and says what
// to write (ok false: nothing to state). The statement, its marker
// (STMTFOR, attribute_not_exists: of two runs one writes) and its events
// go in one transaction; the invoices it locks follow, each lock one
// conditional update (not locked yet, not a draft), and are re-applied if
// a run stopped between the two. It answers the statement's id, written
// now or by an earlier run.
func (s *Store) CycleStatement(ctx context.Context, c *client.Client, per cycle.Period,
	build func(statement.Source) (*statement.Issue, bool, error)) (string, bool, error) {
	markID, read, err := s.markerAndSnapshot(ctx, c, per)
	if err != nil {
		return "", false, err
	}
	if markID != "" {
		st, err := s.GetStatement(ctx, c.OrgID, markID)
		if err != nil {
			return "", false, err
		}
		return markID, false, s.lockForStatement(ctx, st)
	}
	src, snap, err := s.statementSource(ctx, c, per.Start, per.End, read)
	if err != nil {
		return "", false, err
	}
	w, ok, err := build(src)
	if err != nil {
		return "", false, err
	}
	if !ok {
		// Nothing to state, but the ledger was read: the next close starts
		// from here.
		if snap != nil {
			return "", false, s.putSnapshot(ctx, c, snap)
		}
		return "", false, nil
	}
	st := w.Statement
	av, err := attributevalue.MarshalMap(statementToItem(st))
	if err != nil {
		return "", false, err
	}
	puts, err := s.eventPuts(w.Events)
	if err != nil {
		return "", false, err
	}
	tx := append([]types.TransactWriteItem{
		{Put: &types.Put{TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		{Put: &types.Put{TableName: &s.table, ConditionExpression: aws.String("attribute_not_exists(PK)"), Item: map[string]types.AttributeValue{
			attrPK: strAV(orgPK(c.OrgID)), attrSK: strAV(statementForSK(per.ID(), c.ID)), "type": strAV("statementfor"), "statementId": strAV(st.ID),
		}}},
		// Deleting a statement reopened the cycle for this client; writing
		// a new one closes it again.
		{Update: &types.Update{
			TableName: &s.table, Key: key(orgPK(c.OrgID), clientSK(c.ID)),
			UpdateExpression:          aws.String("DELETE reopened :cyc"),
			ConditionExpression:       aws.String("attribute_exists(PK)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":cyc": &types.AttributeValueMemberSS{Value: []string{per.ID()}}},
		}},
	}, puts...)
	if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx}); err != nil {
		if isConditionFailed(err) {
			return "", false, nil // another run wrote it first, and sends it
		}
		return "", false, fmt.Errorf("write statement of %s for %s: %w", c.ID, per.ID(), err)
	}
	if snap != nil {
		if err := s.putSnapshot(ctx, c, snap); err != nil {
			return "", false, err
		}
	}
	return st.ID, true, s.lockForStatement(ctx, st)
}

// markerAndSnapshot reads, in one consistent BatchGetItem, the id of the
// statement already written for c in per ("" if none) and, when c's
// statement will read its ledger, c's snapshot (read nil otherwise: the
// statement source reads it if it must).
func (s *Store) markerAndSnapshot(ctx context.Context, c *client.Client, per cycle.Period) (markID string, read *snapshotRead, err error) {
	keys := []map[string]types.AttributeValue{key(orgPK(c.OrgID), statementForSK(per.ID(), c.ID))}
	if readsLedger(c, per.Start) {
		keys, read = append(keys, key(orgPK(c.OrgID), ledgerSnapshotSK(c.ID))), &snapshotRead{}
	}
	for attempt := 1; len(keys) > 0; attempt++ {
		res, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			s.table: {Keys: keys, ConsistentRead: aws.Bool(true)},
		}})
		if err != nil {
			return "", nil, fmt.Errorf("read statement marker of %s for %s: %w", c.ID, per.ID(), err)
		}
		for _, av := range res.Responses[s.table] {
			sk, _ := av[attrSK].(*types.AttributeValueMemberS)
			switch {
			case sk == nil:
			case sk.Value == ledgerSnapshotSK(c.ID):
				var it snapshotItem
				if err := attributevalue.UnmarshalMap(av, &it); err != nil {
					return "", nil, err
				}
				if read.snap, err = it.toSnapshot(); err != nil {
					return "", nil, err
				}
			default:
				var mark struct {
					StatementID string `dynamodbav:"statementId"`
				}
				if err := attributevalue.UnmarshalMap(av, &mark); err != nil {
					return "", nil, err
				}
				markID = mark.StatementID
			}
		}
		keys = res.UnprocessedKeys[s.table].Keys
		if len(keys) > 0 {
			if attempt == maxAttempts {
				return "", nil, fmt.Errorf("read statement marker of %s for %s: %d keys unprocessed", c.ID, per.ID(), len(keys))
			}
			if err := backoff(ctx, attempt); err != nil {
				return "", nil, err
			}
		}
	}
	return markID, read, nil
}

// lockForStatement locks the statement's invoices that are not locked yet,
// each marked as locked by it so deleting it unlocks exactly those.
func (s *Store) lockForStatement(ctx context.Context, st *statement.Statement) error {
	for _, id := range st.Locked {
		// One conditional update, no read: an invoice gone, locked
		// already or still a draft fails the condition and is left as it
		// is; the version moves as every change to an invoice moves it.
		_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &s.table, Key: key(orgPK(st.OrgID), invoiceSK(id)),
			UpdateExpression:         aws.String("SET locked = :t, lockedBy = :stm, lockReason = :why, #v = #v + :one"),
			ConditionExpression:      aws.String("attribute_exists(PK) AND (attribute_not_exists(locked) OR locked = :f) AND #s <> :draft"),
			ExpressionAttributeNames: map[string]string{"#v": "version", "#s": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":t": &types.AttributeValueMemberBOOL{Value: true}, ":f": &types.AttributeValueMemberBOOL{Value: false},
				":stm": strAV(st.ID), ":one": numAV(1), ":draft": strAV("draft"),
				":why": strAV(fmt.Sprintf("included in the statement for %s to %s", st.From, st.To)),
			},
		})
		if isConditionFailed(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("lock %s for statement %s: %w", id, st.ID, err)
		}
	}
	return nil
}

// GetStatement reads one statement.
func (s *Store) GetStatement(ctx context.Context, orgID, id string) (*statement.Statement, error) {
	var it statementItem
	found, err := s.get(ctx, orgPK(orgID), statementSK(id), &it)
	if err != nil {
		return nil, fmt.Errorf("get statement %s: %w", id, err)
	}
	if !found {
		return nil, fmt.Errorf("get statement %s: %w", id, statement.ErrNotFound)
	}
	return it.toStatement()
}

// ListStatements lists statements newest first: a client's (clientID
// set), a cycle's (cycleID set), or the org's.
func (s *Store) ListStatements(ctx context.Context, orgID, clientID, cycleID string, limit int, cursor string) ([]*statement.Statement, string, error) {
	q := listQuery{org: orgID, limit: limit, cursor: cursor}
	switch {
	case clientID != "":
		q.index, q.pk = indexGSI1, clientStatementsPK(orgID, clientID)
	case cycleID != "":
		q.index, q.pk, q.forward = indexGSI2, cycleStatementsPK(orgID, cycleID), true
	default:
		q.pk, q.skCond, q.sk = orgPK(orgID), "begins_with(#sk, :sk)", "STMT#"
	}
	items, next, err := s.run(ctx, q)
	if err != nil {
		return nil, "", fmt.Errorf("list statements: %w", err)
	}
	out := make([]*statement.Statement, 0, len(items))
	for _, av := range items {
		var it statementItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, "", err
		}
		st, err := it.toStatement()
		if err != nil {
			return nil, "", err
		}
		out = append(out, st)
	}
	return out, next, nil
}

// ClientStatementID is the id of client clientID's statement for cycle
// cycleID, or "" if it has none (nothing to state at close, or deleted).
func (s *Store) ClientStatementID(ctx context.Context, orgID, cycleID, clientID string) (string, error) {
	var it struct {
		StatementID string `dynamodbav:"statementId"`
	}
	found, err := s.get(ctx, orgPK(orgID), statementForSK(cycleID, clientID), &it)
	if err != nil || !found {
		return "", err
	}
	return it.StatementID, nil
}

// DeleteStatement removes a cycle statement: the invoices it locked (and
// that are still locked by it) are unlocked, the cycle is reopened for the
// client (dates in it are accepted again), and events record it; one
// transaction, so a statement is never half deleted.
func (s *Store) DeleteStatement(ctx context.Context, orgID, id string, events []activity.Event) (*statement.Statement, error) {
	st, err := s.GetStatement(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	tx := []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: &s.table, Key: key(orgPK(orgID), statementSK(id)), ConditionExpression: aws.String("attribute_exists(PK)")}},
	}
	if st.CycleID != "" {
		tx = append(tx,
			types.TransactWriteItem{Update: &types.Update{
				TableName: &s.table, Key: key(orgPK(orgID), cycleSK(st.CycleID)),
				UpdateExpression:          aws.String("ADD statements :minus"),
				ConditionExpression:       aws.String("attribute_exists(PK)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":minus": numAV(-1)},
			}},
			types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(orgPK(orgID), statementForSK(st.CycleID, st.ClientID))}},
			types.TransactWriteItem{Update: &types.Update{
				TableName: &s.table, Key: key(orgPK(orgID), clientSK(st.ClientID)),
				UpdateExpression:          aws.String("ADD reopened :cyc"),
				ConditionExpression:       aws.String("attribute_exists(PK)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":cyc": &types.AttributeValueMemberSS{Value: []string{st.CycleID}}},
			}})
	}
	for _, inv := range st.Locked {
		var it invoiceItem
		found, err := s.get(ctx, orgPK(orgID), invoiceSK(inv), &it)
		if err != nil {
			return nil, err
		}
		if !found || !it.Locked || it.LockedBy != id {
			continue // unlocked since, or locked again by a person: leave it
		}
		tx = append(tx, types.TransactWriteItem{Update: &types.Update{
			TableName: &s.table, Key: key(orgPK(orgID), invoiceSK(inv)),
			UpdateExpression:         aws.String("SET locked = :f, #v = #v + :one REMOVE lockedBy, lockReason"),
			ConditionExpression:      aws.String("#v = :prev"),
			ExpressionAttributeNames: map[string]string{"#v": "version"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":f": &types.AttributeValueMemberBOOL{Value: false}, ":one": numAV(1), ":prev": numAV(it.Version),
			},
		}})
	}
	puts, err := s.eventPuts(events)
	if err != nil {
		return nil, err
	}
	tx = append(tx, puts...)
	if len(tx) > 100 {
		return nil, fmt.Errorf("delete statement %s: it locked %d invoices, more than one transaction can unlock", id, len(st.Locked))
	}
	if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx}); err != nil {
		if isConditionFailed(err) {
			return nil, fmt.Errorf("delete statement %s: it or one of its invoices changed meanwhile: %w", id, invoice.ErrConflict)
		}
		return nil, fmt.Errorf("delete statement %s: %w", id, err)
	}
	return st, nil
}
