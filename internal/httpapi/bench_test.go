package httpapi_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go/middleware"

	"github.com/carebill/carebill/internal/teststack"
	invoicingwire "github.com/carebill/carebill/internal/wire/invoicing"
)

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
		c.n[middleware.GetOperationName(ctx)]++
		c.mu.Unlock()
		return next.HandleInitialize(ctx, in)
	}), middleware.After)
}

func (c *awsCounter) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.n
	c.n = map[string]int{}
	return out
}

func total(m map[string]int) (n int) {
	for _, v := range m {
		n += v
	}
	return n
}

// BenchmarkAWSRequestsPerOperation reports how many AWS requests each API
// operation makes (aws-requests/op), counted by SDK middleware against
// moto. Wall time here is moto's, not DynamoDB's: read the request counts.
func BenchmarkAWSRequestsPerOperation(b *testing.B) {
	st := teststack.New(b, moto)
	counter := &awsCounter{n: map[string]int{}}
	cfg := st.AWS.Copy()
	cfg.APIOptions = append(cfg.APIOptions, counter.add)
	srv := st.Site(b)
	h, err := invoicingwire.New(context.Background(), st.Env(b, "InvoicingFunction"), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	a := &api{t: b, srv: srv}
	s := a.signup("Bench Care")
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Bench client"}).str("id")
	draft := func() string { return s.must(201, "POST", "/v1/invoices", fmt.Sprintf(novemberInvoice, cid)).str("id") }
	warm := draft()
	s.must(200, "GET", "/v1/invoices/"+warm, nil)              // fill the org cache as a warm container has it
	s.must(200, "POST", "/v1/invoices/"+warm+"/finalize", nil) // an open invoice for the payments to settle

	ops := []struct {
		name string
		run  func(i int, ids []string)
	}{
		{"create-draft", func(int, []string) { draft() }},
		{"finalize", func(i int, ids []string) { s.must(200, "POST", "/v1/invoices/"+ids[i]+"/finalize", nil) }},
		{"get", func(i int, ids []string) { s.must(200, "GET", "/v1/invoices/"+ids[i], nil) }},
		{"list-50", func(int, []string) { s.must(200, "GET", "/v1/invoices?limit=50", nil) }},
		{"record-payment", func(int, []string) {
			s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "1.00", "date": "2026-11-26", "method": "cash"})
		}},
		{"create-draft-idempotent", func(i int, _ []string) {
			s.header = map[string]string{"Idempotency-Key": fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i)}
			draft()
			s.header = nil
		}},
	}
	for _, op := range ops {
		b.Run(op.name, func(b *testing.B) {
			a.t = b
			ids := make([]string, b.N)
			if op.name == "finalize" || op.name == "get" {
				for i := range ids {
					ids[i] = draft()
				}
			}
			counter.reset()
			b.ResetTimer()
			for i := range b.N {
				op.run(i, ids)
			}
			b.StopTimer()
			counts := counter.reset()
			b.ReportMetric(float64(total(counts))/float64(b.N), "aws-requests/op")
			if b.N > 1 {
				b.Logf("%s: %v over %d ops", op.name, counts, b.N)
			}
		})
	}
}
