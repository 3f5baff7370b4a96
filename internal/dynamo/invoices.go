package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/org"
)

// seriesInvoice names the invoice number series.
const seriesInvoice = "invoice"

// maxFinalizeAttempts bounds retries of a finalization that keeps losing
// the race for the next number.
const maxFinalizeAttempts = 60

// FinalizeRetries reports how many finalization transactions this store
// retried after losing the race for a number (retries per invoice in
// BENCHMARKS.md).
func (s *Store) FinalizeRetries() int64 { return s.finalizeRetries.Load() }

// CreateInvoice stores a new draft and its events.
//
// A synced invoice's external number is claimed in the same transaction
// (EXTNUM#, attribute_not_exists): one taken already is
// invoice.ErrExternalNumberTaken and nothing is written.
func (s *Store) CreateInvoice(ctx context.Context, inv *invoice.Invoice, events ...activity.Event) error {
	inv.Version = 1
	var claim []types.TransactWriteItem
	if inv.ExternalNumber != "" {
		claim = append(claim, types.TransactWriteItem{Put: &types.Put{
			TableName: &s.table, ConditionExpression: aws.String("attribute_not_exists(PK)"),
			Item: map[string]types.AttributeValue{
				attrPK: strAV(orgPK(inv.OrgID)), attrSK: strAV(externalNumberSK(inv.ExternalNumber)),
				"type": strAV("externalNumber"), "invoiceId": strAV(inv.ID),
			},
		}})
	}
	err := s.createWith(ctx, inv.OrgID, inv.ID, invoiceToItem(inv), events, claim...)
	if claim != nil && reasonFailed(err, 1+len(events)) {
		return fmt.Errorf("create invoice %s: number %q: %w", inv.ID, inv.ExternalNumber, invoice.ErrExternalNumberTaken)
	}
	if err != nil {
		return fmt.Errorf("create invoice %s: %w", inv.ID, err)
	}
	return nil
}

// GetInvoice reads an invoice of org.
func (s *Store) GetInvoice(ctx context.Context, orgID, id string) (*invoice.Invoice, error) {
	var it invoiceItem
	found, err := s.get(ctx, orgPK(orgID), invoiceSK(id), &it)
	if err != nil {
		return nil, fmt.Errorf("get invoice %s: %w", id, err)
	}
	if !found {
		return nil, fmt.Errorf("get invoice %s: %w", id, invoice.ErrNotFound)
	}
	return it.toInvoice()
}

// UpdateInvoice applies change to an invoice and writes it back in one
// transaction, conditioned on the version read, with the ledger entries the
// change implies (ledger.Diff: a void, credit given back) posted to its
// client. Editing drafts, voiding and locking all go through here.
func (s *Store) UpdateInvoice(ctx context.Context, orgID, id string, change func(*invoice.Invoice) ([]activity.Event, error)) (*invoice.Invoice, error) {
	var inv *invoice.Invoice
	err := optimistic(ctx, fmt.Errorf("update invoice %s: %w", id, invoice.ErrConflict), func() error {
		var err error
		if inv, err = s.GetInvoice(ctx, orgID, id); err != nil {
			return err
		}
		before := *inv
		events, err := change(inv)
		if err != nil {
			return err
		}
		tx, err := s.invoiceWrites(inv, events)
		if err != nil {
			return fmt.Errorf("update invoice %s: %w", id, err)
		}
		if entries := ledger.Diff(&before, inv, ledger.Doc{}); len(entries) > 0 {
			c, err := s.GetClient(ctx, orgID, inv.Spec.ClientID)
			if err != nil {
				return fmt.Errorf("update invoice %s: %w", id, err)
			}
			posts, err := s.postWrites(ctx, c, entries, inv.UpdatedAt)
			if err != nil {
				return fmt.Errorf("update invoice %s: %w", id, err)
			}
			tx = append(tx, posts...)
		}
		if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx}); err != nil {
			return fmt.Errorf("update invoice %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// invoiceWrites builds the writes that store inv (whose Version is the one
// read) and append events. It bumps inv.Version. Money never moves here:
// the caller posts the invoice's ledger entries (postWrites) in the same
// transaction.
func (s *Store) invoiceWrites(inv *invoice.Invoice, events []activity.Event) ([]types.TransactWriteItem, error) {
	prev := inv.Version
	inv.Version++
	av, err := attributevalue.MarshalMap(invoiceToItem(inv))
	if err != nil {
		inv.Version = prev
		return nil, err
	}
	tx := []types.TransactWriteItem{s.versionedTxPut(av, prev)}
	puts, err := s.eventPuts(events)
	if err != nil {
		return nil, err
	}
	return append(tx, puts...), nil
}

// DeleteInvoice deletes a draft after check approves it.
func (s *Store) DeleteInvoice(ctx context.Context, orgID, id string, check func(*invoice.Invoice) error) error {
	inv, err := s.GetInvoice(ctx, orgID, id)
	if err != nil {
		return err
	}
	if err := check(inv); err != nil {
		return err
	}
	// A synced draft gives its external number back with it.
	tx := []types.TransactWriteItem{{Delete: &types.Delete{
		TableName: &s.table, Key: key(orgPK(orgID), invoiceSK(id)),
		ConditionExpression:      aws.String("#v = :v AND #s = :draft"),
		ExpressionAttributeNames: map[string]string{"#v": "version", "#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":v": numAV(inv.Version), ":draft": strAV(string(invoice.Draft)),
		},
	}}}
	if inv.ExternalNumber != "" {
		tx = append(tx, types.TransactWriteItem{Delete: &types.Delete{
			TableName: &s.table, Key: key(orgPK(orgID), externalNumberSK(inv.ExternalNumber)),
			ConditionExpression:       aws.String("attribute_not_exists(PK) OR invoiceId = :inv"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":inv": strAV(id)},
		}})
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
	if isConditionFailed(err) {
		return fmt.Errorf("delete invoice %s: %w", id, invoice.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("delete invoice %s: %w", id, err)
	}
	return nil
}

type seqItem struct {
	PK, SK string
	Type   string `dynamodbav:"type"`
	Last   int64  `dynamodbav:"last"`
}

// FinalizeInvoice numbers and opens a draft. It reads the invoice, the
// org's invoice counter and the org in one BatchGetItem, lets finalize
// apply the domain change with the next number, and writes counter,
// invoice and its ledger entries (finalized, client credit applied) with
// the client's balances in one TransactWriteItems. The counter's
// condition makes the number gapless and unique; a lost race re-reads and
// retries with jittered backoff.
func (s *Store) FinalizeInvoice(ctx context.Context, orgID, id string, finalize func(*org.Org, *client.Client, *invoice.Invoice, int64) ([]activity.Event, error)) (*invoice.Invoice, error) {
	for attempt := 1; ; attempt++ {
		o, inv, last, err := s.readForFinalize(ctx, orgID, id)
		if err != nil {
			return nil, err
		}
		c, err := s.GetClient(ctx, orgID, inv.Spec.ClientID)
		if err != nil {
			return nil, fmt.Errorf("finalize invoice %s: %w", id, err)
		}
		before := *inv
		events, err := finalize(o, c, inv, last+1)
		if err != nil {
			return nil, err
		}
		posts, err := s.postWrites(ctx, c, ledger.Diff(&before, inv, ledger.Doc{}), inv.UpdatedAt)
		if err != nil {
			return nil, fmt.Errorf("finalize invoice %s: %w", id, err)
		}
		tx, err := s.invoiceWrites(inv, events)
		if err != nil {
			return nil, fmt.Errorf("finalize invoice %s: %w", id, err)
		}
		if inv.Seq == last+1 { // a re-issue under its old number takes none from the series
			tx = append([]types.TransactWriteItem{{Put: s.counterPut(orgID, seriesInvoice, last)}}, tx...)
		}
		tx = append(tx, posts...)
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
		if err == nil {
			return inv, nil
		}
		if !isConditionFailed(err) {
			return nil, fmt.Errorf("finalize invoice %s: %w", id, err)
		}
		s.finalizeRetries.Add(1)
		if attempt == maxFinalizeAttempts {
			return nil, fmt.Errorf("finalize invoice %s: %w", id, invoice.ErrConflict)
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// reasonFailed reports whether a cancelled transaction names item i's
// condition as the cause.
func reasonFailed(err error, i int) bool {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) || len(tce.CancellationReasons) <= i {
		return false
	}
	return aws.ToString(tce.CancellationReasons[i].Code) == "ConditionalCheckFailed"
}

func (s *Store) readForFinalize(ctx context.Context, orgID, id string) (*org.Org, *invoice.Invoice, int64, error) {
	keys := []map[string]types.AttributeValue{
		key(orgPK(orgID), invoiceSK(id)), key(orgPK(orgID), seqSK(seriesInvoice)), key(orgPK(orgID), profileSK()),
	}
	got := map[string]map[string]types.AttributeValue{}
	req := map[string]types.KeysAndAttributes{s.table: {Keys: keys, ConsistentRead: aws.Bool(true)}}
	for n := 1; len(req) > 0; n++ {
		res, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return nil, nil, 0, fmt.Errorf("finalize invoice %s: read: %w", id, err)
		}
		for _, av := range res.Responses[s.table] {
			if sk, ok := av[attrSK].(*types.AttributeValueMemberS); ok {
				got[sk.Value] = av
			}
		}
		req = res.UnprocessedKeys
		if len(req) > 0 {
			if err := backoff(ctx, n); err != nil {
				return nil, nil, 0, err
			}
		}
	}
	var (
		ii invoiceItem
		oi orgItem
		si seqItem
	)
	av, ok := got[invoiceSK(id)]
	if !ok {
		return nil, nil, 0, fmt.Errorf("finalize invoice %s: %w", id, invoice.ErrNotFound)
	}
	if err := attributevalue.UnmarshalMap(av, &ii); err != nil {
		return nil, nil, 0, err
	}
	if av, ok = got[profileSK()]; !ok {
		return nil, nil, 0, fmt.Errorf("finalize invoice %s: %w", id, org.ErrNotFound)
	}
	if err := attributevalue.UnmarshalMap(av, &oi); err != nil {
		return nil, nil, 0, err
	}
	if av, ok = got[seqSK(seriesInvoice)]; ok {
		if err := attributevalue.UnmarshalMap(av, &si); err != nil {
			return nil, nil, 0, err
		}
	}
	inv, err := ii.toInvoice()
	if err != nil {
		return nil, nil, 0, err
	}
	o, err := oi.toOrg()
	if err != nil {
		return nil, nil, 0, err
	}
	return o, inv, si.Last, nil
}

// ListInvoices lists an org's invoices, newest first, or by due date when
// filtered by status.
func (s *Store) ListInvoices(ctx context.Context, orgID string, f invoice.ListFilter) ([]*invoice.Invoice, string, error) {
	q := listQuery{org: orgID, search: f.Search, limit: f.Limit, cursor: f.Cursor}
	switch {
	case f.Status == invoice.StatusOverdue:
		q.index, q.pk, q.forward = indexGSI2, invoicesByStatusPK(orgID, string(invoice.Open)), true
		q.skCond, q.sk = "#sk < :sk", f.Today.String()
	case f.Status != "":
		q.index, q.pk = indexGSI2, invoicesByStatusPK(orgID, f.Status)
		q.forward = f.Status == string(invoice.Open) || f.Status == string(invoice.Draft)
	case f.ClientID != "":
		q.index, q.pk = indexGSI1, clientInvoicesPK(orgID, f.ClientID)
	default:
		q.pk, q.skCond, q.sk = orgPK(orgID), "begins_with(#sk, :sk)", "INV#"
	}
	if f.ClientID != "" && q.index != indexGSI1 {
		q.filter = "#cid = :cid"
		q.names = map[string]string{"#cid": "clientId"}
		q.values = map[string]types.AttributeValue{":cid": strAV(f.ClientID)}
	}
	items, next, err := s.run(ctx, q)
	if err != nil {
		return nil, "", fmt.Errorf("list invoices: %w", err)
	}
	out := make([]*invoice.Invoice, 0, len(items))
	for _, av := range items {
		var it invoiceItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, "", fmt.Errorf("list invoices: %w", err)
		}
		inv, err := it.toInvoice()
		if err != nil {
			return nil, "", err
		}
		out = append(out, inv)
	}
	return out, next, nil
}

// ApplyClientCredit lets apply move some of the client's credit onto an
// open invoice (or back off it); the invoice, its ledger entries with the
// client's balances (credit never below zero) and the events are written
// in one transaction.
func (s *Store) ApplyClientCredit(ctx context.Context, orgID, id string, apply func(*client.Client, *invoice.Invoice) ([]activity.Event, error)) (*invoice.Invoice, error) {
	for attempt := 1; ; attempt++ {
		inv, err := s.GetInvoice(ctx, orgID, id)
		if err != nil {
			return nil, err
		}
		c, err := s.GetClient(ctx, orgID, inv.Spec.ClientID)
		if err != nil {
			return nil, err
		}
		before := *inv
		events, err := apply(c, inv)
		if err != nil {
			return nil, err
		}
		tx, err := s.invoiceWrites(inv, events)
		if err != nil {
			return nil, fmt.Errorf("apply credit to %s: %w", id, err)
		}
		posts, err := s.postWrites(ctx, c, ledger.Diff(&before, inv, ledger.Doc{}), inv.UpdatedAt)
		if err != nil {
			return nil, fmt.Errorf("apply credit to %s: %w", id, err)
		}
		tx = append(tx, posts...)
		err = s.transactRequest(ctx, orgID, id, tx)
		if err == nil {
			return inv, nil
		}
		if !isConditionFailed(err) {
			return nil, fmt.Errorf("apply credit to %s: %w", id, err)
		}
		if attempt == maxAttempts {
			return nil, fmt.Errorf("apply credit to %s: %w", id, invoice.ErrConflict)
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}
