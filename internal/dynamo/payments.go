package dynamo

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/payment"
)

const seriesReceipt = "receipt"

func paymentSK(id string) string { return "PAY#" + id }

// intentSK keys the marker that a card payment intent has its payment.
func intentSK(intent string) string { return "PAYINTENT#" + intent }

// requestSK keys the marker that an API request's Idempotency-Key has
// recorded its payment.
func requestSK(key string) string { return "PAYREQUEST#" + key }

// markerSK is the sort key of p's at-most-once marker: its card intent's,
// else its request key's; "" when it has neither.
func markerSK(p *payment.Payment) string {
	switch {
	case p.IntentID != "":
		return intentSK(p.IntentID)
	case p.RequestKey != "":
		return requestSK(p.RequestKey)
	}
	return ""
}
func clientPaymentsPK(org, cli string) string {
	return "ORG#" + org + "#CLIENT#" + cli + "#PAY"
}

type allocationItem struct {
	InvoiceID string `dynamodbav:"invoiceId"`
	Number    string `dynamodbav:"number,omitempty"`
	Amount    num    `dynamodbav:"amount"`
}

type refundItem struct {
	Amount num    `dynamodbav:"amount"`
	Reason string `dynamodbav:"reason"`
	At     string `dynamodbav:"at"`
	Source string `dynamodbav:"source"`
}

type paymentItem struct {
	PK, SK         string
	GSI1PK, GSI1SK string
	Type           string           `dynamodbav:"type"`
	ID             string           `dynamodbav:"id"`
	OrgID          string           `dynamodbav:"orgId"`
	ClientID       string           `dynamodbav:"clientId"`
	Amount         num              `dynamodbav:"amount"`
	Currency       string           `dynamodbav:"currency"`
	Date           string           `dynamodbav:"date"`
	Method         string           `dynamodbav:"method"`
	Reference      string           `dynamodbav:"reference,omitempty"`
	Comments       string           `dynamodbav:"comments,omitempty"`
	Requested      []allocationItem `dynamodbav:"requested,omitempty"`
	Allocations    []allocationItem `dynamodbav:"allocations"`
	Credit         num              `dynamodbav:"credit"`
	Fee            num              `dynamodbav:"fee,omitempty"`
	IntentID       string           `dynamodbav:"intentId,omitempty"`
	RequestKey     string           `dynamodbav:"requestKey,omitempty"`
	Refunds        []refundItem     `dynamodbav:"refunds,omitempty"`
	Reversed       bool             `dynamodbav:"reversed,omitempty"`
	ReversedAt     string           `dynamodbav:"reversedAt,omitempty"`
	ReverseReason  string           `dynamodbav:"reverseReason,omitempty"`
	ReversedAllocs []allocationItem `dynamodbav:"reversedAllocations,omitempty"`
	Version        int64            `dynamodbav:"version,omitempty"`
	ReceiptNumber  string           `dynamodbav:"receiptNumber"`
	ReceiptSeq     int64            `dynamodbav:"receiptSeq"`
	CreatedAt      string           `dynamodbav:"createdAt"`
}

func allocItems(as []payment.Allocation) []allocationItem {
	out := make([]allocationItem, 0, len(as))
	for _, a := range as {
		out = append(out, allocationItem{InvoiceID: a.InvoiceID, Number: a.Number, Amount: toNum(a.Amount)})
	}
	return out
}

func (it paymentItem) allocations(items []allocationItem) ([]payment.Allocation, error) {
	var out []payment.Allocation
	for _, a := range items {
		amt, err := fromNum("allocation", a.Amount)
		if err != nil {
			return nil, err
		}
		out = append(out, payment.Allocation{InvoiceID: a.InvoiceID, Number: a.Number, Amount: amt})
	}
	return out, nil
}

func paymentToItem(p *payment.Payment) paymentItem {
	in := p.Input
	it := paymentItem{
		PK: orgPK(p.OrgID), SK: paymentSK(p.ID), GSI1PK: clientPaymentsPK(p.OrgID, in.ClientID), GSI1SK: p.ID,
		Type: "payment", ID: p.ID, OrgID: p.OrgID, ClientID: in.ClientID, Amount: toNum(in.Amount),
		Currency: in.Currency.Code(), Date: in.Date.String(), Method: string(in.Method), Reference: in.Reference,
		Comments: in.Comments, Requested: allocItems(in.Allocations), Allocations: allocItems(p.Allocations), ReversedAllocs: allocItems(p.ReversedAllocations),
		Credit: toNum(p.Credit), ReceiptNumber: p.ReceiptNumber, ReceiptSeq: p.ReceiptSeq, CreatedAt: ts(p.CreatedAt),
		IntentID: p.IntentID, RequestKey: p.RequestKey,
	}
	if p.Fee.IsPositive() {
		it.Fee = toNum(p.Fee)
	}
	for _, r := range p.Refunds {
		it.Refunds = append(it.Refunds, refundItem{Amount: toNum(r.Amount), Reason: r.Reason, At: ts(r.At), Source: r.Source})
	}
	it.Reversed, it.ReversedAt, it.ReverseReason, it.Version = p.Reversed, ts(p.ReversedAt), p.ReverseReason, p.Version
	return it
}

func (it paymentItem) toPayment() (*payment.Payment, error) {
	cur, err := money.ParseCurrency(it.Currency)
	if err != nil {
		return nil, err
	}
	p := &payment.Payment{
		ID: it.ID, OrgID: it.OrgID, ReceiptNumber: it.ReceiptNumber, ReceiptSeq: it.ReceiptSeq, CreatedAt: fromTS(it.CreatedAt),
		IntentID: it.IntentID, RequestKey: it.RequestKey,
		Input: payment.Input{ClientID: it.ClientID, Currency: cur, Method: payment.Method(it.Method), Reference: it.Reference, Comments: it.Comments},
	}
	if p.Input.Amount, err = fromNum("amount", it.Amount); err != nil {
		return nil, err
	}
	if p.Credit, err = fromNum("credit", it.Credit); err != nil {
		return nil, err
	}
	if p.Fee, err = fromNum("fee", it.Fee); err != nil {
		return nil, err
	}
	if p.Input.Date, err = calendar.Parse(it.Date); err != nil {
		return nil, err
	}
	for _, r := range it.Refunds {
		amt, err := fromNum("refund", r.Amount)
		if err != nil {
			return nil, err
		}
		p.Refunds = append(p.Refunds, payment.Refund{Amount: amt, Reason: r.Reason, At: fromTS(r.At), Source: r.Source})
	}
	p.Reversed, p.ReversedAt, p.ReverseReason, p.Version = it.Reversed, fromTS(it.ReversedAt), it.ReverseReason, it.Version
	if p.Input.Allocations, err = it.allocations(it.Requested); err != nil {
		return nil, err
	}
	if p.ReversedAllocations, err = it.allocations(it.ReversedAllocs); err != nil {
		return nil, err
	}
	if p.Allocations, err = it.allocations(it.Allocations); err != nil {
		return nil, err
	}
	return p, nil
}

// maxPaymentAttempts bounds retries of a payment that keeps meeting
// concurrent changes to the same invoices.
const maxPaymentAttempts = 60

// RecordPayment records a client's payment. It reads the client, its open
// invoices (consistently) and the receipt counter, lets allocate decide
// where the money goes (changing the invoices it pays), and writes
// counter, payment, the payment's ledger entry with the client's balances,
// every paid invoice and the events in one transaction, each invoice conditioned on the version
// read. A lost race re-reads and allocates again, so concurrent payments
// never over-apply an invoice and never lose money. A payment with an
// IntentID also puts the intent's marker, on condition that it is new, in
// the same transaction: a second payment for one intent is refused with
// payment.ErrAlreadyRecorded and writes nothing.
func (s *Store) RecordPayment(ctx context.Context, orgID, clientID string,
	allocate func(open []*invoice.Invoice, receiptSeq int64) (*payment.Payment, []activity.Event, error)) (*payment.Payment, error) {
	for attempt := 1; ; attempt++ {
		c, open, last, err := s.readForPayment(ctx, orgID, clientID)
		if err != nil {
			return nil, err
		}
		p, events, err := allocate(open, last+1)
		if err != nil {
			return nil, err
		}
		tx, err := s.paymentWrites(ctx, c, p, last, open, events)
		if err != nil {
			return nil, fmt.Errorf("record payment: %w", err)
		}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
		if err == nil {
			return p, nil
		}
		if markerSK(p) != "" && reasonFailed(err, 3) {
			return nil, fmt.Errorf("record payment for %s: %w", markerSK(p), payment.ErrAlreadyRecorded)
		}
		if !isConditionFailed(err) {
			return nil, fmt.Errorf("record payment: %w", err)
		}
		if attempt == maxPaymentAttempts {
			return nil, fmt.Errorf("record payment: %w", payment.ErrConflict)
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// paymentWrites orders the payment's writes: counter, payment, client
// (index 2), intent marker (index 3, card payments), paid invoices, the
// ledger entry, events.
func (s *Store) paymentWrites(ctx context.Context, c *client.Client, p *payment.Payment, lastSeq int64, open []*invoice.Invoice, events []activity.Event) ([]types.TransactWriteItem, error) {
	counter := s.counterPut(p.OrgID, seriesReceipt, lastSeq)
	pay, err := attributevalue.MarshalMap(paymentToItem(p))
	if err != nil {
		return nil, err
	}
	allocated := decimal.Zero
	paid := map[string]bool{}
	for _, a := range p.Allocations {
		paid[a.InvoiceID] = true
		allocated = allocated.Add(a.Amount)
	}
	received := ledger.Received(p.OrgID, p.Input.ClientID, p.Input.Currency,
		ledger.Doc{ID: p.ID, Number: p.ReceiptNumber}, p.Input.Amount, allocated, string(p.Input.Method))
	received.Effective = p.Input.Date
	byInvoice := map[string]decimal.Decimal{}
	for _, a := range p.Allocations {
		byInvoice[a.InvoiceID] = byInvoice[a.InvoiceID].Add(a.Amount)
	}
	received.Splits = ledger.PaidSplits(nil, byInvoice)
	posts, err := s.postWrites(ctx, c, []ledger.Entry{received}, p.CreatedAt)
	if err != nil {
		return nil, err
	}
	var invoicePuts []types.TransactWriteItem
	for _, inv := range open {
		if !paid[inv.ID] {
			continue
		}
		prev := inv.Version
		inv.Version++
		av, err := attributevalue.MarshalMap(invoiceToItem(inv))
		if err != nil {
			return nil, err
		}
		invoicePuts = append(invoicePuts, s.versionedTxPut(av, prev))
	}
	tx := []types.TransactWriteItem{
		{Put: counter},
		{Put: &types.Put{TableName: &s.table, Item: pay, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		posts[0],
	}
	if marker := markerSK(p); marker != "" {
		kind := "payintent"
		if p.IntentID == "" {
			kind = "payrequest"
		}
		tx = append(tx, types.TransactWriteItem{Put: &types.Put{
			TableName: &s.table, ConditionExpression: aws.String("attribute_not_exists(PK)"),
			Item: map[string]types.AttributeValue{
				attrPK: strAV(orgPK(p.OrgID)), attrSK: strAV(marker), "type": strAV(kind),
				"paymentId": strAV(p.ID), "createdAt": strAV(ts(p.CreatedAt)),
			},
		}})
	}
	tx = append(tx, invoicePuts...)
	tx = append(tx, posts[1:]...)
	if p.IntentID != "" {
		// The intent's org, for processor events that carry no carebill
		// metadata (disputes). Guarded by the org's marker above.
		tx = append(tx, types.TransactWriteItem{Put: &types.Put{
			TableName: &s.table,
			Item: map[string]types.AttributeValue{
				attrPK: strAV(intentSK(p.IntentID)), attrSK: strAV(intentSK(p.IntentID)), "type": strAV("intentorg"),
				"orgId": strAV(p.OrgID), "paymentId": strAV(p.ID),
			},
		}})
	}
	puts, err := s.eventPuts(events)
	if err != nil {
		return nil, err
	}
	return append(tx, puts...), nil
}

// readForPayment reads what a payment needs, consistently: the client,
// the receipt counter and every one of the client's open invoices, oldest
// due first. The open invoices' keys come from the client's invoice index
// (every page, so none is missed however many the client has); the items
// themselves, client and counter come in consistent BatchGetItems, so
// allocation never works from a stale balance.
func (s *Store) readForPayment(ctx context.Context, orgID, clientID string) (*client.Client, []*invoice.Invoice, int64, error) {
	keys := []map[string]types.AttributeValue{key(orgPK(orgID), clientSK(clientID)), key(orgPK(orgID), seqSK(seriesReceipt))}
	in := &dynamodb.QueryInput{
		TableName: &s.table, IndexName: aws.String(indexGSI1),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		FilterExpression:          aws.String("#st = :open"),
		ProjectionExpression:      aws.String("PK, SK"),
		ExpressionAttributeNames:  map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": strAV(clientInvoicesPK(orgID, clientID)), ":open": strAV(string(invoice.Open))},
	}
	for {
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("open invoices: %w", err)
		}
		for _, it := range res.Items {
			keys = append(keys, map[string]types.AttributeValue{attrPK: it[attrPK], attrSK: it[attrSK]})
		}
		if res.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
	var (
		c    *client.Client
		last int64
		out  []*invoice.Invoice
	)
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), 100)]
		keys = keys[len(chunk):]
		req := map[string]types.KeysAndAttributes{s.table: {Keys: chunk, ConsistentRead: aws.Bool(true)}}
		for n := 1; len(req) > 0; n++ {
			res, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return nil, nil, 0, fmt.Errorf("open invoices: %w", err)
			}
			for _, av := range res.Responses[s.table] {
				switch sk := av[attrSK].(*types.AttributeValueMemberS).Value; {
				case sk == clientSK(clientID):
					var it clientItem
					if err := attributevalue.UnmarshalMap(av, &it); err != nil {
						return nil, nil, 0, err
					}
					if c, err = it.toClient(); err != nil {
						return nil, nil, 0, err
					}
				case sk == seqSK(seriesReceipt):
					var it seqItem
					if err := attributevalue.UnmarshalMap(av, &it); err != nil {
						return nil, nil, 0, err
					}
					last = it.Last
				default:
					var it invoiceItem
					if err := attributevalue.UnmarshalMap(av, &it); err != nil {
						return nil, nil, 0, err
					}
					inv, err := it.toInvoice()
					if err != nil {
						return nil, nil, 0, err
					}
					if inv.Status() == invoice.Open {
						out = append(out, inv)
					}
				}
			}
			req = res.UnprocessedKeys
			if len(req) > 0 {
				if err := backoff(ctx, n); err != nil {
					return nil, nil, 0, err
				}
			}
		}
	}
	if c == nil {
		return nil, nil, 0, fmt.Errorf("record payment: %w", client.ErrNotFound)
	}
	slices.SortStableFunc(out, func(a, b *invoice.Invoice) int {
		if d := strings.Compare(a.Spec.DueDate.String(), b.Spec.DueDate.String()); d != 0 {
			return d
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	return c, out, last, nil
}

// GetPayment reads one payment.
func (s *Store) GetPayment(ctx context.Context, orgID, id string) (*payment.Payment, error) {
	var it paymentItem
	found, err := s.get(ctx, orgPK(orgID), paymentSK(id), &it)
	if err != nil {
		return nil, fmt.Errorf("get payment %s: %w", id, err)
	}
	if !found {
		return nil, fmt.Errorf("get payment %s: %w", id, payment.ErrNotFound)
	}
	return it.toPayment()
}

// PaymentByIntent reads the payment recorded for a card payment intent,
// or payment.ErrNotFound when there is none yet.
func (s *Store) PaymentByIntent(ctx context.Context, orgID, intent string) (*payment.Payment, error) {
	var marker struct {
		PaymentID string `dynamodbav:"paymentId"`
	}
	found, err := s.get(ctx, orgPK(orgID), intentSK(intent), &marker)
	if err != nil {
		return nil, fmt.Errorf("payment for intent %s: %w", intent, err)
	}
	if !found {
		return nil, fmt.Errorf("payment for intent %s: %w", intent, payment.ErrNotFound)
	}
	return s.GetPayment(ctx, orgID, marker.PaymentID)
}

// PaymentByRequest reads the payment an API request with Idempotency-Key
// key recorded, from the key's marker; payment.ErrNotFound if none.
func (s *Store) PaymentByRequest(ctx context.Context, orgID, key string) (*payment.Payment, error) {
	var marker struct {
		PaymentID string `dynamodbav:"paymentId"`
	}
	found, err := s.get(ctx, orgPK(orgID), requestSK(key), &marker)
	if err != nil {
		return nil, fmt.Errorf("payment for request %s: %w", key, err)
	}
	if !found {
		return nil, fmt.Errorf("payment for request %s: %w", key, payment.ErrNotFound)
	}
	return s.GetPayment(ctx, orgID, marker.PaymentID)
}

// IntentOrg returns the org a card payment intent was recorded for, read
// from the intent's org marker; payment.ErrNotFound if no payment of the
// intent is recorded yet.
func (s *Store) IntentOrg(ctx context.Context, intent string) (string, error) {
	var marker struct {
		OrgID string `dynamodbav:"orgId"`
	}
	found, err := s.get(ctx, intentSK(intent), intentSK(intent), &marker)
	if err != nil {
		return "", fmt.Errorf("org of intent %s: %w", intent, err)
	}
	if !found {
		return "", fmt.Errorf("org of intent %s: %w", intent, payment.ErrNotFound)
	}
	return marker.OrgID, nil
}

// ListPayments lists payments newest first: one client's, or the org's.
func (s *Store) ListPayments(ctx context.Context, orgID, clientID string, limit int, cursor string) ([]*payment.Payment, string, error) {
	q := listQuery{org: orgID, limit: limit, cursor: cursor}
	if clientID != "" {
		q.index, q.pk = indexGSI1, clientPaymentsPK(orgID, clientID)
	} else {
		q.pk, q.skCond, q.sk = orgPK(orgID), "begins_with(#sk, :sk)", "PAY#"
	}
	items, next, err := s.run(ctx, q)
	if err != nil {
		return nil, "", fmt.Errorf("list payments: %w", err)
	}
	out := make([]*payment.Payment, 0, len(items))
	for _, av := range items {
		var it paymentItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, "", err
		}
		p, err := it.toPayment()
		if err != nil {
			return nil, "", err
		}
		out = append(out, p)
	}
	return out, next, nil
}
