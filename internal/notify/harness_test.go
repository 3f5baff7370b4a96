package notify_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/carebill/carebill/internal/notify"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/testkit"
	"github.com/carebill/carebill/internal/teststack"
	invoicingwire "github.com/carebill/carebill/internal/wire/invoicing"
	notifierwire "github.com/carebill/carebill/internal/wire/notifier"
	portalwire "github.com/carebill/carebill/internal/wire/portal"
)

var moto *testenv.Moto

func TestMain(m *testing.M) { testenv.MainWithMoto(m, &moto) }

// harness is one provisioned stack: the invoicing API over HTTP, the
// deliveries queue, and an org signed in to it.
type harness struct {
	t     *testing.T
	st    *teststack.Stack
	srv   *httptest.Server
	sqs   *sqs.Client
	token string
}

var quiet = slog.New(slog.DiscardHandler)

func newHarness(t *testing.T, orgName string) *harness {
	t.Helper()
	st := teststack.New(t, moto)
	srv := st.Site(t)
	api, err := invoicingwire.New(context.Background(), st.Env(t, "InvoicingFunction"), st.AWSFor("InvoicingFunction"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	// Pay links point at PUBLIC_BASE_URL, this server; the portal serves
	// them there, as API Gateway routes /pay/{token} to it.
	pay, err := portalwire.New(context.Background(), st.Env(t, "PortalFunction"), st.AWSFor("PortalFunction"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /pay/{token}", pay)
	mux.Handle("GET /pay-all/{token}", pay)
	mux.Handle("/", api)
	srv.Config.Handler = mux
	srv.Start()
	h := &harness{t: t, st: st, srv: srv, sqs: sqs.NewFromConfig(st.AWS)}
	_, h.token = testkit.SignUp(t, srv.URL, orgName)
	return h
}

// notifier builds the notifier as functions/notifier does, from the
// template's environment with any overrides.
func (h *harness) notifier(overrides map[string]string) *notify.Handler {
	h.t.Helper()
	env := h.st.Env(h.t, "NotifierFunction")
	// Overrides misconfigure on purpose (an unverified sender), which its
	// policy rightly does not allow; only the template's own setup is
	// held to the policy.
	cfg := h.st.AWSFor("NotifierFunction")
	if len(overrides) > 0 {
		cfg = h.st.AWS
	}
	n, err := notifierwire.New(context.Background(), func(k string) string {
		if v, ok := overrides[k]; ok {
			return v
		}
		return env(k)
	}, cfg, quiet)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// reply is testkit's reply under the names these tests use.
type reply struct {
	status int
	body   map[string]any
	raw    string
	header http.Header
}

func (r reply) str(path ...string) string        { return testkit.Reply{Body: r.body}.Str(path...) }
func (r reply) list(key string) []map[string]any { return testkit.Reply{Body: r.body}.List(key) }

// do sends a request as the signed-in admin (header: name, value, …).
func (h *harness) do(method, path string, body any, header ...string) reply {
	h.t.Helper()
	hd := map[string]string{}
	for i := 0; i+1 < len(header); i += 2 {
		hd[header[i]] = header[i+1]
	}
	r, err := testkit.Send(testkit.Request{Method: method, URL: h.srv.URL + path, Body: body, Token: h.token, Header: hd})
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	return reply{status: r.Status, body: r.Body, raw: r.Raw, header: r.Header}
}

func (h *harness) must(status int, method, path string, body any, header ...string) reply {
	h.t.Helper()
	r := h.do(method, path, body, header...)
	if r.status != status {
		h.t.Fatalf("%s %s = %d %s, want %d", method, path, r.status, r.raw, status)
	}
	return r
}

// draft creates a draft for client cid: 40 h at $50, 20 mi at $0.25 and a
// $50 fee, plus 10% GST: $2,260.50.
func (h *harness) draft(cid string) string {
	h.t.Helper()
	return h.must(201, "POST", "/v1/invoices", fmt.Sprintf(`{"clientId":%q,"name":"Client Invoice – November","lineItems":[
 {"type":"variable","description":"Support coordination","quantity":"40","unit":"hours","rate":"50"},
 {"type":"variable","description":"Travel","quantity":"20","unit":"miles","rate":"0.25"},
 {"type":"fixed","description":"Consulting services","amount":"50"}]}`, cid)).str("id")
}

// receive takes n messages off the deliveries queue, as Lambda's event
// source mapping would hand them over, hidden for visibility seconds (0:
// the queue's visibility timeout).
func (h *harness) receive(n int, visibility int32) events.SQSEvent {
	h.t.Helper()
	return h.st.Receive(h.t, "DeliveriesQueue", n, visibility)
}

// expire makes ev's messages visible again at once, standing in for
// their visibility timeout passing.
func (h *harness) expire(ev events.SQSEvent) {
	h.t.Helper()
	h.st.Expire(h.t, "DeliveriesQueue", ev)
}

// queueDepth is how many messages wait in a queue, visible or not.
func (h *harness) queueDepth(logicalID string) int {
	h.t.Helper()
	return h.st.QueueDepth(h.t, logicalID)
}

func handle(t *testing.T, n *notify.Handler, ev events.SQSEvent) []string {
	t.Helper()
	resp, err := n.Handle(context.Background(), ev)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	return failed
}

var (
	unique      = testkit.Unique
	uniquePhone = testkit.UniquePhone
)

func outbox(t *testing.T) testkit.Outbox {
	t.Helper()
	return testkit.ReadOutbox(t, moto.Endpoint)
}

// mailsTo returns the emails moto captured whose To header names addr.
func mailsTo(t *testing.T, addr string) []testkit.Mail {
	t.Helper()
	return outbox(t).MailsTo(t, addr)
}

func textsTo(t *testing.T, phone string) []string {
	t.Helper()
	return outbox(t).TextsTo(phone)
}

func addresses(as []*mail.Address) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Address
	}
	return out
}
