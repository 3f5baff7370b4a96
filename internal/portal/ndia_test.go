package portal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
)

// TestPayPagesOfferNoCardPaymentToAnNDIAManagedParticipant: a pay link
// and a pay-all link sent before the participant became NDIA-managed
// still show the invoice, but no pay button: the page says the NDIA
// pays, and the pay-all total leaves the NDIA's invoices out.
func TestPayPagesOfferNoCardPaymentToAnNDIAManagedParticipant(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	co := s.signup("NDIA Pages Care")
	orgID := co.must(200, "GET", "/v1/org", nil).Str("id")
	ben := co.client("Ben Ruiz", unique("ben")+"@example.com")
	iid, number := co.finalized(ben, "Client Invoice – November")
	link := co.payLink(iid, false)
	store, err := dynamo.New(dynamodb.NewFromConfig(s.st.AWS), s.st.Env(t, "InvoicingFunction")("TABLE_NAME"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := billing.New(store, nil, time.Now, id.New)
	if err != nil {
		t.Fatal(err)
	}
	all, err := svc.IssuePayAllLink(context.Background(), orgID, ben, s.url)
	if err != nil {
		t.Fatal(err)
	}
	if p := s.get(link, ""); !strings.Contains(p.body, "data-pay") || strings.Contains(p.body, "data-ndia") {
		t.Fatalf("a self-managed participant's pay page: %d %s", p.status, p.body)
	}
	if p := s.get(all, ""); !strings.Contains(p.body, "data-pay-all") {
		t.Fatalf("a self-managed participant's pay-all page: %d %s", p.status, p.body)
	}

	co.must(200, "PATCH", "/v1/clients/"+ben, map[string]any{"funding": map[string]any{"type": "ndia_managed", "ndisNumber": "430000001"}})
	p := s.get(link, "")
	contains(t, "NDIA-managed pay page", p.body, number, `data-balance>$2,260.50<`, "data-ndia", "The NDIA pays this")
	if p.status != 200 || strings.Contains(p.body, "data-pay>") || strings.Contains(p.body, "/checkout") {
		t.Errorf("an NDIA-managed participant's pay page offers a card payment: %d %s", p.status, p.body)
	}
	p = s.get(all, "")
	contains(t, "NDIA-managed pay-all page", p.body, `data-total>$0.00<`, "data-ndia", "The NDIA pays this")
	if p.status != 200 || strings.Contains(p.body, "data-pay-all") || strings.Contains(p.body, number) {
		t.Errorf("an NDIA-managed participant's pay-all page offers a card payment: %d %s", p.status, p.body)
	}
}
