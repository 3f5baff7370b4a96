// Package paramext reads SSM Parameter Store parameters through the AWS
// Parameters and Secrets Lambda Extension: an AWS-published layer whose
// process, beside the function in its execution environment, answers
// GET http://localhost:2773/systemsmanager/parameters/get?name=…&withDecryption=true
// with GetParameter's response, authenticated by the environment's
// session token, calling SSM with the function's role and caching the
// value (https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-integration-lambda-extensions.html).
//
// It stands in for the SDK's SSM client in the payments function, which
// reads two parameters (its Stripe keys) once per process: that client's
// package init builds its schema registry (1.4 MB, 7,900 allocations, 3–11 ms)
// at every cold start, and it added 1.1 MiB to the arm64 binary. Locally and in
// tests, paramext/standin serves the same endpoint from moto's SSM.
package paramext

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// DefaultPort is the extension's port unless
// PARAMETERS_SECRETS_EXTENSION_HTTP_PORT says otherwise.
const DefaultPort = "2773"

// TokenHeader carries AWS_SESSION_TOKEN; the extension refuses a request
// without it.
const TokenHeader = "X-Aws-Parameters-Secrets-Token"

// Client reads parameters from the extension.
type Client struct {
	base  string // http://localhost:port
	token string
	http  *http.Client
}

// FromEnv is the client for the extension as the Lambda environment
// describes it: PARAMETERS_SECRETS_EXTENSION_HTTP_PORT (the extension's
// own setting, DefaultPort when unset) and AWS_SESSION_TOKEN.
//
// Errors: no AWS_SESSION_TOKEN, or a port that is not a number.
func FromEnv(env func(string) string) (*Client, error) {
	port := env("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT")
	if port == "" {
		port = DefaultPort
	}
	for _, c := range port {
		if c < '0' || c > '9' {
			return nil, fmt.Errorf("paramext: PARAMETERS_SECRETS_EXTENSION_HTTP_PORT %q is not a port", port)
		}
	}
	token := env("AWS_SESSION_TOKEN")
	if token == "" {
		return nil, fmt.Errorf("paramext: missing AWS_SESSION_TOKEN (the extension's credential)")
	}
	return &Client{base: "http://localhost:" + port, token: token, http: &http.Client{Timeout: 10 * time.Second}}, nil
}

// response is the part of GetParameter's response the extension returns
// that carebill reads.
type response struct {
	Parameter struct {
		Value string `json:"Value"`
	} `json:"Parameter"`
}

// SecureString is the parameter name's value, decrypted.
//
// Errors: the extension unreachable, any answer but 200 (its status and
// message, e.g. SSM's ParameterNotFound), or an empty value.
func (c *Client) SecureString(ctx context.Context, name string) (string, error) {
	q := url.Values{"name": {name}, "withDecryption": {"true"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/systemsmanager/parameters/get?"+q.Encode(), nil)
	if err != nil {
		return "", fmt.Errorf("read SSM parameter %s: %w", name, err)
	}
	req.Header.Set(TokenHeader, c.token)
	res, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("read SSM parameter %s through the extension: %w", name, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("read SSM parameter %s through the extension: %w", name, err)
	}
	if res.StatusCode != http.StatusOK {
		msg := string(body)
		if len(msg) > 300 {
			msg = msg[:300]
		}
		return "", fmt.Errorf("read SSM parameter %s through the extension: %s: %s", name, res.Status, msg)
	}
	var r response
	if err := json.Unmarshal(body, &r); err != nil {
		return "", fmt.Errorf("read SSM parameter %s: the extension's answer: %w", name, err)
	}
	if r.Parameter.Value == "" {
		return "", fmt.Errorf("SSM parameter %s is empty", name)
	}
	return r.Parameter.Value, nil
}
