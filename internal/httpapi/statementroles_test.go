package httpapi_test

import (
	"strings"
	"testing"
)

// TestDeleteStatementChecksTheRoleFirst is new-user trial 6 item 3: a
// coordinator deleting a statement is refused 403 whatever id they name
// (a malformed one was 404, the role checked only after the lookup); an
// admin naming a malformed or unknown id gets 404.
func TestDeleteStatementChecksTheRoleFirst(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := a.signup("Statement Roles Care")
	email := "coordinator-" + strings.ToLower(t.Name()) + "@example.com"
	admin.must(201, "POST", "/v1/users", map[string]any{"email": email, "role": "coordinator"})
	co := a.acceptInvitation(email)
	for _, sid := range []string{"stm_nonexistent", "stm_0000000000000000000000000a"} {
		if r := co.do("DELETE", "/v1/statements/"+sid, nil); r.status != 403 || r.str("error", "code") != "forbidden" {
			t.Errorf("coordinator DELETE /v1/statements/%s = %d %s, want 403 forbidden", sid, r.status, r.raw)
		}
		admin.must(404, "DELETE", "/v1/statements/"+sid, nil)
	}
}
