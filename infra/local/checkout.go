package main

import (
	"bytes"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/carebill/carebill/internal/money"
)

// checkout stands in for the hosted half of Stripe, which stripe-mock
// lacks: stripe-mock answers API calls with canned objects (every Checkout
// Session has the same id and a URL on checkout.stripe.com) and never
// sends webhook events. So the payments function talks to stripe-mock
// through this front (its STRIPE_API_BASE), which passes every call on and,
// for a created Checkout Session, gives it an id of its own and a URL on
// the local stack's /dev/checkout/{id}. That page, clearly marked as a
// local test page, shows what the session charges; its Pay and Decline
// buttons send the events Stripe would send, signed with the webhook
// secret exactly as Stripe signs them, to /webhooks/stripe, and then send
// the browser to the session's success URL, or show the decline.
//
// It lives in infra/local alone; no Lambda binary links it, and the
// payments function does not know it exists.
type checkout struct {
	stripeMock string // stripe-mock's API base
	secret     string // the webhook signing secret the payments function verifies with
	public     string // where browsers reach the local stack ("http://localhost:3000")
	webhooks   string // where the events go ("http://127.0.0.1:3000/webhooks/stripe")
	http       *http.Client
	now        func() time.Time

	mu       sync.Mutex
	sessions map[string]*session
}

// session is one created Checkout Session, as the create call described it.
type session struct {
	ID, IntentID       string
	Currency           string // lower case, as Stripe writes it
	Total              int64  // Stripe's integer amount, every line
	Lines              []sessionLine
	Metadata           map[string]string
	IntentMetadata     map[string]string
	ClientReferenceID  string
	SuccessURL, Cancel string
	Paid               bool
	Declined           bool
	eventSeq           int
}

type sessionLine struct {
	Name, Description string
	Amount            int64 // unit amount × quantity, Stripe's integer amount
}

func newCheckout(stripeMock, secret string) *checkout {
	return &checkout{
		stripeMock: strings.TrimRight(stripeMock, "/"), secret: secret,
		http: &http.Client{Timeout: 10 * time.Second}, now: time.Now,
		sessions: map[string]*session{},
	}
}

// front serves the Stripe API front on a free port of 127.0.0.1 until ctx
// ends, and returns its base URL.
func (c *checkout) front(ctx context.Context) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("local checkout: listen: %w", err)
	}
	srv := &http.Server{Handler: c.api(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	return "http://" + ln.Addr().String(), nil
}

// api passes Stripe API calls to stripe-mock, creating sessions on the way.
func (c *checkout) api() http.Handler {
	target, _ := url.Parse(c.stripeMock)
	proxy := httputil.NewSingleHostReverseProxy(target)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/checkout/sessions", c.createSession)
	mux.Handle("/", proxy)
	return mux
}

// routes mounts the stand-in checkout page.
func (c *checkout) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /dev/checkout/{id}", c.page)
	mux.HandleFunc("POST /dev/checkout/{id}/pay", c.pay)
	mux.HandleFunc("POST /dev/checkout/{id}/decline", c.decline)
}

func randomID(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// createSession forwards the create call to stripe-mock, which checks its
// parameters against Stripe's API, then records the session and answers
// with stripe-mock's object carrying the session's own id, intent and URL.
func (c *checkout) createSession(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, c.stripeMock+r.URL.RequestURI(), bytes.NewReader(body))
	req.Header = r.Header.Clone()
	req.Header.Del("Accept-Encoding") // the answer is rewritten below, so it must arrive plain
	res, err := c.http.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	answer, err := io.ReadAll(res.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if res.StatusCode != http.StatusOK {
		w.Header().Set("Content-Type", res.Header.Get("Content-Type"))
		w.WriteHeader(res.StatusCode)
		_, _ = w.Write(answer)
		return
	}
	s, err := sessionFromForm(form)
	if err != nil {
		http.Error(w, `{"error":{"type":"invalid_request_error","message":"`+err.Error()+`"}}`, http.StatusBadRequest)
		return
	}
	var obj map[string]any
	if err := json.Unmarshal(answer, &obj); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	obj["id"], obj["url"], obj["payment_intent"] = s.ID, c.public+"/dev/checkout/"+s.ID, s.IntentID
	obj["amount_total"], obj["currency"], obj["metadata"] = s.Total, s.Currency, s.Metadata
	obj["success_url"], obj["cancel_url"], obj["client_reference_id"] = s.SuccessURL, s.Cancel, s.ClientReferenceID
	out, _ := json.Marshal(obj)
	c.mu.Lock()
	c.sessions[s.ID] = s
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}

// sessionFromForm reads the form-encoded create parameters carebill sends.
func sessionFromForm(f url.Values) (*session, error) {
	s := &session{
		ID: randomID("cs_test_local_"), IntentID: randomID("pi_test_local_"),
		Metadata: map[string]string{}, IntentMetadata: map[string]string{},
		ClientReferenceID: f.Get("client_reference_id"), SuccessURL: f.Get("success_url"), Cancel: f.Get("cancel_url"),
	}
	for k, v := range f {
		if m, ok := strings.CutPrefix(k, "metadata["); ok {
			s.Metadata[strings.TrimSuffix(m, "]")] = v[0]
		}
		if m, ok := strings.CutPrefix(k, "payment_intent_data[metadata]["); ok {
			s.IntentMetadata[strings.TrimSuffix(m, "]")] = v[0]
		}
	}
	for i := 0; ; i++ {
		p := fmt.Sprintf("line_items[%d]", i)
		if f.Get(p+"[quantity]") == "" {
			break
		}
		qty, err1 := strconv.ParseInt(f.Get(p+"[quantity]"), 10, 64)
		unit, err2 := strconv.ParseInt(f.Get(p+"[price_data][unit_amount]"), 10, 64)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("line item %d: %w", i, err)
		}
		cur := f.Get(p + "[price_data][currency]")
		if s.Currency == "" {
			s.Currency = cur
		} else if cur != s.Currency {
			return nil, fmt.Errorf("line items in %s and %s", s.Currency, cur)
		}
		s.Lines = append(s.Lines, sessionLine{
			Name:        f.Get(p + "[price_data][product_data][name]"),
			Description: f.Get(p + "[price_data][product_data][description]"),
			Amount:      unit * qty,
		})
		s.Total += unit * qty
	}
	if len(s.Lines) == 0 || s.SuccessURL == "" || s.Cancel == "" {
		return nil, errors.New("a session needs line items, a success_url and a cancel_url")
	}
	return s, nil
}

func (c *checkout) session(id string) (*session, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.sessions[id]
	return s, ok
}

//go:embed checkout.html
var checkoutHTML string

var checkoutPage = template.Must(template.New("checkout").Parse(checkoutHTML))

type checkoutView struct {
	Session  *session
	Lines    []lineView
	Total    string
	Declined bool
	Problem  string
}

type lineView struct{ Name, Description, Amount string }

// display writes a Stripe integer amount as carebill shows money.
func display(n int64, currency string) string {
	c, err := money.ParseCurrency(strings.ToUpper(currency))
	if err != nil {
		return fmt.Sprintf("%d %s", n, currency)
	}
	exp := c.MinorUnits()
	if c.Code() == "ISK" || c.Code() == "UGX" { // Stripe writes these with two decimals
		exp = 2
	}
	return c.Display(decimal.New(n, -exp))
}

func (c *checkout) render(w http.ResponseWriter, status int, s *session, problem string) {
	c.mu.Lock()
	declined := s.Declined
	c.mu.Unlock()
	v := checkoutView{Session: s, Total: display(s.Total, s.Currency), Declined: declined, Problem: problem}
	for _, l := range s.Lines {
		v.Lines = append(v.Lines, lineView{Name: l.Name, Description: l.Description, Amount: display(l.Amount, s.Currency)})
	}
	var b bytes.Buffer
	if err := checkoutPage.Execute(&b, v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (c *checkout) page(w http.ResponseWriter, r *http.Request) {
	s, ok := c.session(r.PathValue("id"))
	if !ok {
		http.Error(w, "No such checkout session in this local stack (it forgets them when make dev restarts).", http.StatusNotFound)
		return
	}
	c.mu.Lock()
	paid := s.Paid
	c.mu.Unlock()
	if paid {
		http.Redirect(w, r, s.SuccessURL, http.StatusSeeOther)
		return
	}
	c.render(w, http.StatusOK, s, "")
}

// pay sends what Stripe sends when a card payment succeeds:
// payment_intent.succeeded, then checkout.session.completed (paid). The
// browser goes on to the success URL once both were accepted.
func (c *checkout) pay(w http.ResponseWriter, r *http.Request) {
	s, ok := c.session(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	intent := map[string]any{
		"id": s.IntentID, "object": "payment_intent", "status": "succeeded",
		"amount": s.Total, "amount_received": s.Total, "currency": s.Currency, "metadata": s.IntentMetadata,
	}
	sess := map[string]any{
		"id": s.ID, "object": "checkout.session", "mode": "payment", "status": "complete",
		"payment_status": "paid", "amount_total": s.Total, "currency": s.Currency,
		"payment_intent": s.IntentID, "client_reference_id": s.ClientReferenceID, "metadata": s.Metadata,
	}
	for _, ev := range []struct {
		typ string
		obj map[string]any
	}{{"payment_intent.succeeded", intent}, {"checkout.session.completed", sess}} {
		if err := c.deliver(r.Context(), s, ev.typ, ev.obj); err != nil {
			c.render(w, http.StatusBadGateway, s, err.Error())
			return
		}
	}
	c.mu.Lock()
	s.Paid, s.Declined = true, false
	c.mu.Unlock()
	http.Redirect(w, r, s.SuccessURL, http.StatusSeeOther)
}

// decline sends what Stripe sends when a card is declined,
// payment_intent.payment_failed, and shows the page again with the
// decline, as Stripe's checkout does; the session stays payable.
func (c *checkout) decline(w http.ResponseWriter, r *http.Request) {
	s, ok := c.session(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	intent := map[string]any{
		"id": s.IntentID, "object": "payment_intent", "status": "requires_payment_method",
		"amount": s.Total, "amount_received": 0, "currency": s.Currency, "metadata": s.IntentMetadata,
		"last_payment_error": map[string]any{
			"type": "card_error", "code": "card_declined", "decline_code": "generic_decline",
			"message": "Your card was declined.",
		},
	}
	if err := c.deliver(r.Context(), s, "payment_intent.payment_failed", intent); err != nil {
		c.render(w, http.StatusBadGateway, s, err.Error())
		return
	}
	c.mu.Lock()
	s.Declined = true
	c.mu.Unlock()
	c.render(w, http.StatusOK, s, "") // Stripe's page shows a decline in place, as a 200
}

// deliver posts one event to the webhook endpoint, signed as Stripe signs:
// Stripe-Signature "t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>"
// under the endpoint secret>".
func (c *checkout) deliver(ctx context.Context, s *session, typ string, obj map[string]any) error {
	c.mu.Lock()
	s.eventSeq++
	evID := fmt.Sprintf("evt_local_%s_%d", strings.TrimPrefix(s.ID, "cs_test_local_"), s.eventSeq)
	c.mu.Unlock()
	now := c.now()
	payload, err := json.Marshal(map[string]any{
		"id": evID, "object": "event", "api_version": stripe.APIVersion, "created": now.Unix(),
		"livemode": false, "pending_webhooks": 1, "type": typ, "data": map[string]any{"object": obj},
	})
	if err != nil {
		return err
	}
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: c.secret, Timestamp: now})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.webhooks, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Stripe-Signature", signed.Header)
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("deliver %s to %s: %w", typ, c.webhooks, err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s answered %s to %s: %s", c.webhooks, res.Status, typ, strings.TrimSpace(string(answer)))
	}
	return nil
}

// SortedMetadata lists metadata for the page, keys in order.
func (s *session) SortedMetadata() [][2]string {
	out := make([][2]string, 0, len(s.Metadata))
	for k, v := range s.Metadata {
		out = append(out, [2]string{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}
