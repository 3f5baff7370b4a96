package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// TestLogoutRevokesTheSession is the probe's finding 4: logout cleared
// the cookies but the token kept working for its hour. Now the token is
// refused at once; the member's other sessions carry on.
func TestLogoutRevokesTheSession(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Logout Care")
	email := a.email(s)
	other := &session{a: a, token: a.anon().must(200, "POST", "/auth/login", map[string]string{"email": email, "password": "Correct-Horse-9"}).str("token"), client: http.DefaultClient}
	s.must(200, "GET", "/v1/org", nil)
	s.must(204, "POST", "/auth/logout", nil)
	if r := s.do("GET", "/v1/org", nil); r.status != http.StatusUnauthorized {
		t.Fatalf("token after logout = %d %s, want 401", r.status, r.raw)
	}
	other.must(200, "GET", "/v1/org", nil)

	// The session cookie is revoked the same way.
	login := a.anon().must(200, "POST", "/auth/login", map[string]string{"email": email, "password": "Correct-Horse-9"})
	browser := &session{a: a, client: http.DefaultClient, header: map[string]string{"Cookie": cookieHeader(login)}}
	browser.must(200, "GET", "/v1/org", nil)
	browser.must(204, "POST", "/auth/logout", nil)
	browser.must(401, "GET", "/v1/org", nil)
}

// TestMembersAndRoles is the probe's finding 7: there was no way to add a
// coordinator or viewer, and a coordinator could void. Admins now invite,
// re-role and remove members, and the role matrix holds on every request,
// with role changes and removals applying at once.
func TestMembersAndRoles(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := a.signup("Roles Care")
	cid, iid := finalizedInvoice(admin, "Roles Client")
	tag := strings.ToLower(strings.ReplaceAll(t.Name(), "/", ""))
	coEmail, viewEmail := "co-"+tag+"@example.com", "view-"+tag+"@example.com"

	co := admin.must(201, "POST", "/v1/users", map[string]any{"email": coEmail, "role": "coordinator"})
	admin.must(201, "POST", "/v1/users", map[string]any{"email": viewEmail, "role": "viewer"})
	if r := admin.do("POST", "/v1/users", map[string]any{"email": coEmail, "role": "viewer"}); r.status != http.StatusConflict {
		t.Fatalf("second invitation = %d %s, want 409", r.status, r.raw)
	}
	if r := admin.do("POST", "/v1/users", map[string]any{"email": "x-" + tag + "@example.com", "role": "owner"}); r.status != 400 || r.str("error", "field") != "role" {
		t.Fatalf("unknown role = %d %s", r.status, r.raw)
	}
	if l := admin.must(200, "GET", "/v1/users", nil).list(); len(l) != 3 {
		t.Fatalf("%d members, want 3: %v", len(l), l)
	}

	coordinator := a.acceptInvitation(coEmail)
	viewer := a.acceptInvitation(viewEmail)

	// Coordinators bill; voiding, unlocking, settings and members are admins'.
	coordinator.must(201, "POST", "/v1/clients", map[string]any{"name": "Coordinator's client"})
	coordinator.must(200, "POST", "/v1/invoices/"+iid+"/lock", map[string]any{"reason": "month end"})
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/v1/invoices/" + iid + "/void", map[string]any{"reason": "Issued in error"}},
		{"POST", "/v1/invoices/" + iid + "/unlock", map[string]any{"reason": "fix"}},
		{"PATCH", "/v1/org", map[string]any{"name": "Renamed"}},
		{"GET", "/v1/users", nil},
		{"POST", "/v1/users", map[string]any{"email": "y-" + tag + "@example.com", "role": "admin"}},
	} {
		if r := coordinator.do(c.method, c.path, c.body); r.status != http.StatusForbidden {
			t.Errorf("coordinator %s %s = %d %s, want 403", c.method, c.path, r.status, r.raw)
		}
	}
	// Viewers read only.
	viewer.must(200, "GET", "/v1/invoices/"+iid, nil)
	viewer.must(200, "GET", "/v1/clients/"+cid, nil)
	viewer.must(403, "POST", "/v1/clients", map[string]any{"name": "Viewer's client"})

	// An admin changes a role: it holds on the member's very next request.
	admin.must(200, "POST", "/v1/invoices/"+iid+"/unlock", map[string]any{"reason": "fix"})
	if r := admin.must(200, "PATCH", "/v1/users/"+co.str("id"), map[string]any{"role": "viewer"}); r.str("role") != "viewer" {
		t.Fatalf("changed role: %s", r.raw)
	}
	coordinator.must(403, "POST", "/v1/clients", map[string]any{"name": "Now a viewer"})
	if r := admin.do("PATCH", "/v1/users/"+a.userID(admin), map[string]any{"role": "viewer"}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("admin demoting themselves = %d %s, want 422", r.status, r.raw)
	}
	// Removal ends the member's sessions at once, and their sign-in.
	admin.must(204, "DELETE", "/v1/users/"+co.str("id"), nil)
	coordinator.must(401, "GET", "/v1/invoices", nil)
	if r := a.anon().do("POST", "/auth/login", map[string]string{"email": coEmail, "password": "Coordinator-Own-9"}); r.status != 401 {
		t.Fatalf("removed member signs in: %d %s", r.status, r.raw)
	}
	admin.must(404, "DELETE", "/v1/users/"+co.str("id"), nil)
	admin.must(200, "POST", "/v1/invoices/"+iid+"/void", map[string]any{"reason": "Issued in error"})
}

// acceptInvitation does what an invited member does with the email
// Cognito sends: sign in with the temporary password (here set through
// the admin API, as moto sends no email) and choose their own.
func (a *api) acceptInvitation(email string) *session {
	a.t.Helper()
	env := a.st.Env(a.t, "InvoicingFunction")
	_, err := cip.NewFromConfig(a.st.AWS).AdminSetUserPassword(context.Background(), &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(env("USER_POOL_ID")), Username: aws.String(email), Password: aws.String("Temporary-Pass-1"), Permanent: false,
	})
	if err != nil {
		a.t.Fatalf("set temporary password: %v", err)
	}
	anon := a.anon()
	if r := anon.do("POST", "/auth/login", map[string]string{"email": email, "password": "Temporary-Pass-1"}); r.status != http.StatusConflict || r.str("error", "code") != "new_password_required" {
		a.t.Fatalf("first sign-in with the temporary password = %d %s, want 409 new_password_required", r.status, r.raw)
	}
	if r := anon.do("POST", "/auth/login", map[string]string{"email": email, "password": "Temporary-Pass-1", "newPassword": "short"}); r.status != 400 || r.str("error", "code") != "weak_password" {
		a.t.Fatalf("short new password = %d %s", r.status, r.raw)
	}
	r := anon.must(200, "POST", "/auth/login", map[string]string{"email": email, "password": "Temporary-Pass-1", "newPassword": "Coordinator-Own-9"})
	anon.must(200, "POST", "/auth/login", map[string]string{"email": email, "password": "Coordinator-Own-9"})
	return &session{a: a, token: r.str("token"), client: http.DefaultClient}
}

// email is the signed-in admin's email, as the org's member list has it.
func (a *api) email(s *session) string {
	a.t.Helper()
	for _, m := range s.must(200, "GET", "/v1/users", nil).list() {
		if m["role"] == "admin" {
			return m["email"].(string)
		}
	}
	a.t.Fatal("no admin listed")
	return ""
}

func (a *api) userID(s *session) string {
	a.t.Helper()
	for _, m := range s.must(200, "GET", "/v1/users", nil).list() {
		if m["role"] == "admin" {
			return m["id"].(string)
		}
	}
	a.t.Fatal("no admin listed")
	return ""
}

func cookieHeader(login reply) string {
	var parts []string
	for _, c := range login.header.Values("Set-Cookie") {
		parts = append(parts, c[:strings.IndexByte(c, ';')])
	}
	return strings.Join(parts, "; ")
}

// TestSignupIdempotencyKeysAreNotShared is the probe's finding 9: every
// sign-up shared one Idempotency-Key space, so one person's key refused
// another's sign-up, and refusals were stored. Keys are now scoped to the
// request, and a refusal is not replayed.
func TestSignupIdempotencyKeysAreNotShared(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	anon := a.anon()
	anon.header = map[string]string{"Idempotency-Key": "signup-1"}
	tag := strings.ToLower(t.Name())
	first := anon.must(201, "POST", "/auth/signup", map[string]string{"orgName": "First", "email": "first-" + tag + "@example.com", "password": "Correct-Horse-9"})
	second := anon.must(201, "POST", "/auth/signup", map[string]string{"orgName": "Second", "email": "second-" + tag + "@example.com", "password": "Correct-Horse-9"})
	if first.str("id") == second.str("id") || second.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("a second person's sign-up with the same key: %s", second.raw)
	}
	again := anon.must(201, "POST", "/auth/signup", map[string]string{"orgName": "First", "email": "first-" + tag + "@example.com", "password": "Correct-Horse-9"})
	if again.str("id") != first.str("id") || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("a retried sign-up is not replayed: %s", again.raw)
	}
	weak := map[string]string{"orgName": "Weak", "email": "weak-" + tag + "@example.com", "password": "short"}
	anon.must(400, "POST", "/auth/signup", weak)
	if r := anon.must(400, "POST", "/auth/signup", weak); r.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("a refusal was stored and replayed: %v", r.header)
	}
}

// TestPasswordErrorNamesTheRule is the probe's finding 9: every refused
// password was told it was too short, whatever rule it broke.
func TestPasswordErrorNamesTheRule(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	anon := a.anon()
	tag := strings.ToLower(t.Name())
	for _, c := range []struct{ password, rule string }{
		{"short", "at least 10 characters"},
		{" Correct-Horse-9", "begin or end with a space"},
		{"Correct-Horse-9 ", "begin or end with a space"},
	} {
		r := anon.do("POST", "/auth/signup", map[string]string{"orgName": "Pw", "email": "pw-" + tag + "@example.com", "password": c.password})
		if r.status != 400 || r.str("error", "code") != "weak_password" || !strings.Contains(r.str("error", "message"), c.rule) {
			t.Errorf("password %q = %d %s, want 400 weak_password naming %q", c.password, r.status, r.raw, c.rule)
		}
	}
}
