package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestPaymentActionsFollowTheRole is new-user trial 5 item 6: a payment's
// availableActions are what its state allows and the caller's role may
// take, on the payment, the payment list and the client's summary alike:
// an admin is offered email_receipt, refund and reverse; an invited
// coordinator only email_receipt; an invited viewer nothing; a reversed
// payment offers no one anything. GET /v1/me names each member's role and
// permissions, and what is not offered the API still refuses with 403.
func TestPaymentActionsFollowTheRole(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := a.signup("Payment Roles Care")
	cid, _ := finalizedInvoice(admin, "Payment Roles Client")
	tag := strings.ToLower(t.Name())
	admin.must(201, "POST", "/v1/users", map[string]any{"email": "co-" + tag + "@example.com", "role": "coordinator"})
	admin.must(201, "POST", "/v1/users", map[string]any{"email": "view-" + tag + "@example.com", "role": "viewer"})
	coordinator := a.acceptInvitation("co-" + tag + "@example.com")
	viewer := a.acceptInvitation("view-" + tag + "@example.com")
	pid := admin.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "10.00", "date": "2026-11-26", "method": "cash"}).str("id")

	actionsOf := func(v any) []string {
		out := []string{}
		for _, x := range v.(map[string]any)["availableActions"].([]any) {
			out = append(out, x.(string))
		}
		return out
	}
	offered := func(s *session) []string {
		t.Helper()
		one := actionsOf(s.must(200, "GET", "/v1/payments/"+pid, nil).body)
		for _, p := range s.must(200, "GET", "/v1/payments?clientId="+cid, nil).list() {
			if p["id"] == pid && !slices.Equal(actionsOf(p), one) {
				t.Errorf("the list offers %v, the payment %v", actionsOf(p), one)
			}
		}
		for _, p := range s.must(200, "GET", "/v1/clients/"+cid+"/summary", nil).body["payments"].([]any) {
			if p.(map[string]any)["id"] == pid && !slices.Equal(actionsOf(p), one) {
				t.Errorf("the summary offers %v, the payment %v", actionsOf(p), one)
			}
		}
		return one
	}
	for _, c := range []struct {
		who  *session
		role string
		want []string
	}{
		{admin, "admin", []string{"email_receipt", "refund", "reverse"}},
		{coordinator, "coordinator", []string{"email_receipt"}},
		{viewer, "viewer", []string{}},
	} {
		if got := offered(c.who); !slices.Equal(got, c.want) {
			t.Errorf("%s is offered %v on a payment, want %v", c.role, got, c.want)
		}
		me := c.who.must(200, "GET", "/v1/me", nil)
		if me.str("role") != c.role {
			t.Errorf("GET /v1/me role %q, want %q", me.str("role"), c.role)
		}
		perms := actionsOf(map[string]any{"availableActions": me.body["permissions"]})
		if slices.Contains(perms, "refund") != (c.role == "admin") || slices.Contains(perms, "bill") != (c.role != "viewer") || !slices.Contains(perms, "view") {
			t.Errorf("%s's permissions %v", c.role, perms)
		}
	}
	coordinator.must(http.StatusForbidden, "POST", "/v1/payments/"+pid+"/refund", map[string]any{"amount": "1.00", "reason": "overcharged"})
	coordinator.must(http.StatusForbidden, "POST", "/v1/payments/"+pid+"/reverse", map[string]any{"reason": "bounced"})
	viewer.must(http.StatusForbidden, "POST", "/v1/payments/"+pid+"/reverse", map[string]any{"reason": "bounced"})

	admin.must(200, "POST", "/v1/payments/"+pid+"/reverse", map[string]any{"reason": "bounced"})
	if got := offered(admin); len(got) != 0 {
		t.Errorf("admin is offered %v on a reversed payment", got)
	}
}
