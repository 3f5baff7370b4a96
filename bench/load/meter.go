package main

import (
	"context"
	"github.com/carebill/carebill/bench/internal/ddbunits"
	"log/slog"
	"maps"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/middleware"
)

// usage is what one function's AWS clients sent: requests by
// "Service Operation", DynamoDB capacity estimated as on-demand bills it,
// SES bytes, SQS requests as billed (each 64 KiB chunk of payload is one)
// and the bytes it logged.
type usage struct {
	Requests map[string]int
	// HalfRRU are DynamoDB read request units ×2 (an eventually
	// consistent read of up to 4 KB is half a unit), from the items
	// returned: a GetItem, each BatchGetItem item and each Query's items
	// together, rounded up to 4 KB; transactional reads count twice.
	HalfRRU int
	// WRU are DynamoDB write request units: one per KB of a put item,
	// rounded up; an update or delete counts 1 (its item's size is not
	// known here, so this is a lower bound for items over 1 KB); inside
	// a transaction everything counts twice.
	WRU int
	// PutBytes are the bytes of the items put (DynamoDB's item sizes),
	// once each even inside a transaction: what the writes add to
	// storage when the items are new.
	PutBytes   int64
	SESEmails  int
	SESBytes   int64 // raw MIME bytes, attachments included
	SNSTexts   int
	LogBytes   int64 // the function's own log lines (JSON, INFO and above)
	SQSBilled  int   // SQS requests as billed: 64 KiB chunks
	SQSPayload int64
}

func (u usage) total() int {
	n := 0
	for _, v := range u.Requests {
		n += v
	}
	return n
}

// meter keeps usage per function.
type meter struct {
	mu   sync.Mutex
	by   map[string]*usage
	logs map[string]*countingWriter
}

func newMeter() *meter {
	return &meter{by: map[string]*usage{}, logs: map[string]*countingWriter{}}
}

func (m *meter) u(function string) *usage {
	u := m.by[function]
	if u == nil {
		u = &usage{Requests: map[string]int{}}
		m.by[function] = u
	}
	return u
}

// snapshot copies the usage so far, logs included.
func (m *meter) snapshot() map[string]usage {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]usage{}
	for f, u := range m.by {
		c := *u
		c.Requests = maps.Clone(u.Requests)
		out[f] = c
	}
	for f, w := range m.logs {
		u := out[f]
		if u.Requests == nil {
			u.Requests = map[string]int{}
		}
		u.LogBytes = w.bytes()
		out[f] = u
	}
	return out
}

// diff is after − before, per function.
func diff(after, before map[string]usage) map[string]usage {
	out := map[string]usage{}
	for f, a := range after {
		b := before[f]
		d := usage{Requests: map[string]int{}, HalfRRU: a.HalfRRU - b.HalfRRU, WRU: a.WRU - b.WRU, PutBytes: a.PutBytes - b.PutBytes,
			SESEmails: a.SESEmails - b.SESEmails, SESBytes: a.SESBytes - b.SESBytes, SNSTexts: a.SNSTexts - b.SNSTexts,
			LogBytes: a.LogBytes - b.LogBytes, SQSBilled: a.SQSBilled - b.SQSBilled, SQSPayload: a.SQSPayload - b.SQSPayload}
		for op, n := range a.Requests {
			if n-b.Requests[op] != 0 {
				d.Requests[op] = n - b.Requests[op]
			}
		}
		out[f] = d
	}
	return out
}

// logger is the function's slog logger: JSON at INFO, as template.yaml
// configures Lambda's log format and level, counted and discarded.
func (m *meter) logger(function string) *slog.Logger {
	m.mu.Lock()
	w := m.logs[function]
	if w == nil {
		w = &countingWriter{}
		m.logs[function] = w
	}
	m.mu.Unlock()
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// config is cfg with every request counted as function's.
func (m *meter) config(cfg aws.Config, function string) aws.Config {
	c := cfg.Copy()
	c.APIOptions = append(c.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("load-meter", func(
			ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
		) (middleware.InitializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleInitialize(ctx, in)
			m.record(function, awsmiddleware.GetServiceID(ctx)+" "+middleware.GetOperationName(ctx), in.Parameters, out.Result)
			return out, md, err
		}), middleware.After)
	})
	return c
}

func (m *meter) record(function, op string, params, result any) {
	var half, wru, emails, texts, sqsBilled int
	var sesBytes, sqsPayload, put int64
	wru = ddbunits.Write(params)
	switch p := params.(type) {
	case *dynamodb.PutItemInput:
		put = int64(ddbunits.ItemSize(p.Item))
	case *dynamodb.BatchWriteItemInput:
		for _, reqs := range p.RequestItems {
			for _, r := range reqs {
				if r.PutRequest != nil {
					put += int64(ddbunits.ItemSize(r.PutRequest.Item))
				}
			}
		}
	case *dynamodb.TransactWriteItemsInput:
		for _, it := range p.TransactItems {
			if it.Put != nil {
				put += int64(ddbunits.ItemSize(it.Put.Item))
			}
		}
	case *sesv2.SendEmailInput:
		emails = 1
		if p.Content != nil && p.Content.Raw != nil {
			sesBytes = int64(len(p.Content.Raw.Data))
		}
	case *sns.PublishInput:
		texts = 1
	case *sqs.SendMessageInput:
		sqsPayload = int64(len(aws.ToString(p.MessageBody)))
		sqsBilled = chunks(sqsPayload)
	case *sqs.SendMessageBatchInput:
		for _, e := range p.Entries {
			sqsPayload += int64(len(aws.ToString(e.MessageBody)))
		}
		sqsBilled = chunks(sqsPayload)
	}
	if sqsBilled == 0 && strings.HasPrefix(op, "SQS ") {
		sqsBilled = 1
	}
	switch r := result.(type) {
	case *dynamodb.GetItemOutput:
		if r.Item != nil {
			half = readHalfUnits(ddbunits.ItemSize(r.Item), consistent(params))
		} else {
			half = readHalfUnits(0, consistent(params))
		}
	case *dynamodb.BatchGetItemOutput:
		in, _ := params.(*dynamodb.BatchGetItemInput)
		for table, items := range r.Responses {
			strong := in != nil && in.RequestItems[table].ConsistentRead != nil && *in.RequestItems[table].ConsistentRead
			for _, it := range items {
				half += readHalfUnits(ddbunits.ItemSize(it), strong)
			}
		}
	case *dynamodb.QueryOutput:
		size := 0
		for _, it := range r.Items {
			size += ddbunits.ItemSize(it)
		}
		half = readHalfUnits(size, consistent(params))
	case *dynamodb.TransactGetItemsOutput:
		for _, it := range r.Responses {
			half += 2 * readHalfUnits(ddbunits.ItemSize(it.Item), true)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.u(function)
	u.Requests[op]++
	u.HalfRRU += half
	u.WRU += wru
	u.PutBytes += put
	u.SESEmails += emails
	u.SESBytes += sesBytes
	u.SNSTexts += texts
	u.SQSBilled += sqsBilled
	u.SQSPayload += sqsPayload
}

func chunks(n int64) int {
	return int((n + 65535) / 65536)
}

func consistent(params any) bool {
	switch p := params.(type) {
	case *dynamodb.GetItemInput:
		return p.ConsistentRead != nil && *p.ConsistentRead
	case *dynamodb.QueryInput:
		return p.ConsistentRead != nil && *p.ConsistentRead
	}
	return false
}

// readHalfUnits is a read of size bytes in half read units: 4 KB (rounded
// up, at least one) is 2 strongly consistent, 1 eventually consistent.
func readHalfUnits(size int, strong bool) int {
	n := max((size+4095)/4096, 1)
	if strong {
		return 2 * n
	}
	return n
}
