package notify_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/carebill/carebill/internal/notify"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/testenv"
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
	email := "admin-" + unique() + "@example.com"
	h.must(201, "POST", "/auth/signup", map[string]string{"orgName": orgName, "email": email, "password": "Correct-Horse-9"})
	h.token = h.must(200, "POST", "/auth/login", map[string]string{"email": email, "password": "Correct-Horse-9"}).str("token")
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

type reply struct {
	status int
	body   map[string]any
	raw    string
	header http.Header
}

func (r reply) str(path ...string) string {
	var v any = r.body
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

func (r reply) list(key string) []map[string]any {
	var out []map[string]any
	items, _ := r.body[key].([]any)
	for _, v := range items {
		out = append(out, v.(map[string]any))
	}
	return out
}

func (h *harness) do(method, path string, body any, header ...string) reply {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		js, _ := json.Marshal(b)
		rd = bytes.NewReader(js)
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := reply{status: res.StatusCode, raw: string(raw), header: res.Header}
	_ = json.Unmarshal(raw, &r.body)
	return r
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
	url := h.st.Resources.IDs["DeliveriesQueue"]
	var msgs []sqstypes.Message
	for try := 0; len(msgs) < n && try < 50; try++ {
		out, err := h.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: &url, MaxNumberOfMessages: int32(n - len(msgs)), VisibilityTimeout: visibility,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		if err != nil {
			h.t.Fatal(err)
		}
		msgs = append(msgs, out.Messages...)
		if len(msgs) < n {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if len(msgs) != n {
		h.t.Fatalf("received %d messages from the deliveries queue, want %d", len(msgs), n)
	}
	return queue.Event(h.st.Resources.ARNs["DeliveriesQueue"], msgs)
}

// expire makes ev's messages visible again at once, standing in for
// their visibility timeout passing.
func (h *harness) expire(ev events.SQSEvent) {
	h.t.Helper()
	url := h.st.Resources.IDs["DeliveriesQueue"]
	for _, r := range ev.Records {
		_, err := h.sqs.ChangeMessageVisibility(context.Background(), &sqs.ChangeMessageVisibilityInput{
			QueueUrl: &url, ReceiptHandle: &r.ReceiptHandle, VisibilityTimeout: 0,
		})
		if err != nil {
			h.t.Fatal(err)
		}
	}
}

// queueDepth is how many messages wait in a queue, visible or not.
func (h *harness) queueDepth(logicalID string) int {
	h.t.Helper()
	url := h.st.Resources.IDs[logicalID]
	out, err := h.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: &url,
		AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	var n int
	for _, k := range []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"} {
		var v int
		fmt.Sscan(out.Attributes[k], &v)
		n += v
	}
	return n
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

// unique is a short random token for addresses no other test uses.
func unique() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1<<40))
	return fmt.Sprintf("%x", n)
}

// uniquePhone is an Australian mobile number no other test uses.
func uniquePhone() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(100_000_000))
	return fmt.Sprintf("+614%08d", n)
}

// captured is what moto's /moto-api/data.json holds of sent email and SMS.
type captured struct {
	SES struct {
		RawMessage []struct {
			ID           string   `json:"id"`
			Source       string   `json:"source"`
			Destinations []string `json:"destinations"`
			RawData      string   `json:"raw_data"`
		} `json:"RawMessage"`
	} `json:"ses"`
	SNS struct {
		SMS []struct {
			MessageID   string `json:"message_id"`
			PhoneNumber string `json:"phone_number"`
			Message     string `json:"message"`
		} `json:"SMS"`
	} `json:"sns"`
}

func outbox(t *testing.T) captured {
	t.Helper()
	res, err := http.Get(moto.Endpoint + "/moto-api/data.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var c captured
	if err := json.NewDecoder(res.Body).Decode(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

// parsedMail is an email as the standard library reads it.
type parsedMail struct {
	source      string
	from        *mail.Address
	to, replyTo []*mail.Address
	subject     string
	text, html  string
	attachments map[string][]byte
}

// mailsTo returns the emails moto captured whose To header names addr.
func mailsTo(t *testing.T, addr string) []parsedMail {
	t.Helper()
	var out []parsedMail
	for _, m := range outbox(t).SES.RawMessage {
		p := parseMail(t, m.RawData)
		p.source = m.Source
		for _, a := range p.to {
			if a.Address == addr {
				out = append(out, p)
			}
		}
	}
	return out
}

func textsTo(t *testing.T, phone string) []string {
	t.Helper()
	var out []string
	for _, m := range outbox(t).SNS.SMS {
		if m.PhoneNumber == phone {
			out = append(out, m.Message)
		}
	}
	return out
}

// parseMail reads a raw message with net/mail and mime/multipart.
func parseMail(t *testing.T, raw string) parsedMail {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("captured email does not parse: %v\n%s", err, raw)
	}
	p := parsedMail{attachments: map[string][]byte{}}
	if p.from, err = mail.ParseAddress(msg.Header.Get("From")); err != nil {
		t.Fatalf("From %q: %v", msg.Header.Get("From"), err)
	}
	p.to, _ = msg.Header.AddressList("To")
	p.replyTo, _ = msg.Header.AddressList("Reply-To")
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	var walk func(contentType string, r io.Reader)
	walk = func(contentType string, r io.Reader) {
		media, params, err := mime.ParseMediaType(contentType)
		if err != nil {
			t.Fatalf("content type %q: %v", contentType, err)
		}
		mr := multipart.NewReader(r, params["boundary"])
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				t.Fatalf("%s part: %v", media, err)
			}
			ct := part.Header.Get("Content-Type")
			body, _ := io.ReadAll(part)
			switch {
			case strings.HasPrefix(ct, "multipart/"):
				walk(ct, bytes.NewReader(body))
			case part.FileName() != "":
				data, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(body), "\r\n", ""))
				if err != nil {
					t.Fatalf("attachment %s: %v", part.FileName(), err)
				}
				p.attachments[part.FileName()] = data
			case strings.HasPrefix(ct, "text/plain"):
				p.text = strings.ReplaceAll(string(body), "\r\n", "\n")
			case strings.HasPrefix(ct, "text/html"):
				p.html = string(body)
			}
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Body)
	return p
}

// pdfText checks a PDF with qpdf and returns pdftotext's reading of it.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "attachment.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("qpdf", "--check", file).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func addresses(as []*mail.Address) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Address
	}
	return out
}
