package httpapi_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
)

// TestNDIAManagedInvoiceTakesNoCardPayment: the NDIA pays an NDIA-managed
// participant's invoice (claimed through the bulk upload file), so the
// API offers no resend or pay link for it, refuses a pay link (422
// ndia_managed), and a pay link or pay-all link sent before the
// participant became NDIA-managed opens no card checkout: nothing reaches
// Stripe (stripe-mock). Recording the NDIA's payment by hand still works.
func TestNDIAManagedInvoiceTakesNoCardPayment(t *testing.T) {
	t.Parallel()
	c := newCardAPI(t)
	s := c.signup("NDIA Care")
	orgID := s.must(200, "GET", "/v1/org", nil).str("id")
	cid, iid := finalizedInvoice(s, "Ben Ruiz")
	token := payToken(s, iid) // sent while the participant paid for themselves

	store, err := dynamo.New(dynamodb.NewFromConfig(c.st.AWS), c.st.Env(t, "InvoicingFunction")("TABLE_NAME"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := billing.New(store, nil, time.Now, id.New)
	if err != nil {
		t.Fatal(err)
	}
	link, err := svc.IssuePayAllLink(context.Background(), orgID, cid, c.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, allToken, ok := strings.Cut(link, "/pay-all/")
	if !ok {
		t.Fatalf("pay-all link %q", link)
	}
	actions := func() []string {
		var out []string
		for _, a := range s.must(200, "GET", "/v1/invoices/"+iid, nil).body["availableActions"].([]any) {
			out = append(out, a.(string))
		}
		return out
	}
	if got := actions(); !slices.Contains(got, "pay_link") || !slices.Contains(got, "resend") {
		t.Fatalf("a self-managed participant's invoice offers %v", got)
	}

	s.must(200, "PATCH", "/v1/clients/"+cid, map[string]any{"funding": map[string]any{"type": "ndia_managed", "ndisNumber": "430000001"}})
	if got, want := actions(), []string{"record_payment", "apply_credit", "credit_note", "void", "lock"}; !slices.Equal(got, want) {
		t.Errorf("availableActions %v, want %v", got, want)
	}
	if got := s.must(200, "GET", "/v1/invoices?clientId="+cid, nil).list(); len(got) != 1 || strings.Contains(fmt.Sprint(got[0]["availableActions"]), "pay_link") {
		t.Errorf("the invoice list offers %v", got)
	}
	for _, p := range []string{"/v1/invoices/" + iid + "/pay-link", "/v1/invoices/" + iid + "/pay-link?rotate=true"} {
		if r := s.do("GET", p, nil); r.status != 422 || r.str("error", "code") != "ndia_managed" {
			t.Errorf("GET %s: %d %s", p, r.status, r.raw)
		}
	}
	if r := s.do("POST", "/v1/invoices/"+iid+"/send", map[string]any{"channels": []string{"email"}}); r.status != 422 || r.str("error", "code") != "ndia_managed" {
		t.Errorf("resend: %d %s", r.status, r.raw)
	}

	n := c.stripe.Count()
	browser := c.browser(nil)
	for _, p := range []string{"/pay/" + token + "/checkout", "/pay-all/" + allToken + "/checkout"} {
		if r := browser.do("POST", p, nil); r.status != 422 || r.str("error", "code") != "ndia_managed" {
			t.Errorf("POST %s: %d %s", p, r.status, r.raw)
		}
		page := c.browser(map[string]string{"Accept": "text/html"}).do("POST", p, nil)
		if page.status != 422 || !strings.Contains(page.raw, "The NDIA pays this") {
			t.Errorf("POST %s from a browser: %d %s", p, page.status, page.raw)
		}
	}
	if c.stripe.Count() != n {
		t.Fatalf("an NDIA-managed participant's checkout reached Stripe")
	}

	// The NDIA's remittance, recorded by hand, pays it.
	s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "2260.50", "date": "2026-11-26", "method": "bank_transfer", "reference": "NDIA remittance"})
	if inv := s.must(200, "GET", "/v1/invoices/"+iid, nil); inv.str("status") != "paid" {
		t.Fatalf("after the NDIA's payment: %s", inv.raw)
	}
}
