// Package testkit is what the HTTP-level test harnesses (internal/httpapi,
// internal/notify, internal/faults, internal/portal) share: sending a JSON
// request as one caller, reading the reply, reading what moto's SES and SNS
// captured (emails read with email.Read), the text of a PDF, and
// addresses no other test uses. Provisioning a stack is internal/teststack's.
package testkit

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"testing"
)

// Reply is one HTTP answer: its status, its body raw and, when it is a JSON
// object, decoded.
type Reply struct {
	Status int
	Body   map[string]any
	Raw    string
	Header http.Header
}

// Str is the string at path in the JSON body ("" when absent or not a
// string): Str("error", "code") reads {"error":{"code":…}}.
func (r Reply) Str(path ...string) string {
	var v any = r.Body
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[p]
	}
	s, _ := v.(string)
	return s
}

// List is the array of objects under key in the JSON body (nil when
// absent); it fails the test through a panic if an item is not an object.
func (r Reply) List(key string) []map[string]any {
	var out []map[string]any
	items, _ := r.Body[key].([]any)
	for _, v := range items {
		out = append(out, v.(map[string]any))
	}
	return out
}

// Request is one JSON request as a test's caller sends it.
type Request struct {
	Method, URL string
	// Body is sent as is when a string, else encoded as JSON; nil sends none.
	Body any
	// Token, when set, is sent as a bearer token.
	Token string
	// Header is set on the request; a "Host" entry sets the request's host.
	Header map[string]string
	// Client sends it (nil: http.DefaultClient).
	Client *http.Client
	// Unreplayable hides the body's length from net/http, which otherwise
	// resends a request carrying an Idempotency-Key by itself when its
	// connection drops: fault tests decide when a client retries. A POST
	// without a body then sends an empty one.
	Unreplayable bool
}

// Send sends req and reads the reply; the error is the connection's, when
// no reply came back at all.
func Send(req Request) (Reply, error) {
	var rd io.Reader
	switch b := req.Body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			return Reply{}, fmt.Errorf("encode request body: %w", err)
		}
		rd = bytes.NewReader(js)
	}
	if req.Unreplayable {
		if rd == nil && req.Method == http.MethodPost {
			rd = strings.NewReader("")
		}
		if rd != nil {
			rd = io.MultiReader(rd)
		}
	}
	hr, err := http.NewRequest(req.Method, req.URL, rd)
	if err != nil {
		return Reply{}, err
	}
	hr.Header.Set("Content-Type", "application/json")
	if req.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.Token)
	}
	for k, v := range req.Header {
		hr.Header.Set(k, v)
	}
	if h := req.Header["Host"]; h != "" {
		hr.Host = h
	}
	client := req.Client
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(hr)
	if err != nil {
		return Reply{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return Reply{}, err
	}
	r := Reply{Status: res.StatusCode, Raw: string(raw), Header: res.Header}
	_ = json.Unmarshal(raw, &r.Body) // a body that is no JSON object stays in Raw
	return r, nil
}

// Must sends req and fails the test unless the answer has status.
func Must(t testing.TB, status int, req Request) Reply {
	t.Helper()
	r, err := Send(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	if r.Status != status {
		t.Fatalf("%s %s = %d %s, want %d", req.Method, req.URL, r.Status, r.Raw, status)
	}
	return r
}

// Password is the password test sign-ups use; it meets the user pool's
// policy in template.yaml.
const Password = "Correct-Horse-9"

// SignUp creates an org named orgName on the API at baseURL with a new
// admin, signs the admin in and returns the admin's email and bearer token.
func SignUp(t testing.TB, baseURL, orgName string) (email, token string) {
	t.Helper()
	email = "admin-" + Unique() + "@example.com"
	creds := map[string]string{"email": email, "password": Password}
	Must(t, 201, Request{Method: http.MethodPost, URL: baseURL + "/auth/signup",
		Body: map[string]string{"orgName": orgName, "email": email, "password": Password}})
	token = Must(t, 200, Request{Method: http.MethodPost, URL: baseURL + "/auth/login", Body: creds}).Str("token")
	return email, token
}

// Unique is a short random token for addresses no other test uses.
func Unique() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1<<40))
	return fmt.Sprintf("%x", n)
}

// UniquePhone is an Australian mobile number (+614 and eight digits) no
// other test uses.
func UniquePhone() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(100_000_000))
	return fmt.Sprintf("+614%08d", n)
}
