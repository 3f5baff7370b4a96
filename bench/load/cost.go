package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"syscall"
	"time"
)

// cpuTime is the process's user + system CPU so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func defaultHTTP() *http.Client { return &http.Client{Timeout: 2 * time.Minute} }

// measured is one costed operation's totals over its runs.
type measured struct {
	name     string
	function string
	runs     int
	usage    map[string]usage // by function
	cpu      time.Duration
	wall     time.Duration
	respSize int64
}

// invoke calls a function's handler in-process, as Lambda would with the
// request API Gateway hands it, and answers the status and body.
func (st *stack) invoke(function, method, path, token string, body any) (int, []byte, error) {
	h := st.handlers[function]
	if h == nil {
		return 0, nil, fmt.Errorf("no function %s", function)
	}
	var rd *strings.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = strings.NewReader(string(b))
	} else {
		rd = strings.NewReader("")
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes(), nil
}

// measureCost makes each costed operation n times, one at a time, after a
// warm-up round (a warm container: org settings cached, fonts parsed),
// and prints per operation what one invocation used.
func measureCost(ctx context.Context, st *stack, n int) error {
	a := &api{base: st.URL, http: defaultHTTP()}
	orgs, err := signUp(ctx, a, 1, newStats())
	if err != nil {
		return err
	}
	token := orgs[0].Token
	must := func(function, method, path string, body any, want int) (map[string]any, int64, error) {
		code, b, err := st.invoke(function, method, path, token, body)
		if err != nil {
			return nil, 0, err
		}
		if code != want {
			return nil, 0, fmt.Errorf("%s %s: %d %s", method, path, code, b)
		}
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return m, int64(len(b)), nil
	}
	c, _, err := must("InvoicingFunction", "POST", "/v1/clients", map[string]any{"name": "Cost client",
		"contacts": []any{map[string]any{"name": "Cost client", "email": "cost-client@example.com", "phone": "+61412345678"}}}, 201)
	if err != nil {
		return err
	}
	cid := c["id"].(string)
	draftBody := map[string]any{"clientId": cid, "name": "Support coordination", "lineItems": []any{
		map[string]any{"type": "variable", "description": "Support coordination", "quantity": "3", "unit": "hours", "rate": "85.50"},
		map[string]any{"type": "variable", "description": "Travel", "quantity": "12", "unit": "km", "rate": "0.99"},
		map[string]any{"type": "fixed", "description": "Report writing", "amount": "120.00"},
	}}

	var results []*measured
	// measure runs op n+1 times (the first a warm-up, not counted).
	measure := func(name, function string, op func(i int) (int64, error)) error {
		m := &measured{name: name, function: function, runs: n}
		for i := range n + 1 {
			before, cpu0, wall0 := st.meter.snapshot(), cpuTime(), time.Now()
			size, err := op(i)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if i == 0 {
				continue
			}
			m.cpu += cpuTime() - cpu0
			m.wall += time.Since(wall0)
			m.respSize += size
			m.usage = addUsage(m.usage, diff(st.meter.snapshot(), before))
		}
		results = append(results, m)
		return nil
	}

	drafts := make([]string, n+1)
	if err := measure("create draft (3 lines)", "InvoicingFunction", func(i int) (int64, error) {
		m, size, err := must("InvoicingFunction", "POST", "/v1/invoices", draftBody, 201)
		if err == nil {
			drafts[i] = m["id"].(string)
		}
		return size, err
	}); err != nil {
		return err
	}
	if err := measure("send by email (finalizes the draft)", "InvoicingFunction", func(i int) (int64, error) {
		_, size, err := must("InvoicingFunction", "POST", "/v1/invoices/"+drafts[i]+"/send", map[string]any{"channels": []string{"email"}}, 200)
		return size, err
	}); err != nil {
		return err
	}
	// The notifier takes the emails off the queue in batches of up to
	// ten, as the event source mapping hands them over.
	if err := drainMeasured(ctx, st, "notifier: email with the PDF (per message, batches of 10)", n+1, &results); err != nil {
		return err
	}
	tokens := make([]string, n+1)
	if err := measure("get pay link", "InvoicingFunction", func(i int) (int64, error) {
		m, size, err := must("InvoicingFunction", "GET", "/v1/invoices/"+drafts[i]+"/pay-link", nil, 200)
		if err != nil {
			return 0, err
		}
		u, err := url.Parse(fmt.Sprint(m["url"]))
		if err != nil {
			return 0, err
		}
		tokens[i] = u.Path
		return size, nil
	}); err != nil {
		return err
	}
	if err := measure("pay page view", "PortalFunction", func(i int) (int64, error) {
		code, b, err := st.invoke("PortalFunction", "GET", tokens[i], "", nil)
		if err == nil && code != 200 {
			err = fmt.Errorf("GET %s: %d %s", tokens[i], code, b)
		}
		return int64(len(b)), err
	}); err != nil {
		return err
	}
	if err := measure("invoice PDF", "DocumentsFunction", func(i int) (int64, error) {
		code, b, err := st.invoke("DocumentsFunction", "GET", "/v1/invoices/"+drafts[i]+"/pdf", token, nil)
		if err == nil && code != 200 {
			err = fmt.Errorf("pdf: %d", code)
		}
		return int64(len(b)), err
	}); err != nil {
		return err
	}
	balances := make([]any, n+1)
	for i := range balances {
		inv, _, err := must("InvoicingFunction", "GET", "/v1/invoices/"+drafts[i], nil, 200)
		if err != nil {
			return err
		}
		balances[i] = inv["balance"]
	}
	if err := measure("record payment (settles the invoice)", "PaymentsFunction", func(i int) (int64, error) {
		_, size, err := must("PaymentsFunction", "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": balances[i],
			"date": time.Now().Format(time.DateOnly), "method": "bank_transfer",
			"allocations": []any{map[string]any{"invoiceId": drafts[i], "amount": balances[i]}}}, 201)
		return size, err
	}); err != nil {
		return err
	}
	texts := make([]string, n+1)
	for i := range texts {
		m, _, err := must("InvoicingFunction", "POST", "/v1/invoices", draftBody, 201)
		if err != nil {
			return err
		}
		texts[i] = m["id"].(string)
	}
	if err := measure("send by text (finalizes the draft)", "InvoicingFunction", func(i int) (int64, error) {
		_, size, err := must("InvoicingFunction", "POST", "/v1/invoices/"+texts[i]+"/send", map[string]any{"channels": []string{"sms"}}, 200)
		return size, err
	}); err != nil {
		return err
	}
	if err := drainMeasured(ctx, st, "notifier: text (per message, batches of 10)", n+1, &results); err != nil {
		return err
	}
	printCost(results)
	return nil
}

// drainMeasured hands the deliveries queue's want messages to the
// notifier in batches of up to ten and records the cost per message.
func drainMeasured(ctx context.Context, st *stack, name string, want int, results *[]*measured) error {
	m := &measured{name: name, function: "NotifierFunction"}
	before, cpu0, wall0 := st.meter.snapshot(), cpuTime(), time.Now()
	for idle := 0; m.runs < want && idle < 30; {
		got, err := st.deliveries.Once(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if got == 0 {
			idle++
			time.Sleep(200 * time.Millisecond)
			continue
		}
		m.runs += got
	}
	if m.runs != want {
		return fmt.Errorf("%s: %d messages handled, want %d", name, m.runs, want)
	}
	m.cpu, m.wall = cpuTime()-cpu0, time.Since(wall0)
	m.usage = diff(st.meter.snapshot(), before)
	*results = append(*results, m)
	return nil
}

func addUsage(sum, d map[string]usage) map[string]usage {
	if sum == nil {
		sum = map[string]usage{}
	}
	for f, u := range d {
		s := sum[f]
		if s.Requests == nil {
			s.Requests = map[string]int{}
		}
		for op, n := range u.Requests {
			s.Requests[op] += n
		}
		s.HalfRRU += u.HalfRRU
		s.WRU += u.WRU
		s.PutBytes += u.PutBytes
		s.SESEmails += u.SESEmails
		s.SESBytes += u.SESBytes
		s.SNSTexts += u.SNSTexts
		s.LogBytes += u.LogBytes
		s.SQSBilled += u.SQSBilled
		s.SQSPayload += u.SQSPayload
		sum[f] = s
	}
	return sum
}

// per is x/runs to two decimals (integer arithmetic).
func per(x int64, runs int) string {
	h := x * 100 / int64(runs)
	return fmt.Sprintf("%d.%02d", h/100, h%100)
}

func printCost(results []*measured) {
	fmt.Println("\nper invocation, averaged over the measured runs (warm; one at a time; CPU is this process's, moto excluded):")
	for _, m := range results {
		fmt.Printf("\n%s  [%s, %d runs]\n", m.name, m.function, m.runs)
		fmt.Printf("  CPU %.2f ms   wall on moto %.1f ms   response %s KB\n",
			float64(m.cpu.Microseconds())/1000/float64(m.runs), float64(m.wall.Microseconds())/1000/float64(m.runs), per(m.respSize/1024, m.runs))
		fs := make([]string, 0, len(m.usage))
		for f := range m.usage {
			fs = append(fs, f)
		}
		sort.Strings(fs)
		for _, f := range fs {
			u := m.usage[f]
			if u.total() == 0 && u.LogBytes == 0 {
				continue
			}
			ops := make([]string, 0, len(u.Requests))
			for op, c := range u.Requests {
				ops = append(ops, fmt.Sprintf("%s %s", op, per(int64(c), m.runs)))
			}
			sort.Strings(ops)
			fmt.Printf("  %s: %s AWS requests (%s)\n", f, per(int64(u.total()), m.runs), strings.Join(ops, ", "))
			fmt.Printf("    DynamoDB RRU %s  WRU %s  items put %s B   SQS billed requests %s (payload %s B)   SES emails %s (%s KB raw)   SNS texts %s   log %s B\n",
				per(int64(u.HalfRRU), 2*m.runs), per(int64(u.WRU), m.runs), per(u.PutBytes, m.runs), per(int64(u.SQSBilled), m.runs), per(u.SQSPayload, m.runs),
				per(int64(u.SESEmails), m.runs), per(u.SESBytes/1024, m.runs), per(int64(u.SNSTexts), m.runs), per(u.LogBytes, m.runs))
		}
	}
}
