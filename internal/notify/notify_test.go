package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/testkit"
)

// payLinkRE is a pay link under the test server: the org id, a dot, and
// 256 bits of secret in base64url.
var payLinkRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+/pay/(org_[0-9a-z]{26}\.[A-Za-z0-9_-]{43})`)

// openLink opens a pay link as the client's browser does, on the portal,
// and returns the status and page.
func (h *harness) openLink(link string) (int, string) {
	h.t.Helper()
	if !payLinkRE.MatchString(link) {
		h.t.Fatalf("%q is not a pay link", link)
	}
	res, err := http.Get(link)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func (h *harness) client(body map[string]any) string {
	h.t.Helper()
	return h.must(201, "POST", "/v1/clients", body).str("id")
}

func (h *harness) kinds(iid string) []string {
	h.t.Helper()
	var out []string
	for _, e := range h.must(200, "GET", "/v1/invoices/"+iid+"/activity", nil).list("data") {
		out = append(out, e["kind"].(string)+":"+fmt.Sprint(e["channel"]))
	}
	return out
}

func dueText(t *testing.T, iso string) string {
	t.Helper()
	d, err := calendar.Parse(iso)
	if err != nil {
		t.Fatal(err)
	}
	return d.Format("2 Jan 2006")
}

// TestSendByEmailAndSMS is the journey: a coordinator sends a draft
// by email and SMS; it is finalized on the way, both deliveries are queued,
// the notifier sends them, and the client gets a branded email with the
// invoice PDF and a text, both with a pay link that opens the invoice.
func TestSendByEmailAndSMS(t *testing.T) {
	testenv.Require(t, "qpdf", "pdftotext")
	t.Parallel()
	h := newHarness(t, "Zoë's Care")
	h.must(200, "PATCH", "/v1/org", map[string]any{"email": "office@zoescare.example"})
	addr, phone := "client-"+unique()+"@example.com", uniquePhone()
	cid := h.client(map[string]any{"name": "Jordan <Lee>", "contacts": []map[string]any{{"name": "Jordan", "email": addr, "phone": phone}}})
	iid := h.draft(cid)

	sent := h.must(200, "POST", "/v1/invoices/"+iid+"/send", map[string]any{"channels": []string{"email", "sms"}})
	if sent.str("status") != "open" || sent.str("number") != "INV-00001" || sent.str("sentAt") == "" || sent.str("total") != "2260.50" {
		t.Fatalf("sent invoice: %s", sent.raw)
	}
	ds := sent.list("deliveries")
	if len(ds) != 2 {
		t.Fatalf("deliveries: %s", sent.raw)
	}
	for _, want := range []map[string]any{
		{"channel": "email", "recipient": addr, "replyTo": "office@zoescare.example", "subject": "Invoice INV-00001 from Zoë's Care", "status": "queued"},
		{"channel": "sms", "recipient": phone, "status": "queued"},
	} {
		if !slices.ContainsFunc(ds, func(d map[string]any) bool {
			for k, v := range want {
				if d[k] != v {
					return false
				}
			}
			return strings.HasPrefix(d["id"].(string), "dlv_")
		}) {
			t.Errorf("no delivery like %v in %v", want, ds)
		}
	}
	if strings.Contains(sent.raw, "/pay/") {
		t.Errorf("the send response carries a pay link's secret: %s", sent.raw)
	}
	inv := h.must(200, "GET", "/v1/invoices/"+iid, nil)
	if inv.str("sentAt") != sent.str("sentAt") || inv.str("status") != "open" {
		t.Fatalf("invoice after send: %s", inv.raw)
	}
	due := dueText(t, inv.str("dueDate"))

	ev := h.receive(2, 30)
	for _, rec := range ev.Records {
		var body map[string]string
		if err := json.Unmarshal([]byte(rec.Body), &body); err != nil || len(body) != 2 || body["orgId"] == "" || !strings.HasPrefix(body["deliveryId"], "dlv_") {
			t.Errorf("message body %s: want only the org and delivery ids", rec.Body)
		}
	}
	if failed := handle(t, h.notifier(nil), ev); len(failed) != 0 {
		t.Fatalf("batch item failures: %v", failed)
	}

	mails := mailsTo(t, addr)
	if len(mails) != 1 {
		t.Fatalf("%d emails to %s", len(mails), addr)
	}
	m := mails[0]
	if m.From.Name != "Zoë's Care" || m.From.Address != "invoices@carebill.example" {
		t.Errorf("From %v", m.From)
	}
	if got := addresses(m.ReplyTo); !slices.Equal(got, []string{"office@zoescare.example"}) {
		t.Errorf("Reply-To %v", got)
	}
	if m.Subject != "Invoice INV-00001 from Zoë's Care" {
		t.Errorf("Subject %q", m.Subject)
	}
	link := payLinkRE.FindString(m.Text)
	for _, want := range []string{"INV-00001", "$2,260.50", due, "Jordan <Lee>", "INV-00001.pdf"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text body lacks %q:\n%s", want, m.Text)
		}
	}
	if link == "" {
		t.Fatalf("text body has no pay link:\n%s", m.Text)
	}
	for _, want := range []string{"Jordan &lt;Lee&gt;", `href="` + link + `"`, "$2,260.50", due, "Zoë&#39;s Care"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML body lacks %q:\n%s", want, m.HTML)
		}
	}
	if strings.Contains(m.HTML, "<Lee>") {
		t.Errorf("HTML body does not escape the client's name")
	}
	pdf, ok := m.Attachments["INV-00001.pdf"]
	if !ok {
		t.Fatalf("attachments %v, want INV-00001.pdf", m.Attachments)
	}
	txt := testkit.PDFText(t, pdf)
	for _, want := range []string{"INV-00001", "$2,260.50", "Jordan <Lee>", "Balance due"} {
		if !strings.Contains(txt, want) {
			t.Errorf("attached PDF lacks %q:\n%s", want, txt)
		}
	}

	texts := textsTo(t, phone)
	if len(texts) != 1 {
		t.Fatalf("%d texts to %s", len(texts), phone)
	}
	for _, want := range []string{"Zoë's Care", "INV-00001", "$2,260.50", due, link} {
		if !strings.Contains(texts[0], want) {
			t.Errorf("text %q lacks %q", texts[0], want)
		}
	}
	if status, page := h.openLink(link); status != 200 || !strings.Contains(page, "INV-00001") || !strings.Contains(page, "$2,260.50") {
		t.Errorf("the pay link opens %d:\n%s", status, page)
	}

	for _, d := range h.must(200, "GET", "/v1/invoices/"+iid+"/deliveries", nil).list("data") {
		if d["status"] != "sent" || d["attempts"] != float64(1) || d["sentAt"] == nil {
			t.Errorf("delivery after the notifier ran: %v", d)
		}
	}
	kinds := h.kinds(iid)
	for _, want := range []string{"delivered:email", "delivered:sms", "sent:email", "sent:sms", "finalized:<nil>", "created:<nil>"} {
		if !slices.Contains(kinds, want) {
			t.Errorf("activity %v lacks %s", kinds, want)
		}
	}
}

// TestRedeliveredMessageSendsOnce: SQS delivers at least once, so the same
// message handled three times, one after another or all at once, sends
// one email.
func TestRedeliveredMessageSendsOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "Once Care")
	addr := "once-" + unique() + "@example.com"
	cid := h.client(map[string]any{"name": "Client", "contacts": []map[string]any{{"name": "Client", "email": addr}}})
	n := h.notifier(nil)

	iid := h.draft(cid)
	h.must(200, "POST", "/v1/invoices/"+iid+"/send", map[string]any{"channels": []string{"email"}})
	ev := h.receive(1, 30)
	for i := range 3 {
		if failed := handle(t, n, ev); len(failed) != 0 {
			t.Fatalf("handling %d: failures %v", i+1, failed)
		}
	}
	if got := len(mailsTo(t, addr)); got != 1 {
		t.Fatalf("one message handled three times sent %d emails", got)
	}

	iid2 := h.draft(cid)
	h.must(200, "POST", "/v1/invoices/"+iid2+"/send", map[string]any{"channels": []string{"email"}})
	ev = h.receive(1, 30)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { _, _ = n.Handle(context.Background(), ev) })
	}
	wg.Wait()
	// The workers that lost the claim asked for a retry; by then it is sent.
	if failed := handle(t, n, ev); len(failed) != 0 {
		t.Fatalf("retry after the race: failures %v", failed)
	}
	if got := len(mailsTo(t, addr)); got != 2 {
		t.Fatalf("two invoices, one raced by three workers, sent %d emails", got)
	}
	for _, inv := range []string{iid, iid2} {
		d := h.must(200, "GET", "/v1/invoices/"+inv+"/deliveries", nil).list("data")
		if len(d) != 1 || d[0]["status"] != "sent" || d[0]["attempts"] != float64(1) {
			t.Errorf("deliveries of %s: %v", inv, d)
		}
		if k := h.kinds(inv); slices.Index(k, "delivered:email") < 0 || len(k) != 4 {
			t.Errorf("activity of %s: %v", inv, k)
		}
	}
}

// TestPlanManagedGoesToPlanManager: a plan-managed participant's invoice
// is emailed to the plan manager, who pays it, addressed to them.
func TestPlanManagedGoesToPlanManager(t *testing.T) {
	testenv.Require(t, "qpdf", "pdftotext")
	t.Parallel()
	h := newHarness(t, "Plan Care")
	participant, pm := "participant-"+unique()+"@example.com", "accounts-"+unique()+"@planco.example"
	cid := h.client(map[string]any{
		"name": "Sam Participant", "contacts": []map[string]any{{"name": "Sam", "email": participant}},
		"funding": map[string]any{"type": "plan_managed", "ndisNumber": "431234567", "planManager": map[string]any{"name": "PlanCo Pty Ltd", "email": pm}},
	})
	iid := h.draft(cid)
	sent := h.must(200, "POST", "/v1/invoices/"+iid+"/send", map[string]any{"channels": []string{"email"}})
	if d := sent.list("deliveries"); len(d) != 1 || d[0]["recipient"] != pm {
		t.Fatalf("deliveries %v, want one to %s", d, pm)
	}
	if failed := handle(t, h.notifier(nil), h.receive(1, 30)); len(failed) != 0 {
		t.Fatalf("failures %v", failed)
	}
	if got := len(mailsTo(t, participant)); got != 0 {
		t.Errorf("the participant got %d emails", got)
	}
	mails := mailsTo(t, pm)
	if len(mails) != 1 {
		t.Fatalf("the plan manager got %d emails", len(mails))
	}
	txt := testkit.PDFText(t, mails[0].Attachments["INV-00001.pdf"])
	for _, want := range []string{"PlanCo Pty Ltd", "For participant: Sam Participant", "431234567"} {
		if !strings.Contains(txt, want) {
			t.Errorf("PDF lacks %q:\n%s", want, txt)
		}
	}
}

// TestSendRefusals: what cannot be sent is refused with a clear code, and
// nothing changes: no finalization, no delivery, no message.
func TestSendRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "Careful Care")
	ndia := h.client(map[string]any{
		"name": "Ari NDIA", "contacts": []map[string]any{{"name": "Ari", "email": "ari-" + unique() + "@example.com", "phone": uniquePhone()}},
		"funding": map[string]any{"type": "ndia_managed", "ndisNumber": "431234567"},
	})
	noPhone := h.client(map[string]any{"name": "No Phone", "contacts": []map[string]any{{"name": "N", "email": "np-" + unique() + "@example.com"}}})
	nobody := h.client(map[string]any{"name": "No Contacts"})
	ndiaInv, noPhoneInv, nobodyInv := h.draft(ndia), h.draft(noPhone), h.draft(nobody)

	for _, tc := range []struct {
		name, inv, code string
		body            any
		status          int
	}{
		{"NDIA-managed by email", ndiaInv, "ndia_managed", map[string]any{"channels": []string{"email"}}, 422},
		{"NDIA-managed with an address given", ndiaInv, "ndia_managed", map[string]any{"channels": []string{"email"}, "email": map[string]any{"to": "x@example.com"}}, 422},
		{"NDIA-managed by SMS", ndiaInv, "ndia_managed", map[string]any{"channels": []string{"sms"}}, 422},
		{"no phone", noPhoneInv, "no_phone_number", map[string]any{"channels": []string{"email", "sms"}}, 422},
		{"no email", nobodyInv, "no_email_address", map[string]any{"channels": []string{"email"}}, 422},
		{"no channels", noPhoneInv, "invalid_field", map[string]any{"channels": []string{}}, 400},
		{"unknown channel", noPhoneInv, "invalid_field", map[string]any{"channels": []string{"fax"}}, 400},
		{"a channel twice", noPhoneInv, "invalid_field", map[string]any{"channels": []string{"email", "email"}}, 400},
		{"bad to", noPhoneInv, "invalid_field", map[string]any{"channels": []string{"email"}, "email": map[string]any{"to": "not-an-address"}}, 400},
		{"bad reply-to", noPhoneInv, "invalid_field", map[string]any{"channels": []string{"email"}, "email": map[string]any{"replyTo": "a@b"}}, 400},
		{"subject injection", noPhoneInv, "invalid_field", map[string]any{"channels": []string{"email"}, "email": map[string]any{"subject": "Hi\r\nBcc: victim@example.com"}}, 400},
		{"long subject", noPhoneInv, "invalid_field", map[string]any{"channels": []string{"email"}, "email": map[string]any{"subject": strings.Repeat("s", 201)}}, 400},
		{"long body", noPhoneInv, "invalid_field", map[string]any{"channels": []string{"email"}, "email": map[string]any{"body": strings.Repeat("b", 5001)}}, 400},
		{"email options for SMS", noPhoneInv, "invalid_field", map[string]any{"channels": []string{"sms"}, "email": map[string]any{"subject": "Hi"}}, 400},
		{"rotateLink on send", noPhoneInv, "invalid_field", map[string]any{"channels": []string{"email"}, "rotateLink": true}, 400},
		{"unknown field", noPhoneInv, "invalid_field", map[string]any{"channels": []string{"email"}, "cc": "x@example.com"}, 400},
	} {
		r := h.do("POST", "/v1/invoices/"+tc.inv+"/send", tc.body)
		if r.status != tc.status || r.str("error", "code") != tc.code || r.str("error", "message") == "" {
			t.Errorf("%s: %d %s, want %d %s", tc.name, r.status, r.raw, tc.status, tc.code)
		}
	}
	for _, inv := range []string{ndiaInv, noPhoneInv, nobodyInv} {
		if r := h.must(200, "GET", "/v1/invoices/"+inv, nil); r.str("status") != "draft" || r.str("number") != "" || r.str("sentAt") != "" {
			t.Errorf("a refused send changed the invoice: %s", r.raw)
		}
		if d := h.must(200, "GET", "/v1/invoices/"+inv+"/deliveries", nil).list("data"); len(d) != 0 {
			t.Errorf("a refused send stored deliveries: %v", d)
		}
	}
	if r := h.do("POST", "/v1/invoices/"+noPhoneInv+"/resend", map[string]any{"channels": []string{"email"}}); r.status != 409 || r.str("error", "code") != "invoice_not_finalized" {
		t.Errorf("resend of a draft: %d %s", r.status, r.raw)
	}
	if depth := h.queueDepth("DeliveriesQueue"); depth != 0 {
		t.Errorf("refused sends queued %d messages", depth)
	}

	// An address given for a client without one sends there.
	to := "given-" + unique() + "@example.com"
	r := h.must(200, "POST", "/v1/invoices/"+nobodyInv+"/send", map[string]any{"channels": []string{"email"}, "email": map[string]any{"to": to}})
	if d := r.list("deliveries"); len(d) != 1 || d[0]["recipient"] != to {
		t.Errorf("deliveries %v, want one to %s", d, to)
	}
	// Void invoices are not sent; other orgs' invoices do not exist.
	h.must(200, "POST", "/v1/invoices/"+noPhoneInv+"/finalize", nil)
	h.must(200, "POST", "/v1/invoices/"+noPhoneInv+"/void", map[string]any{"reason": "Issued in error"})
	if r := h.do("POST", "/v1/invoices/"+noPhoneInv+"/send", map[string]any{"channels": []string{"email"}}); r.status != 409 || r.str("error", "code") != "invoice_void" {
		t.Errorf("send a void invoice: %d %s", r.status, r.raw)
	}
	other := newHarness(t, "Other Care")
	other.must(404, "POST", "/v1/invoices/"+nobodyInv+"/send", map[string]any{"channels": []string{"email"}})
	other.must(404, "POST", "/v1/invoices/"+nobodyInv+"/resend", map[string]any{"channels": []string{"email"}})
	other.must(404, "GET", "/v1/invoices/"+nobodyInv+"/deliveries", nil)
}

// TestFailingSendRetriesThenFails: a send SES refuses (an unverified
// sender) is recorded and retried on every receive, then marked failed
// with an activity event at the queue's last receive; its message then
// goes to the dead-letter queue.
func TestFailingSendRetriesThenFails(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "Unverified Care")
	addr := "fail-" + unique() + "@example.com"
	cid := h.client(map[string]any{"name": "Client", "contacts": []map[string]any{{"name": "Client", "email": addr}}})
	iid := h.draft(cid)
	h.must(200, "POST", "/v1/invoices/"+iid+"/send", map[string]any{"channels": []string{"email"}})
	n := h.notifier(map[string]string{"SENDER_EMAIL": "nobody-" + unique() + "@unverified.example"})

	for receive := 1; receive <= 5; receive++ {
		ev := h.receive(1, 30)
		if got := ev.Records[0].Attributes["ApproximateReceiveCount"]; got != strconv.Itoa(receive) {
			t.Fatalf("receive %d: ApproximateReceiveCount %s", receive, got)
		}
		if failed := handle(t, n, ev); !slices.Equal(failed, []string{ev.Records[0].MessageId}) {
			t.Fatalf("receive %d: batch item failures %v, want the message", receive, failed)
		}
		h.expire(ev)
		d := h.must(200, "GET", "/v1/invoices/"+iid+"/deliveries", nil).list("data")[0]
		want := "queued"
		if receive == 5 {
			want = "failed"
		}
		if d["status"] != want || d["attempts"] != float64(receive) || !strings.Contains(fmt.Sprint(d["lastError"]), "refused") {
			t.Fatalf("after receive %d: %v, want %s", receive, d, want)
		}
	}
	var failedEvent map[string]any
	for _, e := range h.must(200, "GET", "/v1/invoices/"+iid+"/activity", nil).list("data") {
		if e["kind"] == "failed" {
			failedEvent = e
		}
	}
	if failedEvent == nil || failedEvent["channel"] != "email" || failedEvent["recipient"] != addr ||
		!strings.Contains(fmt.Sprint(failedEvent["summary"]), "could not be delivered") {
		t.Errorf("failed activity: %v", failedEvent)
	}
	url := h.st.Resources.IDs["DeliveriesQueue"]
	out, err := h.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
	if err != nil || len(out.Messages) != 0 {
		t.Fatalf("a sixth receive got %d messages (%v), want the message moved to the DLQ", len(out.Messages), err)
	}
	if depth := h.queueDepth("DeliveriesDLQ"); depth != 1 {
		t.Errorf("dead-letter queue holds %d messages, want 1", depth)
	}
	if got := len(mailsTo(t, addr)); got != 0 {
		t.Errorf("%d emails went out from an unverified sender", got)
	}
}

// TestIdempotentSend: a retried send with the same Idempotency-Key gets
// the first answer and makes no second delivery.
func TestIdempotentSend(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "Retry Care")
	cid := h.client(map[string]any{"name": "Client", "contacts": []map[string]any{{"name": "Client", "email": "idem-" + unique() + "@example.com"}}})
	iid := h.draft(cid)
	key := "send-" + unique()
	body := map[string]any{"channels": []string{"email"}}
	first := h.must(200, "POST", "/v1/invoices/"+iid+"/send", body, "Idempotency-Key", key)
	again := h.must(200, "POST", "/v1/invoices/"+iid+"/send", body, "Idempotency-Key", key)
	if again.header.Get("Idempotent-Replayed") != "true" || again.raw != first.raw {
		t.Fatalf("replay: %s %s", again.header.Get("Idempotent-Replayed"), again.raw)
	}
	if d := h.must(200, "GET", "/v1/invoices/"+iid+"/deliveries", nil).list("data"); len(d) != 1 {
		t.Errorf("%d deliveries after a replayed send", len(d))
	}
	if depth := h.queueDepth("DeliveriesQueue"); depth != 1 {
		t.Errorf("%d messages queued after a replayed send", depth)
	}
	other := map[string]any{"channels": []string{"email"}, "email": map[string]any{"subject": "Changed"}}
	if r := h.do("POST", "/v1/invoices/"+iid+"/send", other, "Idempotency-Key", key); r.status != 422 || r.str("error", "code") != "idempotency_key_reused" {
		t.Errorf("same key, other body: %d %s", r.status, r.raw)
	}
}

// TestResendRotatesLink: a resend texts a fresh link; with rotateLink the
// earlier links stop working, without it they keep working. The first
// send's date stays.
func TestResendRotatesLink(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "Rotate Care")
	phone := uniquePhone()
	cid := h.client(map[string]any{"name": "Client", "contacts": []map[string]any{{"name": "Client", "phone": phone}}})
	iid := h.draft(cid)
	n := h.notifier(nil)
	sms := map[string]any{"channels": []string{"sms"}}
	link := func(i int) string {
		t.Helper()
		if failed := handle(t, n, h.receive(1, 30)); len(failed) != 0 {
			t.Fatalf("failures %v", failed)
		}
		texts := textsTo(t, phone)
		if len(texts) != i {
			t.Fatalf("%d texts, want %d", len(texts), i)
		}
		return payLinkRE.FindString(texts[i-1])
	}
	first := h.must(200, "POST", "/v1/invoices/"+iid+"/send", sms)
	l1 := link(1)
	time.Sleep(5 * time.Millisecond)
	h.must(200, "POST", "/v1/invoices/"+iid+"/resend", map[string]any{"channels": []string{"sms"}, "rotateLink": true})
	l2 := link(2)
	h.must(200, "POST", "/v1/invoices/"+iid+"/resend", sms)
	l3 := link(3)
	if l1 == l2 || l2 == l3 {
		t.Fatalf("links did not change: %s %s %s", l1, l2, l3)
	}
	if status, _ := h.openLink(l1); status != 404 {
		t.Errorf("the link before the rotation answers %d, want 404", status)
	}
	for _, l := range []string{l2, l3} {
		if status, page := h.openLink(l); status != 200 || !strings.Contains(page, "INV-00001") {
			t.Errorf("link %s answers %d:\n%s", l, status, page)
		}
	}
	if got := h.must(200, "GET", "/v1/invoices/"+iid, nil).str("sentAt"); got != first.str("sentAt") {
		t.Errorf("sentAt moved from %s to %s on resend", first.str("sentAt"), got)
	}
	var details []string
	for _, e := range h.must(200, "GET", "/v1/invoices/"+iid+"/activity", nil).list("data") {
		if e["kind"] == "sent" {
			details = append(details, fmt.Sprint(e["detail"]))
		}
	}
	if !slices.Equal(details, []string{"resent", "resent with a new pay link; earlier links no longer work", "<nil>"}) {
		t.Errorf("sent events' details, newest first: %q", details)
	}
}
