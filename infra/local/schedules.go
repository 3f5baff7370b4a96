package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/wire"
	cycleclosewire "github.com/carebill/carebill/internal/wire/cycleclose"
)

// scheduleBuilders make each schedule function's handler from its
// environment, as localstack does for queue functions.
var scheduleBuilders = map[string]func(context.Context, wire.Env, *stack) (cycleclosewire.ScheduleHandler, error){
	"CycleCloseFunction": func(ctx context.Context, env wire.Env, s *stack) (cycleclosewire.ScheduleHandler, error) {
		return cycleclosewire.New(ctx, env, s.awsFor("CycleCloseFunction"), s.log)
	},
}

// ticker stands in for one EventBridge schedule: it invokes its function
// at the template's rate, and now when a person asks (/dev/schedules).
type ticker struct {
	sched  provision.Schedule
	every  time.Duration
	handle cycleclosewire.ScheduleHandler
	log    *slog.Logger

	mu      sync.Mutex // one invocation at a time, as reserved concurrency 1
	lastRun time.Time
	lastErr string
}

// parseRate reads an EventBridge rate expression: rate(15 minutes),
// rate(1 hour), rate(2 days).
func parseRate(expr string) (time.Duration, error) {
	inner, ok := strings.CutPrefix(expr, "rate(")
	if !ok || !strings.HasSuffix(inner, ")") {
		return 0, fmt.Errorf("the local stack runs rate(…) schedules only, not %q", expr)
	}
	fields := strings.Fields(strings.TrimSuffix(inner, ")"))
	if len(fields) != 2 {
		return 0, fmt.Errorf("bad rate expression %q", expr)
	}
	n, err := strconv.Atoi(fields[0])
	if err != nil || n < 1 {
		return 0, fmt.Errorf("bad rate expression %q", expr)
	}
	unit := map[string]time.Duration{"minute": time.Minute, "minutes": time.Minute, "hour": time.Hour, "hours": time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour}[fields[1]]
	if unit == 0 {
		return 0, fmt.Errorf("bad rate unit in %q", expr)
	}
	return time.Duration(n) * unit, nil
}

// tickers builds a ticker for every enabled schedule of template.yaml.
func (s *stack) tickers(ctx context.Context) ([]*ticker, error) {
	var out []*ticker
	for _, sc := range s.tpl.Schedules {
		if !sc.Enabled {
			continue
		}
		build, ok := scheduleBuilders[sc.Function]
		if !ok {
			return nil, fmt.Errorf("template.yaml schedules %s, which the local stack does not know how to build", sc.Function)
		}
		every, err := parseRate(sc.Expression)
		if err != nil {
			return nil, fmt.Errorf("schedule %s: %w", sc.Name, err)
		}
		env, err := s.env(sc.Function)
		if err != nil {
			return nil, err
		}
		h, err := build(ctx, env, s)
		if err != nil {
			return nil, fmt.Errorf("build %s: %w", sc.Function, err)
		}
		out = append(out, &ticker{sched: sc, every: every, handle: h, log: s.log.With(slog.String("schedule", sc.Name))})
	}
	return out, nil
}

// run invokes the function once at start-up, as if the schedule had been
// running all along, then at the schedule's rate until ctx ends.
func (t *ticker) run(ctx context.Context) {
	_ = t.invoke(ctx)
	tk := time.NewTicker(t.every)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
			t.invoke(ctx)
		}
	}
}

// invoke runs the function once with the event EventBridge would send,
// under the function's timeout as a deadline.
func (t *ticker) invoke(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	input := json.RawMessage(t.sched.Input)
	if t.sched.Input == "" { // EventBridge sends its scheduled event when a schedule has no input
		ev, _ := json.Marshal(events.EventBridgeEvent{
			Version: "0", ID: id.New("evt", now), DetailType: "Scheduled Event", Source: "aws.scheduler",
			Time: now.UTC(), Region: "ap-southeast-2", Resources: []string{t.sched.Name}, Detail: []byte("{}"),
		})
		input = ev
	}
	err := t.handle(ctx, input)
	t.lastRun, t.lastErr = now, ""
	t.log.Info("scheduled run", "schedule", t.sched.Name)
	if err != nil {
		t.lastErr = err.Error()
		t.log.Error("scheduled run failed", "error", err)
	}
	return err
}

var schedulesPage = template.Must(template.New("schedules").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Schedules · carebill local</title><link rel="icon" href="data:,"></head>
<body style="font-family:system-ui;max-width:50rem;margin:2rem auto">
<p><strong>Local stack only.</strong> EventBridge schedules from template.yaml, fired here at their rate.</p>
<table cellpadding="6">
<tr><th align="left">schedule</th><th align="left">rate</th><th align="left">last run</th><th></th></tr>
{{range .}}<tr><td>{{.Name}}</td><td>{{.Expression}}</td><td>{{.Last}}{{if .Err}} — failed: {{.Err}}{{end}}</td>
<td><form method="post" action="/dev/schedules/{{.Name}}/run"><button>Run now</button></form></td></tr>
{{end}}</table></body></html>`))

// scheduleRoutes mounts /dev/schedules: each schedule with a "Run now".
func scheduleRoutes(mux *http.ServeMux, tickers []*ticker) {
	byName := map[string]*ticker{}
	for _, t := range tickers {
		byName[t.sched.Name] = t
	}
	mux.HandleFunc("GET /dev/schedules", func(w http.ResponseWriter, r *http.Request) {
		type row struct{ Name, Expression, Last, Err string }
		var rows []row
		for _, t := range tickers {
			t.mu.Lock()
			last := "never"
			if !t.lastRun.IsZero() {
				last = t.lastRun.Format(time.RFC1123)
			}
			rows = append(rows, row{t.sched.Name, t.sched.Expression, last, t.lastErr})
			t.mu.Unlock()
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = schedulesPage.Execute(w, rows)
	})
	mux.HandleFunc("POST /dev/schedules/{name}/run", func(w http.ResponseWriter, r *http.Request) {
		t, ok := byName[r.PathValue("name")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if err := t.invoke(r.Context()); err != nil {
			http.Error(w, "the run failed: "+err.Error(), http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "/dev/schedules", http.StatusSeeOther)
	})
}
