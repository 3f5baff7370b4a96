package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/paylink"
)

func payLinkSK(hash string) string { return "LINK#" + hash }
func invoiceLinksPK(org, inv string) string {
	return "ORG#" + org + "#INV#" + inv + "#LINK"
}

// linksPK is the GSI1 partition of an invoice's links, or of a client's
// pay-all links.
func linksPK(l paylink.Link) string {
	if l.ClientID != "" {
		return "ORG#" + l.OrgID + "#CLIENT#" + l.ClientID + "#LINK"
	}
	return invoiceLinksPK(l.OrgID, l.InvoiceID)
}

type payLinkItem struct {
	PK, SK         string
	GSI1PK, GSI1SK string
	Type           string `dynamodbav:"type"`
	InvoiceID      string `dynamodbav:"invoiceId,omitempty"`
	ClientID       string `dynamodbav:"clientId,omitempty"`
	CreatedAt      string `dynamodbav:"createdAt"`
}

// maxLinksPerInvoice bounds the live links of one invoice; creating one
// more revokes the oldest.
const maxLinksPerInvoice = 20

// CreatePayLink stores a new link. With rotate, every other link of the
// invoice (or, for a pay-all link, of the client) is revoked in the same
// transaction.
func (s *Store) CreatePayLink(ctx context.Context, l paylink.Link, rotate bool) error {
	existing, _, err := s.run(ctx, listQuery{org: l.OrgID, index: indexGSI1, pk: linksPK(l), forward: true, limit: MaxPageSize})
	if err != nil {
		return fmt.Errorf("create pay link: %w", err)
	}
	av, err := attributevalue.MarshalMap(payLinkItem{
		PK: orgPK(l.OrgID), SK: payLinkSK(l.Hash), GSI1PK: linksPK(l), GSI1SK: ts(l.CreatedAt) + "#" + l.Hash,
		Type: "paylink", InvoiceID: l.InvoiceID, ClientID: l.ClientID, CreatedAt: ts(l.CreatedAt),
	})
	if err != nil {
		return err
	}
	tx := []types.TransactWriteItem{{Put: &types.Put{TableName: &s.table, Item: av, ConditionExpression: strPtr("attribute_not_exists(PK)")}}}
	revoke := existing
	if !rotate {
		revoke = existing[:max(0, len(existing)-maxLinksPerInvoice+1)]
	}
	for _, old := range revoke {
		tx = append(tx, types.TransactWriteItem{Delete: &types.Delete{
			TableName: &s.table, Key: map[string]types.AttributeValue{attrPK: old[attrPK], attrSK: old[attrSK]},
		}})
	}
	if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx}); err != nil {
		return fmt.Errorf("create pay link: %w", err)
	}
	return nil
}

// PayLink finds a live link by its secret's hash.
func (s *Store) PayLink(ctx context.Context, orgID, hash string) (paylink.Link, error) {
	var it payLinkItem
	found, err := s.get(ctx, orgPK(orgID), payLinkSK(hash), &it)
	if err != nil {
		return paylink.Link{}, fmt.Errorf("get pay link: %w", err)
	}
	if !found {
		return paylink.Link{}, paylink.ErrInvalid
	}
	return paylink.Link{OrgID: orgID, Hash: hash, InvoiceID: it.InvoiceID, ClientID: it.ClientID, CreatedAt: fromTS(it.CreatedAt)}, nil
}
