package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/payment"
)

// IssueShortfallNote issues a run's shortfall credit note (or write-off)
// for key (a hash of the invoice and its paid claim references) exactly
// once: the note and the RUNSHORT marker naming it are written in one
// transaction, the marker on condition it does not exist. A crash before
// that transaction leaves neither, so a retried upload issues the note; a
// crash after it leaves both, so the retry finds the marker. issued is
// false, and nothing is written, when the marker is already there.
func (s *Store) IssueShortfallNote(ctx context.Context, orgID, runID, key, invoiceID string,
	issue func(inv *invoice.Invoice, pays []*payment.Payment, seq int64) (*credit.Note, []activity.Event, error)) (note *credit.Note, issued bool, err error) {
	found, err := s.get(ctx, orgPK(orgID), runShortfallSK(runID, key), &struct{}{})
	if err != nil {
		return nil, false, fmt.Errorf("shortfall %s: %w", key, err)
	}
	if found {
		return nil, false, nil
	}
	note, issued, err = s.issueCreditNote(ctx, orgID, invoiceID, func(n *credit.Note) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{attrPK: strAV(orgPK(orgID)), attrSK: strAV(runShortfallSK(runID, key)),
			"type": strAV("runshortfall"), "noteId": strAV(n.ID), "invoiceId": strAV(invoiceID)}
	}, issue)
	if err != nil {
		return nil, false, fmt.Errorf("shortfall %s: %w", key, err)
	}
	return note, issued, nil
}

// conditionFailedAt reports whether a cancelled transaction failed item
// i's condition (whatever else it failed).
func conditionFailedAt(err error, i int) bool {
	var tce *types.TransactionCanceledException
	return errors.As(err, &tce) && len(tce.CancellationReasons) > i && aws.ToString(tce.CancellationReasons[i].Code) == "ConditionalCheckFailed"
}
