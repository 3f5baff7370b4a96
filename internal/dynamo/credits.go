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
	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/payment"
)

const seriesCredit = "credit"

func creditSK(id string) string { return "CRN#" + id }

type creditItem struct {
	PK, SK         string
	GSI1PK, GSI1SK string
	Type           string `dynamodbav:"type"`
	ID             string `dynamodbav:"id"`
	OrgID          string `dynamodbav:"orgId"`
	InvoiceID      string `dynamodbav:"invoiceId"`
	Invoice        string `dynamodbav:"invoiceNumber"`
	ClientID       string `dynamodbav:"clientId"`
	Amount         num    `dynamodbav:"amount"`
	Currency       string `dynamodbav:"currency"`
	Reason         string `dynamodbav:"reason"`
	Number         string `dynamodbav:"number"`
	Seq            int64  `dynamodbav:"seq"`
	CreatedAt      string `dynamodbav:"createdAt"`
	VoidedAt       string `dynamodbav:"voidedAt,omitempty"`
	ToBalance      num    `dynamodbav:"toBalance,omitempty"`
	ToCredit       num    `dynamodbav:"toClientCredit,omitempty"`
	ToRefund       num    `dynamodbav:"toRefund,omitempty"`
	ToOutside      num    `dynamodbav:"toOutside,omitempty"`
	VoidReason     string `dynamodbav:"voidReason,omitempty"`
}

// IssueCreditNote numbers a credit note from the org's credit series and
// writes it with the credited invoice, its ledger entry with the client's
// balances, and the events in one transaction, like finalization does for
// invoices.
//
// A note on a paid invoice takes paid money back off the client's payments
// allocated to it (read newest first and passed to issue): every payment
// issue changed is written too (on its version), with a ledger entry for
// where that money went (kept as client credit, or refunded).
func (s *Store) IssueCreditNote(ctx context.Context, orgID, invoiceID string,
	issue func(inv *invoice.Invoice, pays []*payment.Payment, seq int64) (*credit.Note, []activity.Event, error)) (*credit.Note, error) {
	note, _, err := s.issueCreditNote(ctx, orgID, invoiceID, nil, issue)
	return note, err
}

// issueCreditNote is IssueCreditNote with, when once is set, one more
// item put in the note's transaction on condition it does not exist yet
// (once gives it the note). When that condition fails the note was
// issued before: nothing is written and the answer is (nil, false, nil).
func (s *Store) issueCreditNote(ctx context.Context, orgID, invoiceID string, once func(*credit.Note) map[string]types.AttributeValue,
	issue func(inv *invoice.Invoice, pays []*payment.Payment, seq int64) (*credit.Note, []activity.Event, error)) (*credit.Note, bool, error) {
	for attempt := 1; ; attempt++ {
		inv, err := s.GetInvoice(ctx, orgID, invoiceID)
		if err != nil {
			return nil, false, err
		}
		var counter seqItem
		if _, err := s.get(ctx, orgPK(orgID), seqSK(seriesCredit), &counter); err != nil {
			return nil, false, fmt.Errorf("issue credit note: %w", err)
		}
		c, err := s.GetClient(ctx, orgID, inv.Spec.ClientID)
		if err != nil {
			return nil, false, fmt.Errorf("issue credit note: %w", err)
		}
		pays, err := s.paymentsOf(ctx, inv)
		if err != nil {
			return nil, false, fmt.Errorf("issue credit note: %w", err)
		}
		versions := map[string]int64{}
		allocated := map[string]decimal.Decimal{}
		for _, p := range pays {
			versions[p.ID] = p.Version
			allocated[p.ID] = allocatedTo(p, invoiceID)
		}
		before := *inv
		note, events, err := issue(inv, pays, counter.Last+1)
		if err != nil {
			return nil, false, err
		}
		tx, err := s.invoiceWrites(inv, events)
		if err != nil {
			return nil, false, err
		}
		for _, p := range pays {
			if allocatedTo(p, invoiceID).Equal(allocated[p.ID]) {
				continue // the note took nothing back off this payment
			}
			put, err := s.paymentPut(p, versions[p.ID])
			if err != nil {
				return nil, false, err
			}
			tx = append(tx, put)
		}
		doc := ledger.Doc{ID: note.ID, Number: note.Number}
		entries := ledger.Diff(&before, inv, doc)
		cur, cli := inv.Spec.Currency, inv.Spec.ClientID
		if x := note.Parts.ClientCredit; x.IsPositive() {
			entries = append(entries, ledger.Entry{OrgID: orgID, ClientID: cli, Kind: ledger.PaymentReleased, Currency: cur,
				DocumentID: note.ID, Number: note.Number, InvoiceID: inv.ID, Owing: x, Credit: x, Memo: "kept as client credit"})
		}
		if x := note.Parts.Refund.Add(note.Parts.Outside); x.IsPositive() {
			e := ledger.Undone(ledger.PaymentRefunded, orgID, cli, cur, doc, x, decimal.Zero, "refunded for "+note.Number)
			e.InvoiceID = inv.ID
			entries = append(entries, e)
		}
		posts, err := s.postWrites(ctx, c, entries, note.CreatedAt)
		if err != nil {
			return nil, false, fmt.Errorf("issue credit note: %w", err)
		}
		tx = append(tx, posts...)
		av, err := attributevalue.MarshalMap(creditItem{
			PK: orgPK(orgID), SK: creditSK(note.ID), GSI1PK: invoiceActivityPK(orgID, invoiceID) + "#CRN", GSI1SK: note.ID,
			Type: "credit", ID: note.ID, OrgID: orgID, InvoiceID: invoiceID, Invoice: note.Invoice, ClientID: note.ClientID,
			Amount: toNum(note.Amount), Currency: inv.Spec.Currency.Code(), Reason: note.Reason, Number: note.Number,
			Seq: note.Seq, CreatedAt: ts(note.CreatedAt),
			ToBalance: toNum(note.Parts.Balance), ToCredit: toNum(note.Parts.ClientCredit),
			ToRefund: toNum(note.Parts.Refund), ToOutside: toNum(note.Parts.Outside),
		})
		if err != nil {
			return nil, false, err
		}
		tx = append(tx,
			types.TransactWriteItem{Put: s.counterPut(orgID, seriesCredit, counter.Last)},
			types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		)
		marker := -1
		if once != nil {
			marker = len(tx)
			tx = append(tx, types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: once(note), ConditionExpression: aws.String("attribute_not_exists(PK)")}})
		}
		if once != nil {
			// A shortfall note is one of several an upload may issue; its
			// own marker makes it exactly once, so it does not carry the
			// request's marker (which would refuse the upload's later
			// notes on a retry).
			_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
		} else {
			err = s.transactRequest(ctx, orgID, note.ID, tx)
		}
		if err == nil {
			return note, true, nil
		}
		if marker >= 0 && conditionFailedAt(err, marker) {
			// The item exists: the note was issued before (perhaps by
			// this very transaction, its reply lost and the SDK's retry
			// refused).
			return nil, false, nil
		}
		if !isConditionFailed(err) {
			return nil, false, fmt.Errorf("issue credit note: %w", err)
		}
		if attempt == maxFinalizeAttempts {
			return nil, false, fmt.Errorf("issue credit note: %w", invoice.ErrConflict)
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, false, err
		}
	}
}

// CreditNote reads one credit note.
func (s *Store) CreditNote(ctx context.Context, orgID, id string) (*credit.Note, error) {
	var it creditItem
	found, err := s.get(ctx, orgPK(orgID), creditSK(id), &it)
	if err != nil {
		return nil, fmt.Errorf("get credit note %s: %w", id, err)
	}
	if !found {
		return nil, fmt.Errorf("get credit note %s: %w", id, credit.ErrNotFound)
	}
	amt, err := fromNum("amount", it.Amount)
	if err != nil {
		return nil, err
	}
	cur, err := money.ParseCurrency(it.Currency)
	if err != nil {
		return nil, err
	}
	var parts credit.Parts
	for _, f := range []struct {
		dst *decimal.Decimal
		n   num
	}{{&parts.Balance, it.ToBalance}, {&parts.ClientCredit, it.ToCredit}, {&parts.Refund, it.ToRefund}, {&parts.Outside, it.ToOutside}} {
		if *f.dst, err = fromNum("credit note part", f.n); err != nil {
			return nil, err
		}
	}
	if it.ToBalance == "" { // issued before parts were kept: all of it off the balance
		parts.Balance = amt
	}
	return &credit.Note{
		Parts: parts,
		ID:    it.ID, OrgID: it.OrgID, InvoiceID: it.InvoiceID, Invoice: it.Invoice, ClientID: it.ClientID,
		Amount: amt, Currency: cur, Reason: it.Reason, Number: it.Number, Seq: it.Seq, CreatedAt: fromTS(it.CreatedAt),
		VoidedAt: fromTS(it.VoidedAt), VoidReason: it.VoidReason,
	}, nil
}

// paymentsOf reads the client's payments allocated to inv, newest first
// (every page of the client's payment index, each then read consistently).
func (s *Store) paymentsOf(ctx context.Context, inv *invoice.Invoice) ([]*payment.Payment, error) {
	if !inv.Paid().IsPositive() {
		return nil, nil
	}
	var out []*payment.Payment
	cursor := ""
	for {
		page, next, err := s.ListPayments(ctx, inv.OrgID, inv.Spec.ClientID, MaxPageSize, cursor)
		if err != nil {
			return nil, err
		}
		for _, p := range page {
			for _, a := range p.Allocations {
				if a.InvoiceID == inv.ID {
					fresh, err := s.GetPayment(ctx, inv.OrgID, p.ID)
					if err != nil {
						return nil, err
					}
					out = append(out, fresh)
					break
				}
			}
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

// allocatedTo is how much of p is allocated to the invoice.
func allocatedTo(p *payment.Payment, invoiceID string) decimal.Decimal {
	sum := decimal.Zero
	for _, a := range p.Allocations {
		if a.InvoiceID == invoiceID {
			sum = sum.Add(a.Amount)
		}
	}
	return sum
}
