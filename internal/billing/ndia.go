package billing

import (
	"context"
	"errors"
	"fmt"

	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
)

// ErrNDIAManaged refuses a pay link or a card payment for an
// NDIA-managed participant's invoice: the NDIA pays it, claimed through
// the NDIA bulk payment request file and settled by its remittance, so a
// card payment by the participant would take the money twice. Recording
// the NDIA's payment by hand (POST /v1/payments) stays open.
var ErrNDIAManaged = errors.New("this invoice is for an NDIA-managed participant: the NDIA pays it through the bulk payment request, so it takes no pay link or card payment")

// ndiaPaid are the invoice actions an NDIA-managed participant's invoice
// never offers: every way of putting it in front of the participant to
// pay (send, resend, pay link). Their use cases refuse them with
// delivery.ErrNDIAManaged or ErrNDIAManaged.
var ndiaPaid = map[invoice.Action]bool{invoice.ActSend: true, invoice.ActResend: true, invoice.ActPayLink: true}

// ndiaManaged reports whether the NDIA pays the invoices of clientID: the
// client's current funding type (client.NDIAManaged), the same rule that
// keeps its invoices from being sent (delivery.Recipient). A client that
// no longer exists is not NDIA-managed.
func (s *Service) ndiaManaged(ctx context.Context, orgID, clientID string) (bool, error) {
	c, err := s.store.GetClient(ctx, orgID, clientID)
	if errors.Is(err, client.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("funding of client %s: %w", clientID, err)
	}
	return c.Profile.Funding.Type == client.NDIAManaged, nil
}

// checkNotNDIAManaged is ErrNDIAManaged for an NDIA-managed participant's
// invoice, nil for any other.
func (s *Service) checkNotNDIAManaged(ctx context.Context, inv *invoice.Invoice) error {
	ndia, err := s.ndiaManaged(ctx, inv.OrgID, inv.Spec.ClientID)
	if err != nil {
		return err
	}
	if ndia {
		return ErrNDIAManaged
	}
	return nil
}
