package web_test

import "testing"

// TestPaymentDialogAllocationFollowsAmount: the record-payment dialog
// opened from a $120 invoice allocates its balance; lowering the amount
// to $50 (a new-user trial got "Allocations add up to more than the
// payment") moves the untouched allocation to $50, raising it past the
// balance stops at $120, and once the person types an allocation it stays.
func TestPaymentDialogAllocationFollowsAmount(t *testing.T) {
	t.Parallel()
	base, _ := newSiteOn(t)
	b := newBrowser(t, base)
	b.signup("Allocation Care")
	cid := b.call(201, "POST", "/v1/clients", `{name: 'Ivy Chen'}`)["id"].(string)
	iid := b.finalizedInvoice(cid, "120.00")
	alloc := `document.querySelector('[data-alloc="` + iid + `"] input').value`

	b.open("/app/invoices/" + iid)
	b.click(`[data-action="record-payment"]`)
	b.waitFor("the invoice's allocation", alloc+` === '120.00'`)
	b.fill("[data-payment-form] [name=amount]", "50")
	b.waitFor("the allocation following the amount", alloc+` === '50'`)
	b.waitText("[data-payment-preview] [data-preview-allocations]", "$50.00 to INV-00001")
	b.fill("[data-payment-form] [name=amount]", "$150")
	b.waitFor("the allocation stopping at the balance", alloc+` === '120.00'`)
	b.fill("[data-payment-form] [name=amount]", "50")
	b.waitFor("the allocation back at the amount", alloc+` === '50'`)
	b.click("[data-payment-submit]")
	b.waitFor("the dialog closed", `!document.querySelector('[data-payment-dialog]').open`)
	if inv := b.call(200, "GET", "/v1/invoices/"+iid, ""); inv["balance"] != "70.00" {
		b.fail("balance after paying $50: %v", inv["balance"])
	}

	// Typed by hand, the allocation is the person's: the amount leaves it.
	b.click(`[data-action="record-payment"]`)
	b.waitFor("the invoice's allocation", alloc+` === '70.00'`)
	b.fill(`[data-alloc="`+iid+`"] input`, "30")
	b.fill("[data-payment-form] [name=amount]", "40")
	b.waitText("[data-payment-preview] [data-preview-allocations]", "$30.00 to INV-00001")
	if got := eval[string](b, alloc); got != "30" {
		b.fail("a typed allocation changed to %q", got)
	}
}
