package dynamo

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/session"
)

// claimSessions are the writes that bill sessions on a run invoice: each
// session takes the invoice's id and the run's invoice mode, moving its
// version (a concurrent attendance change re-reads), on condition that it
// is still billable (attended, or cancelled at short notice) and billed by nothing else: neither an invoice of
// its own nor its way to the month's draft (run.BillableSession). A
// session its own invoicing took first fails the transaction as a taken
// task does (run.ErrTaskTaken).
func (s *Store) claimSessions(orgID, invoiceID string, sessionIDs []string) []types.TransactWriteItem {
	tx := make([]types.TransactWriteItem, 0, len(sessionIDs))
	for _, id := range sessionIDs {
		tx = append(tx, types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(orgPK(orgID), sessionSK(id)),
			UpdateExpression:    aws.String("SET invoiceId = :inv, invoiceMode = :mode ADD version :one"),
			ConditionExpression: aws.String("attribute_exists(PK) AND (attendance = :attended OR (attendance = :cancelled AND attribute_exists(cancellationReason))) AND attribute_not_exists(invoiceId) AND attribute_not_exists(invoiceMode)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":inv": strAV(invoiceID), ":mode": strAV(run.SessionInvoiceMode),
				":attended": strAV(string(session.Attended)), ":cancelled": strAV(string(session.Cancelled)), ":one": numAV(1)}}})
	}
	return tx
}

// quantityJSON writes a claim's quantity ("" when it claims hours).
func quantityJSON(q decimal.Decimal) string {
	if q.IsZero() {
		return ""
	}
	return q.String()
}
