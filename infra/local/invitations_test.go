package main

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/teststack"
	invoicingwire "github.com/carebill/carebill/internal/wire/invoicing"
)

// TestInvitedMemberSignsInWithTheOutboxPassword: on the local stack an
// admin's invitation arrives in /dev/outbox as Cognito would email it,
// with a temporary password that signs the member in (choosing their own
// at first sign-in, as on AWS). A sign-up sends no invitation.
func TestInvitedMemberSignsInWithTheOutboxPassword(t *testing.T) {
	t.Parallel()
	tpl, err := provision.Load(filepath.Join(testenv.RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	st := teststack.New(t, moto)
	srv := st.Site(t)
	s := &stack{tpl: tpl, res: st.Resources, aws: st.AWS, moto: moto.Endpoint, baseURL: st.BaseURL, log: slog.New(slog.DiscardHandler),
		record: st.AWSFor, invites: newInvitations(st.AWS)}
	env, err := s.env("InvoicingFunction")
	if err != nil {
		t.Fatal(err)
	}
	h, err := invoicingwire.New(context.Background(), env, s.awsFor("InvoicingFunction"), s.log)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	mux := http.NewServeMux()
	(&outbox{moto: moto.Endpoint, http: http.DefaultClient}).routes(mux)
	box := httptest.NewServer(mux)
	t.Cleanup(box.Close)

	call := func(token, method, path string, body any, want int) map[string]any {
		t.Helper()
		js, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(js))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			t.Fatalf("%s %s = %d %s, want %d", method, path, res.StatusCode, raw, want)
		}
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return out
	}
	outbox := func() string {
		t.Helper()
		res, err := http.Get(box.URL + "/dev/outbox")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return html.UnescapeString(string(b))
	}

	run := unique()
	admin, member := "admin-"+run+"@example.com", "coordinator-"+run+"@example.com"
	call("", "POST", "/auth/signup", map[string]string{"orgName": "Invite Care", "email": admin, "password": "Correct-Horse-9"}, 201)
	token := call("", "POST", "/auth/login", map[string]string{"email": admin, "password": "Correct-Horse-9"}, 200)["token"].(string)
	call(token, "POST", "/v1/users", map[string]string{"email": member, "role": "coordinator"}, 201)

	page := outbox()
	if strings.Contains(page, admin) {
		t.Errorf("the sign-up sent %s an email", admin)
	}
	m := regexp.MustCompile(`Your username is ` + regexp.QuoteMeta(member) + ` and temporary password is ([A-Z2-7]{26})\.`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, cognitoSender) || !strings.Contains(page, "Your temporary password") {
		t.Fatalf("no invitation for %s in the outbox:\n%s", member, page)
	}
	temp := m[1]
	if r := call("", "POST", "/auth/login", map[string]string{"email": member, "password": temp}, 409); r["error"].(map[string]any)["code"] != "new_password_required" {
		t.Fatalf("first sign-in with the temporary password = %v", r)
	}
	call("", "POST", "/auth/login", map[string]string{"email": member, "password": "wrong-password-1"}, 401)
	own := call("", "POST", "/auth/login", map[string]string{"email": member, "password": temp, "newPassword": "Coordinator-Own-9"}, 200)["token"].(string)
	if o := call(own, "GET", "/v1/org", nil, 200); o["name"] != "Invite Care" {
		t.Fatalf("the member's org = %v", o)
	}
	call("", "POST", "/auth/login", map[string]string{"email": member, "password": "Coordinator-Own-9"}, 200)
}
