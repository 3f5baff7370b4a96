package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/httpapi"
	"github.com/carebill/carebill/internal/id"
)

// checkoutRoutes are the payments function's routes a pay or pay-all
// link's token opens (the pay pages' checkouts; the pages themselves are
// the portal's, walked by its TestPortalIsolationFromTheRouteTable). A new
// {token} route fails TestCheckoutIsolationFromTheRouteTable until it is
// listed: "pay" or "payall", the kind of link it takes.
var checkoutRoutes = map[string]string{
	"POST /pay/{token}/checkout":     "pay",
	"POST /pay-all/{token}/checkout": "payall",
}

// TestCheckoutIsolationFromTheRouteTable walks the payments function's
// token routes: this org's id with another org's link secret, and a
// tampered link, get the 404 not-valid page naming nothing of the
// client's; the link's rightful holder is sent to Stripe Checkout.
func TestCheckoutIsolationFromTheRouteTable(t *testing.T) {
	t.Parallel()
	c := newCardAPI(t)
	own, other := c.signup("Checkout Walk Care"), c.signup("Checkout Elsewhere Care")
	orgOf := func(s *session) string { return s.must(200, "GET", "/v1/org", nil).str("id") }
	ownOrg, otherOrg := orgOf(own), orgOf(other)
	ownClient, ownInv := finalizedInvoice(own, "Walker Checkout")
	otherClient, otherInv := finalizedInvoice(other, "Elsewhere Checkout")
	token := func(link, prefix string) string {
		_, tok, ok := strings.Cut(link, prefix)
		if !ok {
			t.Fatalf("link %q has no %s", link, prefix)
		}
		return tok
	}
	payTok := func(s *session, iid string) string {
		return token(s.must(200, "GET", "/v1/invoices/"+iid+"/pay-link", nil).str("url"), "/pay/")
	}
	store, err := dynamo.New(dynamodb.NewFromConfig(c.st.AWS), c.st.Env(t, "InvoicingFunction")("TABLE_NAME"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := billing.New(store, nil, time.Now, id.New)
	if err != nil {
		t.Fatal(err)
	}
	payAllTok := func(orgID, cid string) string {
		link, err := svc.IssuePayAllLink(context.Background(), orgID, cid, c.srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		return token(link, "/pay-all/")
	}
	links := map[string][2]string{ // kind: this org's token, another org's
		"pay":    {payTok(own, ownInv), payTok(other, otherInv)},
		"payall": {payAllTok(ownOrg, ownClient), payAllTok(otherOrg, otherClient)},
	}
	secrets := []string{ownClient, ownInv, "Walker Checkout", "Checkout Walk Care"}

	browser := c.browser(nil)
	walked := 0
	for _, pattern := range httpapi.Patterns(c.payments) {
		if !strings.Contains(pattern, "{token}") {
			continue
		}
		kind, ok := checkoutRoutes[pattern]
		if !ok {
			t.Errorf("token route %q has no entry in checkoutRoutes (checkout_isolation_test.go)", pattern)
			continue
		}
		walked++
		method, path, _ := strings.Cut(pattern, " ")
		at := func(tok string) string { return strings.Replace(path, "{token}", tok, 1) }
		mine, theirs := links[kind][0], links[kind][1]
		_, theirSecret, _ := strings.Cut(theirs, ".")
		for what, tok := range map[string]string{
			"this org's id with another org's secret": ownOrg + "." + theirSecret,
			"a tampered token":                        mine[:len(mine)-1] + string("AB"[boolRank(mine[len(mine)-1] == 'A')]),
		} {
			r := browser.do(method, at(tok), nil)
			if r.status != http.StatusNotFound || !strings.Contains(r.raw, "not valid") {
				t.Errorf("%s with %s = %d %.300s, want 404 not valid", pattern, what, r.status, r.raw)
			}
			if leaked := containsAnyOf(r.raw+r.header.Get("Location"), secrets); leaked != "" {
				t.Errorf("%s with %s answers this org's %q", pattern, what, leaked)
			}
		}
		if r := browser.do(method, at(mine), nil); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "https://checkout.stripe.com/") {
			t.Errorf("%s with its own token = %d %v", pattern, r.status, r.header.Get("Location"))
		}
	}
	if walked != len(checkoutRoutes) {
		t.Errorf("walked %d token routes, checkoutRoutes lists %d", walked, len(checkoutRoutes))
	}
}
