package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/email"
	"github.com/carebill/carebill/internal/email/sesmail"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/teststack"
	invoicingwire "github.com/carebill/carebill/internal/wire/invoicing"
	notifierwire "github.com/carebill/carebill/internal/wire/notifier"
)

var moto *testenv.Moto

var stripeMock *testenv.StripeMock

func TestMain(m *testing.M) { testenv.MainWithMotoAndStripe(m, &moto, &stripeMock) }

func unique() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// localStack is the local stack over a fresh copy of the template in moto,
// with the invoicing API served and an org signed in.
type localStack struct {
	t     *testing.T
	s     *stack
	api   *httptest.Server
	token string
}

func newLocalStack(t *testing.T) *localStack {
	t.Helper()
	tpl, err := provision.Load(filepath.Join(testenv.RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	st := teststack.New(t, moto)
	srv := st.Site(t)
	s := &stack{tpl: tpl, res: st.Resources, aws: st.AWS, moto: moto.Endpoint, baseURL: st.BaseURL, log: slog.New(slog.DiscardHandler), record: st.AWSFor}
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
	l := &localStack{t: t, s: s, api: srv}
	email := "admin-" + unique() + "@example.com"
	l.call("POST", "/auth/signup", map[string]string{"orgName": "Outbox Care", "email": email, "password": "Correct-Horse-9"})
	l.token = l.call("POST", "/auth/login", map[string]string{"email": email, "password": "Correct-Horse-9"})["token"].(string)
	return l
}

func (l *localStack) call(method, path string, body any) map[string]any {
	l.t.Helper()
	js, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, l.api.URL+path, bytes.NewReader(js))
	req.Header.Set("Content-Type", "application/json")
	if l.token != "" {
		req.Header.Set("Authorization", "Bearer "+l.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		l.t.Fatalf("%s %s = %d %s", method, path, res.StatusCode, raw)
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

// sendInvoice sends a new invoice for a client reached at addr and phone.
func (l *localStack) sendInvoice(addr, phone string, channels ...string) {
	l.t.Helper()
	contact := map[string]any{"name": "Client", "email": addr}
	if phone != "" {
		contact["phone"] = phone
	}
	cid := l.call("POST", "/v1/clients", map[string]any{"name": "Client " + addr, "contacts": []any{contact}})["id"].(string)
	iid := l.call("POST", "/v1/invoices", map[string]any{"clientId": cid, "name": "Sessions",
		"lineItems": []any{map[string]any{"type": "fixed", "description": "Session", "amount": "120"}}})["id"].(string)
	l.call("POST", "/v1/invoices/"+iid+"/send", map[string]any{"channels": channels})
}

func (l *localStack) inFlight() int {
	l.t.Helper()
	url := l.s.res.IDs["DeliveriesQueue"]
	out, err := sqs.NewFromConfig(l.s.aws).GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: &url, AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible},
	})
	if err != nil {
		l.t.Fatal(err)
	}
	var a, b int
	fmt.Sscan(out.Attributes["ApproximateNumberOfMessages"], &a)
	fmt.Sscan(out.Attributes["ApproximateNumberOfMessagesNotVisible"], &b)
	return a + b
}

func notifierPoller(t *testing.T, ps []*poller) *poller {
	t.Helper()
	for _, p := range ps {
		if p.Event.Function == "NotifierFunction" && p.Event.Queue == "DeliveriesQueue" {
			return p
		}
	}
	t.Fatalf("no poller feeds DeliveriesQueue to NotifierFunction")
	return nil
}

// TestPollerFeedsTheNotifierAndOutboxShowsIt: the local stack polls the
// template's deliveries queue into the notifier, deletes what it sent, and
// the outbox lists the email and the text, newest first, with links.
func TestPollerFeedsTheNotifierAndOutboxShowsIt(t *testing.T) {
	t.Parallel()
	l := newLocalStack(t)
	ctx := context.Background()
	ps, err := l.s.pollers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := notifierPoller(t, ps)
	if p.Event.BatchSize != 10 || !p.Event.ReportBatchItemFailures {
		t.Errorf("event source %+v, want batches of 10 reporting item failures", p.Event)
	}

	first, second, phone := "first-"+unique()+"@example.com", "second-"+unique()+"@example.com", fmt.Sprintf("+6141%07d", time.Now().UnixNano()%10_000_000)
	l.sendInvoice(first, phone, "email", "sms")
	if n, err := p.Once(ctx); err != nil || n != 2 {
		t.Fatalf("first poll handled %d messages, %v; want the email and the text", n, err)
	}
	l.sendInvoice(second, "", "email")
	if n, err := p.Once(ctx); err != nil || n != 1 {
		t.Fatalf("second poll handled %d, %v", n, err)
	}
	if n, err := p.Once(ctx); err != nil || n != 0 {
		t.Fatalf("an empty queue gave %d, %v", n, err)
	}
	if got := l.inFlight(); got != 0 {
		t.Errorf("%d messages left on the queue after they were sent", got)
	}

	mux := http.NewServeMux()
	(&outbox{moto: moto.Endpoint, http: http.DefaultClient}).routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	res, err := http.Get(srv.URL + "/dev/outbox")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	page := string(body)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /dev/outbox: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{first, second, "&#43;" + phone[1:], "Invoice INV-00001 from Outbox Care", "Invoice INV-00002 from Outbox Care", "INV-00001.pdf", "Amount due"} {
		if !strings.Contains(page, want) {
			t.Errorf("outbox lacks %q", want)
		}
	}
	if strings.Index(page, second) > strings.Index(page, first) {
		t.Errorf("outbox is not newest first")
	}
	links := regexp.MustCompile(`<a href="(`+regexp.QuoteMeta(l.api.URL)+`/pay/org_[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(links) < 3 {
		t.Errorf("outbox has %d clickable pay links, want one per message (3)", len(links))
	}

	id := regexp.MustCompile(`href="/dev/outbox/([^/"]+)/attachments/0"`).FindStringSubmatch(page)
	if id == nil {
		t.Fatalf("no attachment link on the outbox")
	}
	res, err = http.Get(srv.URL + "/dev/outbox/" + id[1] + "/attachments/0")
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("attachment: %s, %q…", res.Header.Get("Content-Type"), pdf[:min(8, len(pdf))])
	}
	res, err = http.Get(srv.URL + "/dev/outbox/" + id[1] + "/html")
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(html), "View and pay invoice") || !strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("HTML view: %s\n%s", res.Header.Get("Content-Security-Policy"), html)
	}
	if res, err := http.Get(srv.URL + "/dev/outbox/nope/html"); err != nil || res.StatusCode != 404 {
		t.Errorf("unknown message: %v %v", res.StatusCode, err)
	}
}

// TestPollerLeavesFailuresForRetry: a message the handler reports as a
// batch item failure stays on the queue for SQS to show again.
func TestPollerLeavesFailuresForRetry(t *testing.T) {
	t.Parallel()
	l := newLocalStack(t)
	ctx := context.Background()
	env, err := l.s.env("NotifierFunction")
	if err != nil {
		t.Fatal(err)
	}
	h, err := notifierwire.New(ctx, func(k string) string {
		if k == "SENDER_EMAIL" {
			return "nobody-" + unique() + "@unverified.example"
		}
		return env(k)
	}, l.s.aws, l.s.log)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := l.s.pollers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := notifierPoller(t, ps)
	p.Handle = h.Handle
	l.sendInvoice("retry-"+unique()+"@example.com", "", "email")
	if n, err := p.Once(ctx); err != nil || n != 1 {
		t.Fatalf("poll handled %d, %v", n, err)
	}
	if got := l.inFlight(); got != 1 {
		t.Errorf("%d messages on the queue after a failed send, want it kept for retry", got)
	}
}

// TestOutboxShowsTheNewest: with more captured emails than it shows, the
// outbox reads and lists only the newest, newest first, and says so.
func TestOutboxShowsTheNewest(t *testing.T) {
	t.Parallel()
	l := newLocalStack(t)
	env, err := l.s.env("NotifierFunction")
	if err != nil {
		t.Fatal(err)
	}
	ses, err := sesmail.New(sesv2.NewFromConfig(l.s.aws))
	if err != nil {
		t.Fatal(err)
	}
	run := unique()
	for i := range outboxShown + 5 {
		m := email.Message{
			From: mail.Address{Address: env("SENDER_EMAIL")}, To: []mail.Address{{Address: "many@example.com"}},
			Subject: fmt.Sprintf("Bulk %s %03d", run, i), Text: "hello", Date: time.Now(),
		}
		if _, err := ses.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	mux := http.NewServeMux()
	(&outbox{moto: moto.Endpoint, http: http.DefaultClient}).routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	res, err := http.Get(srv.URL + "/dev/outbox")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	page := string(body)
	if !regexp.MustCompile(`Emails \(\d+, the newest 50 shown\)`).MatchString(page) {
		t.Errorf("the outbox does not say it shows the newest 50")
	}
	emails := page[:strings.Index(page, "<h2>Texts")]
	if n := strings.Count(emails, "<article>"); n != outboxShown {
		t.Errorf("%d emails listed, want %d", n, outboxShown)
	}
	last := fmt.Sprintf("Bulk %s %03d", run, outboxShown+4)
	if !strings.Contains(emails, last) || strings.Contains(emails, fmt.Sprintf("Bulk %s %03d", run, 0)) {
		t.Errorf("the newest email (%s) is missing or the oldest is shown", last)
	}
}
