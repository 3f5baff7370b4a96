package httpapi_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/id"
)

// TestCreditNotesOfAnInvoice is GET /v1/credit-notes?invoiceId=, which the
// invoice page reads to list its credit notes after a reload (trial 6
// item 6): the invoice's notes oldest first with number, amount, reason
// and void state, none of another invoice's; a missing or malformed
// invoiceId is 400 and another org's invoice is 404.
func TestCreditNotesOfAnInvoice(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	co := a.signup("Credit List Care")
	cid := co.must(201, "POST", "/v1/clients", map[string]any{"name": "Listed Client", "contacts": []map[string]any{{"name": "L", "email": "l@example.com"}}}).str("id")
	finalized := func() string {
		iid := co.must(201, "POST", "/v1/invoices", fmt.Sprintf(novemberInvoice, cid)).str("id")
		co.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
		return iid
	}
	iid, other := finalized(), finalized()

	if got := co.must(200, "GET", "/v1/credit-notes?invoiceId="+iid, nil).list(); len(got) != 0 {
		t.Fatalf("an invoice with no credit notes lists %v", got)
	}
	first := co.must(201, "POST", "/v1/credit-notes", map[string]any{"invoiceId": iid, "amount": "20.00", "reason": "Late start"}).str("id")
	second := co.must(201, "POST", "/v1/credit-notes", map[string]any{"invoiceId": iid, "amount": "5.00", "reason": "Goodwill"}).str("id")
	co.must(201, "POST", "/v1/credit-notes", map[string]any{"invoiceId": other, "amount": "1.00", "reason": "Elsewhere"})
	co.must(200, "POST", "/v1/credit-notes/"+second+"/void", map[string]any{"reason": "Issued in error"})

	got := co.must(200, "GET", "/v1/credit-notes?invoiceId="+iid, nil).list()
	if len(got) != 2 {
		t.Fatalf("the invoice's credit notes: %v, want 2", got)
	}
	for i, want := range []struct {
		id, amount, reason string
		void               bool
	}{{first, "20.00", "Late start", false}, {second, "5.00", "Goodwill", true}} {
		n := got[i]
		if n["id"] != want.id || n["amount"] != want.amount || n["reason"] != want.reason || n["void"] != want.void ||
			n["invoiceId"] != iid || n["number"] == "" {
			t.Errorf("note %d = %v, want %+v", i, n, want)
		}
	}

	for _, q := range []string{"", "?invoiceId=", "?invoiceId=cli_x", "?invoiceId=" + iid + "x"} {
		if r := co.do("GET", "/v1/credit-notes"+q, nil); r.status != 400 {
			t.Errorf("GET /v1/credit-notes%s = %d %s, want 400", q, r.status, r.raw)
		}
	}
	if r := co.do("GET", "/v1/credit-notes?invoiceId="+id.New(id.Invoice, time.Now()), nil); r.status != 404 {
		t.Errorf("an invoice of none = %d %s, want 404", r.status, r.raw)
	}
	if r := a.signup("Elsewhere Care").do("GET", "/v1/credit-notes?invoiceId="+iid, nil); r.status != 404 {
		t.Errorf("another org's invoice = %d %s, want 404", r.status, r.raw)
	}
}
