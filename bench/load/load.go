package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/shopspring/decimal"
)

// The operations a journey makes, in its order.
const (
	opSignUp      = "sign up"
	opSignIn      = "sign in"
	opCreateCli   = "create client"
	opCreateDraft = "create draft"
	opFinalize    = "finalize"
	opSend        = "send by email"
	opPayPartial  = "record partial payment"
	opPayFull     = "record full payment"
	opList        = "list invoices"
	opLedger      = "client ledger"
	opPDF         = "invoice PDF"
	opPayLink     = "get pay link"
	opPayPage     = "pay page view"
	opDashboard   = "dashboard"
)

var journeyOps = []string{opCreateCli, opCreateDraft, opFinalize, opSend, opPayPartial, opPayFull,
	opList, opLedger, opPDF, opPayLink, opPayPage, opDashboard}

// loadConfig is one load run.
type loadConfig struct {
	Users    int           // concurrent virtual users
	Orgs     int           // orgs the users are spread over (users of one org share its numbering)
	Duration time.Duration // how long users start new requests
}

// org is one signed-up org and its admin's token.
type orgLogin struct {
	ID, Name, Email, Token string
}

// records are the writes that were acknowledged (2xx), with the values
// the API answered: what the checks afterwards expect to read back.
type clientRec struct {
	Org, ID, Name string
}

type invoiceRec struct {
	Org, Client, ID string
	Total           decimal.Decimal
	Number          string // "" until finalized
	Paid            decimal.Decimal
}

type paymentRec struct {
	Org, Client, ID, Invoice string
	Amount, Allocated        decimal.Decimal
	Credit                   decimal.Decimal
	Receipt                  string
}

// stats are one user's latencies and errors per operation.
type stats struct {
	hist   map[string]*hdrhistogram.Histogram
	status map[string]map[string]int // op → status ("201", "no answer") → count
	slow   map[string]int            // op → answers slower than API Gateway's 30 s
}

func newStats() *stats {
	return &stats{hist: map[string]*hdrhistogram.Histogram{}, status: map[string]map[string]int{}, slow: map[string]int{}}
}

// newHist records microseconds from 1 µs to 10 minutes at 3 significant digits.
func newHist() *hdrhistogram.Histogram {
	return hdrhistogram.New(1, int64(10*time.Minute/time.Microsecond), 3)
}

func (s *stats) record(op string, d time.Duration, status string) {
	h := s.hist[op]
	if h == nil {
		h = newHist()
		s.hist[op] = h
	}
	_ = h.RecordValue(max(int64(d/time.Microsecond), 1))
	if d > gatewayLimit {
		s.slow[op]++
	}
	if s.status[op] == nil {
		s.status[op] = map[string]int{}
	}
	s.status[op][status]++
}

func (s *stats) merge(o *stats) {
	for op, h := range o.hist {
		if s.hist[op] == nil {
			s.hist[op] = newHist()
		}
		s.hist[op].Merge(h)
	}
	for op, n := range o.slow {
		s.slow[op] += n
	}
	for op, m := range o.status {
		if s.status[op] == nil {
			s.status[op] = map[string]int{}
		}
		for k, v := range m {
			s.status[op][k] += v
		}
	}
}

// result is a load run's outcome.
type result struct {
	Elapsed  time.Duration
	Stats    *stats
	Journeys int // complete journeys
	Orgs     []orgLogin
	Clients  []clientRec
	Invoices []invoiceRec
	Payments []paymentRec
	// Unresolved are writes whose outcome never became known (no answer
	// after every retry): each is a failure.
	Unresolved []string
}

// api calls the stack over HTTP.
type api struct {
	base string
	http *http.Client
}

type reply struct {
	status int
	body   []byte
}

func (r reply) ok() bool { return r.status >= 200 && r.status < 300 }

func (r reply) json() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.body, &m)
	return m
}

func (a *api) do(ctx context.Context, method, path, token, key string, body any) (reply, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return reply{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return reply{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := a.http.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, body: b}, err
}

// user is one virtual user: a coordinator of one org working through
// journeys until the deadline.
type user struct {
	api   *api
	org   orgLogin
	n     int // user number, for names
	stats *stats
	recs  struct {
		clients  []clientRec
		invoices []invoiceRec
		payments []paymentRec
	}
	journeys int
	run      int64 // the run's id, for idempotency keys
	keys     int
	// unresolved are writes whose outcome never became known.
	unresolved []string
}

// call makes one timed request, and answers whether it ended 2xx. A
// write (any POST) carries an Idempotency-Key and, when no answer comes
// (within timeout), a 5xx comes, or the API says the same key
// is still in progress, is sent again with the same key, as a client
// should: the API replays the first outcome, so every write ends known.
// A write still unknown after maxAttempts counts as unresolved, which the
// checks report. Every attempt is timed and its status recorded.
func (u *user) call(ctx context.Context, op, method, path string, body any) (reply, bool) {
	key := ""
	if method == "POST" {
		u.keys++
		key = fmt.Sprintf("load-%d-%d-%d", u.run, u.n, u.keys)
	}
	var r reply
	for attempt := 1; ; attempt++ {
		start := time.Now()
		var err error
		r, err = u.api.do(ctx, method, path, u.org.Token, key, body)
		d := time.Since(start)
		status := fmt.Sprint(r.status)
		switch {
		case err != nil && ctx.Err() != nil:
			return r, false
		case err != nil:
			status = "no answer"
		case r.status == http.StatusConflict && strings.Contains(string(r.body), "request_in_progress"):
			status = "409 request_in_progress"
		}
		u.stats.record(op, d, status)
		if id := appliedRef(r); key != "" && id != "" && (path == "/v1/clients" || path == "/v1/invoices") {
			// The first attempt took effect and its reply was lost: the
			// API names what it made, which is read back as its reply.
			r, err = u.api.do(ctx, "GET", path+"/"+id, u.org.Token, "", nil)
			return r, err == nil && r.ok()
		}
		retry := key != "" && (err != nil || r.status >= 500 || strings.HasSuffix(status, "request_in_progress"))
		if !retry {
			return r, err == nil && r.ok()
		}
		if attempt == maxAttempts {
			u.unresolved = append(u.unresolved, fmt.Sprintf("%s %s (key %s): %s after %d attempts", method, path, key, status, attempt))
			return r, false
		}
		time.Sleep(time.Duration(attempt) * time.Second)
	}
}

// appliedRef is the id an API answer of 409 request_already_applied names
// (a retry of a write whose first attempt took effect after its
// in-progress record expired), or "".
func appliedRef(r reply) string {
	if r.status != http.StatusConflict {
		return ""
	}
	var e struct {
		Error struct {
			Code string `json:"code"`
			ID   string `json:"id"`
		} `json:"error"`
	}
	if json.Unmarshal(r.body, &e) != nil || e.Error.Code != "request_already_applied" {
		return ""
	}
	return e.Error.ID
}

// maxAttempts bounds the retries of one write.
const maxAttempts = 8

// timeout is how long a user waits for an answer. It is longer than API
// Gateway's 30 s so that the local stack's slowest answers are measured
// rather than cut off; answers slower than 30 s are counted apart (in
// AWS, API Gateway would have answered 503 instead).
const timeout = 5 * time.Minute

// gatewayLimit is API Gateway's integration timeout.
const gatewayLimit = 30 * time.Second

var (
	rate     = decimal.RequireFromString("85.50")
	partOf   = decimal.RequireFromString("0.4")
	overpaid = decimal.RequireFromString("5.00")
)

// journey is a coordinator's round: a new client invoiced for sessions,
// the invoice finalized and emailed, paid in part and then in full (every
// third time with $5 over, kept as credit), then the invoice list, the
// client's ledger, the PDF, the pay page as the client opens it, and the
// dashboard. A failed step ends the round; every acknowledged write is
// recorded for the checks. A round once started runs to its end, so every
// operation is measured even when the stack is slower than the run.
func (u *user) journey(ctx context.Context) bool {
	i := u.journeys
	name := fmt.Sprintf("Load client %03d-%05d", u.n, i)
	r, ok := u.call(ctx, opCreateCli, "POST", "/v1/clients", map[string]any{"name": name,
		"contacts": []any{map[string]any{"name": name, "email": fmt.Sprintf("client-%d-%d@example.com", u.n, i)}}})
	if !ok {
		return false
	}
	cid, _ := r.json()["id"].(string)
	u.recs.clients = append(u.recs.clients, clientRec{Org: u.org.ID, ID: cid, Name: name})
	qty := decimal.NewFromInt(int64(1 + i%6))
	r, ok = u.call(ctx, opCreateDraft, "POST", "/v1/invoices", map[string]any{"clientId": cid, "name": "Support coordination",
		"lineItems": []any{
			map[string]any{"type": "variable", "description": "Support coordination", "quantity": qty.String(), "unit": "hours", "rate": rate.String()},
			map[string]any{"type": "variable", "description": "Travel", "quantity": "12", "unit": "km", "rate": "0.99"},
			map[string]any{"type": "fixed", "description": "Report writing", "amount": "120.00"},
		}})
	if !ok {
		return false
	}
	inv := invoiceRec{Org: u.org.ID, Client: cid, Paid: decimal.Zero}
	inv.ID, _ = r.json()["id"].(string)
	u.recs.invoices = append(u.recs.invoices, inv)
	at := len(u.recs.invoices) - 1
	r, ok = u.call(ctx, opFinalize, "POST", "/v1/invoices/"+inv.ID+"/finalize", nil)
	if !ok {
		return false
	}
	m := r.json()
	inv.Number, _ = m["number"].(string)
	total, err := decimal.NewFromString(fmt.Sprint(m["total"]))
	if err != nil {
		u.stats.record(opFinalize, 0, "bad reply")
		return false
	}
	inv.Total = total
	u.recs.invoices[at] = inv
	if _, ok = u.call(ctx, opSend, "POST", "/v1/invoices/"+inv.ID+"/send", map[string]any{"channels": []string{"email"}}); !ok {
		return false
	}
	today := time.Now().Format(time.DateOnly)
	pay := func(op string, amount, alloc decimal.Decimal) bool {
		r, ok := u.call(ctx, op, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": amount.StringFixed(2), "date": today,
			"method": "bank_transfer", "reference": inv.Number,
			"allocations": []any{map[string]any{"invoiceId": inv.ID, "amount": alloc.StringFixed(2)}}})
		if !ok {
			return false
		}
		m := r.json()
		p := paymentRec{Org: u.org.ID, Client: cid, Invoice: inv.ID, Amount: amount, Allocated: alloc}
		p.ID, _ = m["id"].(string)
		p.Receipt, _ = m["receiptNumber"].(string)
		p.Credit, _ = decimal.NewFromString(fmt.Sprint(m["credit"]))
		u.recs.payments = append(u.recs.payments, p)
		u.recs.invoices[at].Paid = u.recs.invoices[at].Paid.Add(alloc)
		return true
	}
	part := inv.Total.Mul(partOf).Round(2)
	if !pay(opPayPartial, part, part) {
		return false
	}
	rest := inv.Total.Sub(part)
	amount := rest
	if i%3 == 2 {
		amount = rest.Add(overpaid)
	}
	if !pay(opPayFull, amount, rest) {
		return false
	}
	if _, ok = u.call(ctx, opList, "GET", "/v1/invoices?limit=50", nil); !ok {
		return false
	}
	if _, ok = u.call(ctx, opLedger, "GET", "/v1/clients/"+cid+"/ledger", nil); !ok {
		return false
	}
	if _, ok = u.call(ctx, opPDF, "GET", "/v1/invoices/"+inv.ID+"/pdf", nil); !ok {
		return false
	}
	r, ok = u.call(ctx, opPayLink, "GET", "/v1/invoices/"+inv.ID+"/pay-link", nil)
	if !ok {
		return false
	}
	link, _ := r.json()["url"].(string)
	pu, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(pu.Path, "/pay/") {
		u.stats.record(opPayLink, 0, "bad reply")
		return false
	}
	if _, ok = u.call(ctx, opPayPage, "GET", pu.Path, nil); !ok {
		return false
	}
	if _, ok = u.call(ctx, opDashboard, "GET", "/v1/dashboard", nil); !ok {
		return false
	}
	return true
}

// signUp creates n orgs through the API, each with its admin signed in.
func signUp(ctx context.Context, a *api, n int, st *stats) ([]orgLogin, error) {
	run := time.Now().UnixNano() % 1_000_000_000
	orgs := make([]orgLogin, n)
	for i := range orgs {
		o := orgLogin{Name: fmt.Sprintf("Load Care %02d", i), Email: fmt.Sprintf("admin-%d-%02d@example.com", run, i)}
		start := time.Now()
		r, err := a.do(ctx, "POST", "/auth/signup", "", "", map[string]string{"orgName": o.Name, "email": o.Email, "password": "Correct-Horse-9"})
		if err != nil || !r.ok() {
			return nil, fmt.Errorf("sign up %s: %d %s %v", o.Name, r.status, r.body, err)
		}
		st.record(opSignUp, time.Since(start), fmt.Sprint(r.status))
		start = time.Now()
		r, err = a.do(ctx, "POST", "/auth/login", "", "", map[string]string{"email": o.Email, "password": "Correct-Horse-9"})
		if err != nil || !r.ok() {
			return nil, fmt.Errorf("sign in %s: %d %s %v", o.Name, r.status, r.body, err)
		}
		st.record(opSignIn, time.Since(start), fmt.Sprint(r.status))
		o.Token, _ = r.json()["token"].(string)
		r, err = a.do(ctx, "GET", "/v1/org", o.Token, "", nil)
		if err != nil || !r.ok() {
			return nil, fmt.Errorf("read org %s: %d %s %v", o.Name, r.status, r.body, err)
		}
		o.ID, _ = r.json()["id"].(string)
		orgs[i] = o
	}
	return orgs, nil
}

// runLoad signs up cfg.Orgs orgs and runs cfg.Users users over them for
// cfg.Duration: each user starts journeys until the deadline, and the run
// ends when the last request in flight is answered.
func runLoad(ctx context.Context, base string, cfg loadConfig) (*result, error) {
	a := &api{base: base, http: &http.Client{Timeout: timeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Users + 4, MaxIdleConns: cfg.Users + 4}}}
	setup := newStats()
	orgs, err := signUp(ctx, a, cfg.Orgs, setup)
	if err != nil {
		return nil, err
	}
	users := make([]*user, cfg.Users)
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	var wg sync.WaitGroup
	for i := range users {
		u := &user{api: a, org: orgs[i%len(orgs)], n: i, stats: newStats(), run: start.UnixNano()}
		users[i] = u
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				u.journey(ctx)
				u.journeys++ // a new client each round, so names stay unique
			}
		}()
	}
	wg.Wait()
	res := &result{Elapsed: time.Since(start), Stats: newStats(), Orgs: orgs}
	for _, u := range users {
		res.Stats.merge(u.stats)
		res.Clients = append(res.Clients, u.recs.clients...)
		res.Invoices = append(res.Invoices, u.recs.invoices...)
		res.Payments = append(res.Payments, u.recs.payments...)
		res.Unresolved = append(res.Unresolved, u.unresolved...)
	}
	res.Journeys = res.Stats.count(opDashboard, true)
	res.Stats.merge(setup)
	return res, nil
}

// count is how many requests op made: all, or only the 2xx ones.
func (s *stats) count(op string, only2xx bool) int {
	n := 0
	for st, c := range s.status[op] {
		if !only2xx || strings.HasPrefix(st, "2") {
			n += c
		}
	}
	return n
}

// errors are the non-2xx statuses, "op status" → count, sorted.
func (s *stats) errors() []string {
	var out []string
	for op, m := range s.status {
		for st, c := range m {
			if !strings.HasPrefix(st, "2") {
				out = append(out, fmt.Sprintf("%s %s: %d", op, st, c))
			}
		}
	}
	sort.Strings(out)
	return out
}
