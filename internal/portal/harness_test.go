package portal_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/carebill/carebill/internal/notify"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/testkit"
	"github.com/carebill/carebill/internal/teststack"
	invoicingwire "github.com/carebill/carebill/internal/wire/invoicing"
	notifierwire "github.com/carebill/carebill/internal/wire/notifier"
	portalwire "github.com/carebill/carebill/internal/wire/portal"
)

var moto *testenv.Moto

func TestMain(m *testing.M) { testenv.MainWithMoto(m, &moto) }

// clock is the portal's clock, which tests move on to expire links and
// sessions.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// site serves, on one httptest server over one fresh stack in moto, the
// invoicing API and the portal as wire builds them for Lambda.
type site struct {
	t     *testing.T
	url   string
	clock *clock
	st    *teststack.Stack
	// notifier consumes the deliveries queue, where sign-in requests go.
	notifier *notify.Handler
	// portalCalls counts the AWS operations the portal makes.
	portalCalls *awsCounter
	// portal is the portal function's handler (its route table).
	portal http.Handler
}

func newSite(t *testing.T) *site {
	t.Helper()
	st := teststack.New(t, moto)
	srv := st.Site(t)
	quiet := slog.New(slog.DiscardHandler)
	api, err := invoicingwire.New(context.Background(), st.Env(t, "InvoicingFunction"), st.AWSFor("InvoicingFunction"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Now()}
	counter := &awsCounter{n: map[string]int{}}
	counted := st.AWSFor("PortalFunction").Copy()
	counted.APIOptions = append(counted.APIOptions, counter.add)
	portal, err := portalwire.NewWithClock(context.Background(), st.Env(t, "PortalFunction"), counted, quiet, c.Now)
	if err != nil {
		t.Fatal(err)
	}
	notifier, err := notifierwire.NewWithClock(context.Background(), st.Env(t, "NotifierFunction"), st.AWSFor("NotifierFunction"), quiet, c.Now)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/auth/", api)
	mux.Handle("/v1/", api)
	mux.Handle("/pay/", portal)
	mux.Handle("/pay-all/", portal)
	mux.Handle("/portal/", portal)
	srv.Config.Handler = mux
	srv.Start()
	return &site{t: t, url: srv.URL, clock: c, st: st, notifier: notifier, portalCalls: counter, portal: portal}
}

// deliver runs the notifier, as Lambda's event source mapping would, over
// every message waiting on the deliveries queue (a bounded number of
// receives), and fails the test on any message it could not handle.
func (s *site) deliver() {
	s.t.Helper()
	api := sqs.NewFromConfig(s.st.AWS)
	url := s.st.Resources.IDs["DeliveriesQueue"]
	for range 50 {
		out, err := api.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: &url, MaxNumberOfMessages: 10,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		if err != nil {
			s.t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return
		}
		res, err := s.notifier.Handle(context.Background(), queue.Event(s.st.Resources.ARNs["DeliveriesQueue"], out.Messages))
		if err != nil || len(res.BatchItemFailures) != 0 {
			s.t.Fatalf("notifier: %v, failures %v", err, res.BatchItemFailures)
		}
		for _, m := range out.Messages {
			if _, err := api.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
				s.t.Fatal(err)
			}
		}
	}
	s.t.Fatal("the deliveries queue did not empty in 50 receives")
}

// awsCounter counts AWS API calls by operation name through SDK middleware.
type awsCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *awsCounter) add(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("count", func(
		ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
	) (middleware.InitializeOutput, middleware.Metadata, error) {
		c.mu.Lock()
		c.n[middleware.GetServiceID(ctx)+"."+middleware.GetOperationName(ctx)]++
		c.mu.Unlock()
		return next.HandleInitialize(ctx, in)
	}), middleware.After)
}

// reset returns the calls counted so far and starts again.
func (c *awsCounter) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.n
	c.n = map[string]int{}
	return out
}

// noRedirects is a client that shows redirects rather than following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// page is one HTTP answer.
type page struct {
	status int
	header http.Header
	body   string
}

// get fetches a path (or full URL) without following redirects, sending
// cookie when it is not "".
func (s *site) get(path, cookie string) page {
	s.t.Helper()
	return s.send("GET", path, cookie, nil)
}

// post submits a form.
func (s *site) post(path, cookie string, form map[string]string) page {
	s.t.Helper()
	return s.send("POST", path, cookie, form)
}

func (s *site) send(method, path, cookie string, form map[string]string) page {
	s.t.Helper()
	target := path
	if strings.HasPrefix(path, "/") {
		target = s.url + path
	}
	var body io.Reader
	if form != nil {
		v := url.Values{}
		for k, val := range form {
			v.Set(k, val)
		}
		body = strings.NewReader(v.Encode())
	}
	req, _ := http.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		// httptest serves plain HTTP, where a cookie jar withholds Secure
		// cookies; send the cookie as a browser on https would.
		req.Header.Set("Cookie", cookie)
	}
	res, err := noRedirects.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, header: res.Header, body: string(b)}
}

// coordinator is a signed-in admin of a fresh org, using the JSON API.
type coordinator struct {
	s     *site
	token string
	orgID string
}

var seq atomic.Int64

// unique makes a name no other test in this moto uses.
func unique(name string) string {
	return fmt.Sprintf("%s%d-%d", name, time.Now().UnixNano()%1_000_000, seq.Add(1))
}

func (s *site) signup(orgName string) *coordinator {
	s.t.Helper()
	email := unique("admin") + "@example.com"
	c := &coordinator{s: s}
	c.must(201, "POST", "/auth/signup", map[string]any{"orgName": orgName, "email": email, "password": "Correct-Horse-9"})
	c.token = c.must(200, "POST", "/auth/login", map[string]any{"email": email, "password": "Correct-Horse-9"}).Str("token")
	c.orgID = c.must(200, "GET", "/v1/org", nil).Str("id")
	return c
}

// must sends one JSON request as the coordinator (testkit.Must).
func (c *coordinator) must(status int, method, path string, body any) testkit.Reply {
	c.s.t.Helper()
	return testkit.Must(c.s.t, status, testkit.Request{Method: method, URL: c.s.url + path, Body: body, Token: c.token})
}

// client adds a client with one contact and returns its id.
func (c *coordinator) client(name, email string) string {
	c.s.t.Helper()
	return c.must(201, "POST", "/v1/clients", map[string]any{
		"name": name, "contacts": []map[string]any{{"name": name, "email": email}},
	}).Str("id")
}

// novemberInvoice bills 40 h at $50, 20 mi at $0.25 and a $50 fixed fee:
// $2,055.00, plus 10% GST, $2,260.50.
const novemberInvoice = `{"clientId":%q,"name":%q,"memo":"Thank you for your business.","poNumber":"PO-7788","lineItems":[
 {"type":"variable","description":"Support coordination","periodStart":"2026-11-01","periodEnd":"2026-11-30","quantity":"40","unit":"hours","rate":"50"},
 {"type":"variable","description":"Travel","quantity":"20","unit":"miles","rate":"0.25"},
 {"type":"fixed","description":"Consulting services","amount":"50"}]}`

// invoice makes a draft for the client and returns its id.
func (c *coordinator) draft(clientID, name string) string {
	c.s.t.Helper()
	return c.must(201, "POST", "/v1/invoices", fmt.Sprintf(novemberInvoice, clientID, name)).Str("id")
}

// finalized makes a finalized invoice and returns its id and number.
func (c *coordinator) finalized(clientID, name string) (id, number string) {
	c.s.t.Helper()
	id = c.draft(clientID, name)
	return id, c.must(200, "POST", "/v1/invoices/"+id+"/finalize", nil).Str("number")
}

// payLink returns the invoice's pay link URL.
func (c *coordinator) payLink(invoiceID string, rotate bool) string {
	c.s.t.Helper()
	q := ""
	if rotate {
		q = "?rotate=true"
	}
	return c.must(200, "GET", "/v1/invoices/"+invoiceID+"/pay-link"+q, nil).Str("url")
}

// mailsTo returns the plain-text bodies of the emails moto captured for
// addr, oldest first.
func mailsTo(t *testing.T, addr string) []string {
	t.Helper()
	var out []string
	for _, m := range testkit.ReadOutbox(t, moto.Endpoint).MailsTo(t, addr) {
		out = append(out, m.Text)
	}
	return out
}

// signInLink requests a sign-in link for email and returns the link the
// email carried (the newest to that address).
func (s *site) signInLink(orgID, email string) string {
	s.t.Helper()
	before := len(mailsTo(s.t, email))
	if p := s.post("/portal/"+orgID+"/login", "", map[string]string{"email": email}); p.status != 200 || !strings.Contains(p.body, "Check your email") {
		s.t.Fatalf("request a sign-in link: %d %s", p.status, p.body)
	}
	s.deliver()
	mails := mailsTo(s.t, email)
	if len(mails) != before+1 {
		s.t.Fatalf("%d emails to %s, want %d", len(mails), email, before+1)
	}
	link := linkRE.FindString(mails[len(mails)-1])
	if link == "" {
		s.t.Fatalf("the sign-in email has no link:\n%s", mails[len(mails)-1])
	}
	return link
}

var linkRE = regexp.MustCompile(`https?://\S+/portal/org_[0-9a-z]+/auth/[A-Za-z0-9_-]{43}`)

// sessionCookie is the "name=value" of the portal cookie a response set.
func sessionCookie(t *testing.T, p page) string {
	t.Helper()
	for _, c := range p.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "carebill_portal=") {
			return c[:strings.IndexByte(c, ';')]
		}
	}
	t.Fatalf("no portal cookie set; headers %v", p.header)
	return ""
}

// pdfText is the text of the PDF p answered (testkit.PDFText).
func pdfText(t *testing.T, p page) string {
	t.Helper()
	if p.status != 200 || p.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("want a PDF, got %d %s: %.300s", p.status, p.header.Get("Content-Type"), p.body)
	}
	return testkit.PDFText(t, []byte(p.body))
}
