package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/teststack"
)

// fullStack is the whole local stack over a fresh copy of the template:
// every HTTP function under its template routes, the outbox, the stand-in
// checkout in front of stripe-mock, and an org signed in.
type fullStack struct {
	*localStack
	checkout *checkout
	site     *httptest.Server
	notifier *poller
	email    string // the org admin's sign-in; the password is "Correct-Horse-9"
}

func newFullStack(t *testing.T) *fullStack {
	t.Helper()
	tpl, err := provision.Load(filepath.Join(testenv.RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st := teststack.New(t, moto)
	site := st.Site(t) // links come only from PUBLIC_BASE_URL: the site's address is known first
	co := newCheckout(stripeMock.URL, localWebhookSecret)
	front, err := co.front(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := &stack{tpl: tpl, res: st.Resources, aws: st.AWS, moto: moto.Endpoint, stripe: front, baseURL: st.BaseURL, log: slog.New(slog.DiscardHandler), record: st.AWSFor}
	if err := s.putSecrets(ctx); err != nil {
		t.Fatal(err)
	}
	h, err := s.router(ctx)
	if err != nil {
		t.Fatal(err)
	}
	root := http.NewServeMux()
	(&outbox{moto: moto.Endpoint, http: http.DefaultClient}).routes(root)
	co.routes(root)
	root.Handle("/", h)
	site.Config.Handler = root
	site.Start()
	co.public, co.webhooks = site.URL, site.URL+"/webhooks/stripe"
	ps, err := s.pollers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l := &localStack{t: t, s: s, api: site}
	email := "admin-" + unique() + "@example.com"
	l.call("POST", "/auth/signup", map[string]string{"orgName": "Checkout Care", "email": email, "password": "Correct-Horse-9"})
	l.token = l.call("POST", "/auth/login", map[string]string{"email": email, "password": "Correct-Horse-9"})["token"].(string)
	return &fullStack{localStack: l, checkout: co, site: site, notifier: notifierPoller(t, ps), email: email}
}

// noFollow is a client that shows redirects instead of following them.
var noFollow = &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func fetchPage(t *testing.T, method, u string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// emailedPayLink sends the invoice by email, lets the notifier send it,
// and finds its pay link in the outbox, as a client finds it in the email.
func (f *fullStack) emailedPayLink(invoiceID, to string) string {
	f.t.Helper()
	f.call("POST", "/v1/invoices/"+invoiceID+"/send", map[string]any{"channels": []string{"email"}})
	if n, err := f.notifier.Once(context.Background()); err != nil || n != 1 {
		f.t.Fatalf("the notifier handled %d messages, %v", n, err)
	}
	_, _, page := fetchPage(f.t, "GET", f.site.URL+"/dev/outbox")
	at := strings.Index(page, to)
	if at < 0 {
		f.t.Fatalf("the outbox has no email to %s", to)
	}
	end := strings.Index(page[at:], "</article>")
	link := regexp.MustCompile(`href="(` + regexp.QuoteMeta(f.site.URL) + `/pay/[^"]+)"`).FindStringSubmatch(page[at : at+end])
	if link == nil {
		f.t.Fatalf("the email to %s carries no pay link", to)
	}
	return link[1]
}

// TestLocalCheckoutPaysAnEmailedInvoice: a client follows the emailed
// link, presses Pay on the pay page, lands on the local test checkout
// (clearly marked, showing the session, amount and invoice), is declined
// once, pays, and returns to the pay page showing the invoice paid; the
// coordinator's API shows one card payment with its receipt, and pressing
// Pay again (Stripe redelivering) records nothing twice.
func TestLocalCheckoutPaysAnEmailedInvoice(t *testing.T) {
	t.Parallel()
	f := newFullStack(t)
	to := "payer-" + unique() + "@example.com"
	cid := f.call("POST", "/v1/clients", map[string]any{"name": "Pat Payer", "contacts": []any{map[string]any{"name": "Pat", "email": to}}})["id"].(string)
	inv := f.call("POST", "/v1/invoices", map[string]any{"clientId": cid, "name": "November sessions",
		"lineItems": []any{map[string]any{"type": "fixed", "description": "Session", "amount": "120"}}})
	iid := inv["id"].(string)
	link := f.emailedPayLink(iid, to)

	code, _, page := fetchPage(t, "GET", link)
	if code != 200 || !strings.Contains(page, "Pay $132.00 now") {
		t.Fatalf("pay page: %d\n%s", code, page)
	}
	code, h, _ := fetchPage(t, "POST", link+"/checkout")
	co := h.Get("Location")
	if code != http.StatusSeeOther || !strings.HasPrefix(co, f.site.URL+"/dev/checkout/cs_test_local_") {
		t.Fatalf("checkout: %d to %q, want 303 to the local checkout", code, co)
	}
	code, _, page = fetchPage(t, "GET", co)
	for _, want := range []string{"Local test checkout", "No card is charged", "Pay $132.00", "Invoice INV-00001", "November sessions", iid, strings.TrimPrefix(co, f.site.URL+"/dev/checkout/")} {
		if !strings.Contains(page, want) {
			t.Errorf("checkout page lacks %q", want)
		}
	}
	if code != 200 {
		t.Fatalf("checkout page: %d", code)
	}

	code, _, page = fetchPage(t, "POST", co+"/decline")
	if code != http.StatusOK || !strings.Contains(page, "Your card was declined") {
		t.Fatalf("decline: %d\n%s", code, page)
	}
	if got := f.call("GET", "/v1/invoices/"+iid, nil)["status"]; got != "open" {
		t.Fatalf("after a decline the invoice is %v", got)
	}

	code, h, _ = fetchPage(t, "POST", co+"/pay")
	back := h.Get("Location")
	if code != http.StatusSeeOther || back != link+"?checkout=success" {
		t.Fatalf("pay: %d to %q, want 303 to %s?checkout=success", code, back, link)
	}
	_, _, page = fetchPage(t, "GET", back)
	if !regexp.MustCompile(`data-status>Paid<`).MatchString(page) || strings.Contains(page, "data-pay") {
		t.Errorf("the pay page after paying does not show Paid without a pay button:\n%s", page)
	}
	if got := f.call("GET", "/v1/invoices/"+iid, nil); got["status"] != "paid" || got["balance"] != "0.00" {
		t.Errorf("invoice after paying: status %v, balance %v", got["status"], got["balance"])
	}
	pays := f.call("GET", "/v1/payments?clientId="+url.QueryEscape(cid), nil)["data"].([]any)
	if len(pays) != 1 {
		t.Fatalf("%d payments recorded, want 1", len(pays))
	}
	p := pays[0].(map[string]any)
	if p["method"] != "card" || p["amount"] != "132.00" || !strings.HasPrefix(p["receiptNumber"].(string), "RCT-") || !strings.HasPrefix(p["reference"].(string), "pi_test_local_") {
		t.Errorf("payment %v", p)
	}
	// The invoice and its receipt download through the router as the UI
	// fetches them (the documents function's routes).
	f.pdf("/v1/invoices/" + iid + "/pdf")
	f.pdf("/v1/payments/" + p["id"].(string) + "/receipt.pdf")

	// Stripe may deliver again; a second Pay sends fresh events for the same intent.
	if code, _, _ := fetchPage(t, "POST", co+"/pay"); code != http.StatusSeeOther {
		t.Fatalf("second pay: %d", code)
	}
	if n := len(f.call("GET", "/v1/payments?clientId="+url.QueryEscape(cid), nil)["data"].([]any)); n != 1 {
		t.Errorf("%d payments after the events came again, want 1", n)
	}
	// A paid session's page sends the browser back to the invoice.
	if code, h, _ := fetchPage(t, "GET", co); code != http.StatusSeeOther || h.Get("Location") != back {
		t.Errorf("a paid session's page: %d to %q", code, h.Get("Location"))
	}
}

// TestLocalCheckoutSignsAsStripe: the payments function refuses the
// stand-in's events when its secret differs, and the page says why.
func TestLocalCheckoutSignsAsStripe(t *testing.T) {
	t.Parallel()
	f := newFullStack(t)
	f.checkout.secret = "whsec_not_the_endpoint_secret"
	to := "forged-" + unique() + "@example.com"
	cid := f.call("POST", "/v1/clients", map[string]any{"name": "Forged", "contacts": []any{map[string]any{"name": "F", "email": to}}})["id"].(string)
	iid := f.call("POST", "/v1/invoices", map[string]any{"clientId": cid, "name": "Sessions",
		"lineItems": []any{map[string]any{"type": "fixed", "description": "Session", "amount": "50"}}})["id"].(string)
	f.call("POST", "/v1/invoices/"+iid+"/finalize", map[string]any{})
	link := f.call("GET", "/v1/invoices/"+iid+"/pay-link", nil)["url"].(string)
	_, h, _ := fetchPage(t, "POST", link+"/checkout")
	code, _, page := fetchPage(t, "POST", h.Get("Location")+"/pay")
	if code != http.StatusBadGateway || !strings.Contains(page, "400") {
		t.Fatalf("pay with a wrong secret: %d\n%s", code, page)
	}
	if got := f.call("GET", "/v1/invoices/"+iid, nil)["status"]; got != "open" {
		t.Errorf("invoice is %v after a refused event", got)
	}
}
