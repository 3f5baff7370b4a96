package memstore

import "github.com/carebill/carebill/internal/billing"

// The use cases' storage interfaces this store implements: billing.Store
// and each narrow store it is the sum of, and billing.ReversalStore.
var (
	_ billing.Store            = (*Store)(nil)
	_ billing.OrgStore         = (*Store)(nil)
	_ billing.ClientStore      = (*Store)(nil)
	_ billing.InvoiceStore     = (*Store)(nil)
	_ billing.CreditNoteStore  = (*Store)(nil)
	_ billing.PaymentStore     = (*Store)(nil)
	_ billing.CardPaymentStore = (*Store)(nil)
	_ billing.PayLinkStore     = (*Store)(nil)
	_ billing.ActivityStore    = (*Store)(nil)
	_ billing.ReversalStore    = (*Store)(nil)
)
