package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestAvailableActionsFollowTheRole: an invoice's availableActions are
// what its state allows and the caller's role may take, on the invoice,
// the list and the client's summary alike: an admin is offered Void and
// Lock, then Unlock; an invited coordinator Lock but never Void or
// Unlock; an invited viewer nothing. What is not offered the API still
// refuses with 403.
func TestAvailableActionsFollowTheRole(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := a.signup("Actions Care")
	cid, iid := finalizedInvoice(admin, "Actions Client")
	tag := strings.ToLower(t.Name())
	admin.must(201, "POST", "/v1/users", map[string]any{"email": "co-" + tag + "@example.com", "role": "coordinator"})
	admin.must(201, "POST", "/v1/users", map[string]any{"email": "view-" + tag + "@example.com", "role": "viewer"})
	coordinator := a.acceptInvitation("co-" + tag + "@example.com")
	viewer := a.acceptInvitation("view-" + tag + "@example.com")

	actionsOf := func(v any) []string {
		var out []string
		for _, x := range v.(map[string]any)["availableActions"].([]any) {
			out = append(out, x.(string))
		}
		return out
	}
	// offered is what s is offered on the invoice, checked to be the same
	// in the invoice list and the client's summary.
	offered := func(s *session) []string {
		t.Helper()
		one := actionsOf(s.must(200, "GET", "/v1/invoices/"+iid, nil).body)
		for _, inv := range s.must(200, "GET", "/v1/invoices?clientId="+cid, nil).list() {
			if inv["id"] == iid && !slices.Equal(actionsOf(inv), one) {
				t.Errorf("the list offers %v, the invoice %v", actionsOf(inv), one)
			}
		}
		sum := s.must(200, "GET", "/v1/clients/"+cid+"/summary", nil).body
		for _, inv := range sum["invoices"].([]any) {
			if inv.(map[string]any)["id"] == iid && !slices.Equal(actionsOf(inv), one) {
				t.Errorf("the summary offers %v, the invoice %v", actionsOf(inv), one)
			}
		}
		return one
	}
	has := func(actions []string, want ...string) bool {
		for _, w := range want {
			if !slices.Contains(actions, w) {
				return false
			}
		}
		return true
	}

	if got := offered(admin); !has(got, "void", "lock", "record_payment", "credit_note") || slices.Contains(got, "unlock") {
		t.Errorf("admin on an open invoice: %v", got)
	}
	if got := offered(coordinator); !has(got, "lock", "record_payment", "credit_note") || slices.Contains(got, "void") || slices.Contains(got, "unlock") {
		t.Errorf("coordinator on an open invoice: %v", got)
	}
	if got := offered(viewer); len(got) != 0 {
		t.Errorf("viewer on an open invoice: %v", got)
	}
	coordinator.must(http.StatusForbidden, "POST", "/v1/invoices/"+iid+"/void", map[string]any{"reason": "Issued in error"})
	viewer.must(http.StatusForbidden, "POST", "/v1/invoices/"+iid+"/lock", map[string]any{"reason": "month end"})

	coordinator.must(200, "POST", "/v1/invoices/"+iid+"/lock", map[string]any{"reason": "month end"})
	if got := offered(admin); !slices.Contains(got, "unlock") || slices.Contains(got, "lock") {
		t.Errorf("admin on a locked invoice: %v", got)
	}
	if got := offered(coordinator); slices.Contains(got, "unlock") || slices.Contains(got, "lock") || !slices.Contains(got, "credit_note") {
		t.Errorf("coordinator on a locked invoice: %v", got)
	}
	if got := offered(viewer); len(got) != 0 {
		t.Errorf("viewer on a locked invoice: %v", got)
	}
	coordinator.must(http.StatusForbidden, "POST", "/v1/invoices/"+iid+"/unlock", map[string]any{"reason": "fix"})
	viewer.must(http.StatusForbidden, "POST", "/v1/invoices/"+iid+"/unlock", map[string]any{"reason": "fix"})
	admin.must(200, "POST", "/v1/invoices/"+iid+"/unlock", map[string]any{"reason": "fix"})
}
