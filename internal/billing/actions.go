package billing

import (
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/invoice"
)

// actionNeeds is the permission each invoice action's use case checks
// (allow): voiding and unlocking are admins' (VoidInvoice, UnlockInvoice);
// every other action is billing work (auth.Bill), locking included.
var actionNeeds = map[invoice.Action]auth.Action{
	invoice.ActVoid:   auth.Void,
	invoice.ActUnlock: auth.Unlock,
}

// InvoiceActions are the actions inv's state allows (AvailableActions)
// that p's role may take, in the same order, never nil: a viewer gets
// none, a coordinator no Void or Unlock. Pages offer exactly these; the
// use cases still refuse the rest (auth.ErrForbidden, 403).
func InvoiceActions(p auth.Principal, inv *invoice.Invoice) []invoice.Action {
	out := make([]invoice.Action, 0, 8)
	for _, a := range inv.AvailableActions() {
		need, ok := actionNeeds[a]
		if !ok {
			need = auth.Bill
		}
		if p.Role.May(need) {
			out = append(out, a)
		}
	}
	return out
}
