package billing

import (
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/payment"
)

// actionNeeds is the permission each invoice action's use case checks
// (allow): voiding and unlocking are admins' (VoidInvoice, UnlockInvoice);
// every other action is billing work (auth.Bill), locking included.
var actionNeeds = map[invoice.Action]auth.Action{
	invoice.ActVoid:   auth.Void,
	invoice.ActUnlock: auth.Unlock,
}

// InvoiceActions are the actions v's state allows (AvailableActions)
// that p's role may take, in the same order, never nil: a viewer gets
// none, a coordinator no Void or Unlock, and an NDIA-managed
// participant's invoice no send, resend or pay link (ndiaPaid; the NDIA
// pays it). Pages offer exactly these; the use cases still refuse the
// rest (auth.ErrForbidden 403, ErrNDIAManaged 422).
func InvoiceActions(p auth.Principal, v InvoiceView) []invoice.Action {
	out := make([]invoice.Action, 0, 8)
	for _, a := range v.AvailableActions() {
		if v.NDIAManaged && ndiaPaid[a] {
			continue
		}
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

// Payment actions a page may offer beside a payment (PaymentActions).
const (
	PayEmailReceipt = "email_receipt"
	PayRefund       = "refund"
	PayReverse      = "reverse"
)

// PaymentActions are what p's role may do to pay as it stands, in this
// order, never nil: email its receipt (billing work, auth.Bill) unless it
// is reversed; refund and reverse (admins', auth.Refund and auth.Reverse)
// while anything of it is left with the business (payment.Left > 0). A
// viewer gets none, a coordinator only the receipt email. The use cases
// still refuse the rest (auth.ErrForbidden, 403).
func PaymentActions(p auth.Principal, pay *payment.Payment) []string {
	out := make([]string, 0, 3)
	if pay.Reversed {
		return out
	}
	if p.Role.May(auth.Bill) {
		out = append(out, PayEmailReceipt)
	}
	if pay.Left().IsPositive() {
		if p.Role.May(auth.Refund) {
			out = append(out, PayRefund)
		}
		if p.Role.May(auth.Reverse) {
			out = append(out, PayReverse)
		}
	}
	return out
}

// Permissions are the actions role r may take (auth.Action values, in
// the matrix's order), for a page to show only what the signed-in member
// may do (GET /v1/me).
func Permissions(r auth.Role) []auth.Action {
	all := []auth.Action{auth.View, auth.Bill, auth.Void, auth.Unlock, auth.Refund, auth.Reverse, auth.ChangeSettings, auth.Export, auth.ManageUsers}
	out := make([]auth.Action, 0, len(all))
	for _, a := range all {
		if r.May(a) {
			out = append(out, a)
		}
	}
	return out
}
