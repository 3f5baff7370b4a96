package requestlog_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/requestlog"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/teststack"
	"github.com/carebill/carebill/internal/wire"
	"github.com/carebill/carebill/internal/wire/httpfn"
	"github.com/carebill/carebill/internal/wire/invoicing"
	"github.com/carebill/carebill/internal/wire/notifier"
	portalwire "github.com/carebill/carebill/internal/wire/portal"
)

var moto *testenv.Moto

func TestMain(m *testing.M) { testenv.MainWithMoto(m, &moto) }

// logBuffer collects a function's JSON log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the lines logged since the last call.
func (b *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(&b.buf)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", sc.Text())
		}
		out = append(out, m)
	}
	b.buf.Reset()
	return out
}

func debugEnv(env func(string) string) wire.Env {
	return func(k string) string {
		if k == "LOG_LEVEL" {
			return "DEBUG"
		}
		return env(k)
	}
}

// Every line the invoicing function logs for a request carries Lambda's
// and API Gateway's request ids and the route; once the caller is
// authenticated, the org too, including the line of a failure deep in
// the request.
func TestEveryRequestLineCarriesRequestIDsRouteAndOrg(t *testing.T) {
	st := teststack.New(t, moto)
	logs := &logBuffer{}
	env := debugEnv(st.Env(t, "InvoicingFunction"))
	h, err := invoicing.New(context.Background(), env, st.AWSFor("InvoicingFunction"), wire.LoggerTo(logs, env))
	if err != nil {
		t.Fatal(err)
	}
	handle := httpfn.Handler(h)
	n := 0
	call := func(method, path, route, token, body string) (events.APIGatewayV2HTTPResponse, string, string) {
		t.Helper()
		n++
		lambdaID, apiID := "lambda-req-"+string(rune('a'+n)), "api-req-"+string(rune('a'+n))
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: lambdaID})
		ev := events.APIGatewayV2HTTPRequest{
			Version: "2.0", RouteKey: route, RawPath: path, Body: body,
			Headers: map[string]string{"content-type": "application/json"},
			RequestContext: events.APIGatewayV2HTTPRequestContext{
				RequestID: apiID, HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path},
			},
		}
		if token != "" {
			ev.Headers["authorization"] = "Bearer " + token
		}
		resp, err := handle(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		return resp, lambdaID, apiID
	}
	check := func(what, lambdaID, apiID, route, org string) {
		t.Helper()
		lines := logs.lines(t)
		if len(lines) == 0 {
			t.Fatalf("%s: nothing logged", what)
		}
		for _, l := range lines {
			if l[requestlog.LambdaRequestID] != lambdaID || l[requestlog.APIRequestID] != apiID || l[requestlog.Route] != route {
				t.Errorf("%s: line lacks the request's ids or route: %v", what, l)
			}
			if org != "" && l[requestlog.Org] != org {
				t.Errorf("%s: line lacks org %s: %v", what, org, l)
			}
		}
	}

	email := "logs-" + st.Resources.Prefix + "@example.com"
	resp, lid, aid := call("POST", "/auth/signup", "POST /auth/signup", "",
		`{"orgName":"Log Care","email":"`+email+`","password":"Correct-Horse-9"}`)
	if resp.StatusCode != 201 {
		t.Fatalf("signup: %d %s", resp.StatusCode, resp.Body)
	}
	check("signup", lid, aid, "POST /auth/signup", "")
	resp, lid, aid = call("POST", "/auth/login", "POST /auth/login", "", `{"email":"`+email+`","password":"Correct-Horse-9"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("login: %d %s", resp.StatusCode, resp.Body)
	}
	check("login", lid, aid, "POST /auth/login", "")
	var login struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &login); err != nil || login.Token == "" {
		t.Fatalf("login reply: %s", resp.Body)
	}
	resp, lid, aid = call("GET", "/v1/org", "ANY /v1/{proxy+}", login.Token, "")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /v1/org: %d %s", resp.StatusCode, resp.Body)
	}
	var o struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &o); err != nil || o.ID == "" {
		t.Fatalf("org reply: %s", resp.Body)
	}
	check("read", lid, aid, "ANY /v1/{proxy+}", o.ID)

	// A client item the store cannot read fails inside the use case: its
	// error line must still name the request and the org.
	resp, _, _ = call("POST", "/v1/clients", "ANY /v1/{proxy+}", login.Token, `{"name":"Soon Broken"}`)
	var cl struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &cl); err != nil || resp.StatusCode != 201 {
		t.Fatalf("create client: %d %s", resp.StatusCode, resp.Body)
	}
	logs.lines(t)
	if _, err := dynamodb.NewFromConfig(st.AWS).PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: aws.String(st.Resources.IDs["DataTable"]),
		Item: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "ORG#" + o.ID}, "SK": &types.AttributeValueMemberS{Value: "CLIENT#" + cl.ID},
			"name": &types.AttributeValueMemberN{Value: "7"}, "version": &types.AttributeValueMemberS{Value: "seven"},
		},
	}); err != nil {
		t.Fatal(err)
	}
	resp, lid, aid = call("GET", "/v1/clients/"+cl.ID, "ANY /v1/{proxy+}", login.Token, "")
	if resp.StatusCode != 500 {
		t.Fatalf("GET a corrupt client: %d %s", resp.StatusCode, resp.Body)
	}
	lines := logs.lines(t)
	var failed bool
	for _, l := range lines {
		if l["msg"] == "request failed" {
			failed = true
			if l[requestlog.Org] != o.ID || l[requestlog.LambdaRequestID] != lid || l[requestlog.APIRequestID] != aid {
				t.Errorf("failure line lacks org or request ids: %v", l)
			}
			if e, _ := l["error"].(string); !strings.Contains(e, "client "+cl.ID) {
				t.Errorf("failure not wrapped with its use case's name: %q", e)
			}
		}
	}
	if !failed {
		t.Errorf("no 'request failed' line among %v", lines)
	}

	// Another use case failing on the same client names itself in front,
	// and the error map still answers 500 through the wrapping.
	resp, _, _ = call("POST", "/v1/invoices", "ANY /v1/{proxy+}", login.Token, `{"clientId":"`+cl.ID+`","name":"Support","lineItems":[]}`)
	if resp.StatusCode != 500 {
		t.Fatalf("draft for a corrupt client: %d %s", resp.StatusCode, resp.Body)
	}
	failed = false
	for _, l := range logs.lines(t) {
		if l["msg"] == "request failed" {
			failed = true
			if e, _ := l["error"].(string); !strings.HasPrefix(e, "create invoice: ") {
				t.Errorf("failure not wrapped with its use case's name: %q", e)
			}
		}
	}
	if !failed {
		t.Error("no 'request failed' line for the draft")
	}
}

// A queue message's lines carry Lambda's request id, the queue and the
// message id.
func TestEveryMessageLineCarriesQueueAndMessage(t *testing.T) {
	st := teststack.New(t, moto)
	logs := &logBuffer{}
	env := debugEnv(st.Env(t, "NotifierFunction"))
	h, err := notifier.New(context.Background(), env, st.AWSFor("NotifierFunction"), wire.LoggerTo(logs, env))
	if err != nil {
		t.Fatal(err)
	}
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "lambda-q-1"})
	resp, err := h.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{{
		MessageId: "msg-1", Body: "not a delivery", EventSourceARN: "arn:aws:sqs:ap-southeast-2:123456789012:carebill-DeliveriesQueue-X",
		Attributes: map[string]string{"ApproximateReceiveCount": "1"},
	}}})
	if err != nil || len(resp.BatchItemFailures) != 1 {
		t.Fatalf("a malformed message must fail alone: %v %v", resp, err)
	}
	lines := logs.lines(t)
	if len(lines) == 0 {
		t.Fatal("nothing logged for a failed message")
	}
	for _, l := range lines {
		if l[requestlog.LambdaRequestID] != "lambda-q-1" || l[requestlog.Queue] != "carebill-DeliveriesQueue-X" || l[requestlog.MessageID] != "msg-1" {
			t.Errorf("line lacks the invocation, queue or message: %v", l)
		}
	}
}

// Every line the portal logs for a request carries Lambda's, API
// Gateway's and its own request id, the route it served and the org: the
// path's, or the one a pay link belongs to, even when opening the link
// fails.
func TestEveryPortalLineCarriesRequestIDsRouteAndOrg(t *testing.T) {
	st := teststack.New(t, moto)
	// The coordinator sets up an invoice and its pay link through the API.
	apiEnv := st.Env(t, "InvoicingFunction")
	api, err := invoicing.New(context.Background(), apiEnv, st.AWSFor("InvoicingFunction"), wire.LoggerTo(io.Discard, apiEnv))
	if err != nil {
		t.Fatal(err)
	}
	token := ""
	do := func(method, path, body string) map[string]any {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return out
	}
	email := "portal-logs-" + st.Resources.Prefix + "@example.com"
	do("POST", "/auth/signup", `{"orgName":"Portal Log Care","email":"`+email+`","password":"Correct-Horse-9"}`)
	token = do("POST", "/auth/login", `{"email":"`+email+`","password":"Correct-Horse-9"}`)["token"].(string)
	orgID := do("GET", "/v1/org", "")["id"].(string)
	cl := do("POST", "/v1/clients", `{"name":"Ada Log","contacts":[{"name":"Ada Log","email":"ada@example.com"}]}`)["id"].(string)
	inv := do("POST", "/v1/invoices", `{"clientId":"`+cl+`","name":"Support","lineItems":[{"type":"fixed","description":"Support","amount":"50"}]}`)["id"].(string)
	do("POST", "/v1/invoices/"+inv+"/finalize", "")
	link := do("GET", "/v1/invoices/"+inv+"/pay-link", "")["url"].(string)
	_, payToken, ok := strings.Cut(link, "/pay/")
	if !ok {
		t.Fatalf("pay link %q", link)
	}

	logs := &logBuffer{}
	env := debugEnv(st.Env(t, "PortalFunction"))
	h, err := portalwire.New(context.Background(), env, st.AWSFor("PortalFunction"), wire.LoggerTo(logs, env))
	if err != nil {
		t.Fatal(err)
	}
	handle := httpfn.Handler(h)
	n := 0
	check := func(what, method, path, routeKey, wantRoute string, wantStatus int) []map[string]any {
		t.Helper()
		n++
		lambdaID, apiID := fmt.Sprintf("lambda-portal-%d", n), fmt.Sprintf("api-portal-%d", n)
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: lambdaID})
		resp, err := handle(ctx, events.APIGatewayV2HTTPRequest{
			Version: "2.0", RouteKey: routeKey, RawPath: path,
			RequestContext: events.APIGatewayV2HTTPRequestContext{
				RequestID: apiID, HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != wantStatus {
			t.Fatalf("%s: %d, want %d", what, resp.StatusCode, wantStatus)
		}
		reqID := resp.Headers[http.CanonicalHeaderKey("X-Request-Id")]
		if reqID == "" {
			reqID = resp.MultiValueHeaders[http.CanonicalHeaderKey("X-Request-Id")][0]
		}
		lines := logs.lines(t)
		if len(lines) == 0 {
			t.Fatalf("%s: nothing logged", what)
		}
		for _, l := range lines {
			if l[requestlog.LambdaRequestID] != lambdaID || l[requestlog.APIRequestID] != apiID || l[requestlog.RequestID] != reqID {
				t.Errorf("%s: line lacks the request ids (%s, %s, %s): %v", what, lambdaID, apiID, reqID, l)
			}
			if l[requestlog.Route] != wantRoute || l[requestlog.Org] != orgID {
				t.Errorf("%s: line lacks route %q or org %s: %v", what, wantRoute, orgID, l)
			}
		}
		return lines
	}
	check("pay page", "GET", "/pay/"+payToken, "GET /pay/{token}", "GET /pay/{token}", 200)
	check("sign-in page", "GET", "/portal/"+orgID, "ANY /portal/{proxy+}", "GET /portal/{org}", 200)

	// The invoice can no longer be read: opening its link fails, and the
	// failure's line still says whose link it was.
	if _, err := dynamodb.NewFromConfig(st.AWS).UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(st.Resources.IDs["DataTable"]),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "ORG#" + orgID}, "SK": &types.AttributeValueMemberS{Value: "INV#" + inv},
		},
		UpdateExpression:          aws.String("SET #t = :bad"),
		ExpressionAttributeNames:  map[string]string{"#t": "total"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":bad": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}}},
	}); err != nil {
		t.Fatal(err)
	}
	lines := check("broken pay PDF", "GET", "/pay/"+payToken+"/pdf", "GET /pay/{token}/pdf", "GET /pay/{token}/pdf", 500)
	failed := false
	for _, l := range lines {
		if l["msg"] == "request failed" {
			failed = true
			if e, _ := l["error"].(string); !strings.HasPrefix(e, "open pay link: ") {
				t.Errorf("failure not wrapped with its use case's name: %q", e)
			}
		}
	}
	if !failed {
		t.Errorf("no 'request failed' line among %v", lines)
	}
}
