package billing

import (
	"context"
	"fmt"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/invoice"
)

// invoiceLister lists an org's invoices; the recurring charge and session
// stores both can.
type invoiceLister interface {
	ListInvoices(ctx context.Context, orgID string, f invoice.ListFilter) ([]*invoice.Invoice, string, error)
}

// periodDraft is the id of clientID's draft named name, the period's draft
// that work adds its lines to (recurring charges, sessions), started empty
// when there is none. It looks through the client's first 1,000 drafts;
// what names the work in its errors.
func (s *Service) periodDraft(ctx context.Context, invoices invoiceLister, p auth.Principal, clientID, name, what string) (string, error) {
	cursor := ""
	for range 10 {
		list, next, err := invoices.ListInvoices(ctx, p.OrgID, invoice.ListFilter{ClientID: clientID, Status: string(invoice.Draft), Limit: 100, Cursor: cursor})
		if err != nil {
			return "", fmt.Errorf("find %s draft: %w", what, err)
		}
		for _, inv := range list {
			if inv.Spec.Name == name {
				return inv.ID, nil
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	inv, err := s.createDraftWithID(ctx, p, s.newID("inv", s.now()), DraftInput{ClientID: clientID, Name: name})
	if err != nil {
		return "", fmt.Errorf("start %s draft: %w", what, err)
	}
	return inv.ID, nil
}
