// Command startup measures each Lambda function's binary against the
// floor, a minimal aws-lambda-go function built and timed in the same run:
// the size of the linux/arm64 bootstrap that ships, and the start-up time
// of the same code built for this machine, from exec until it first asks
// the Lambda runtime API for work (everything main does before
// lambda.Start serves), and the CPU time it used to get there. The
// runtime API is a stand-in on 127.0.0.1. No function calls AWS before
// serving (payments reads its Stripe secrets at the first card request),
// so this is all local work: package initialisation, configuration and
// building the handler. What a function defers to its first request
// (parsing a page's template, a PDF's fonts) is not in it.
//
//	go run ./bench/startup [-runs 20]
//
// Goal (issue 14): every function within 3x the floor's start-up and
// under 15 MiB.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// environment is what every function is given: each variable any
// function requires (a function that exits for want of one stops the
// bench with its message), since start-up reads configuration and builds
// clients. Values are placeholders; no AWS call is made before the first
// poll.
var environment = []string{
	"TABLE_NAME=t", "IDEMPOTENCY_TABLE_NAME=i", "USER_POOL_ID=ap-southeast-2_x", "USER_POOL_CLIENT_ID=c",
	"COGNITO_ISSUER=https://cognito-idp.ap-southeast-2.amazonaws.com/ap-southeast-2_x",
	"DELIVERIES_QUEUE_URL=https://sqs.ap-southeast-2.amazonaws.com/123456789012/deliveries",
	"RUNS_QUEUE_URL=https://sqs.ap-southeast-2.amazonaws.com/123456789012/runs",
	"RUNS_DLQ_URL=https://sqs.ap-southeast-2.amazonaws.com/123456789012/runs-dlq",
	"PUBLIC_BASE_URL=https://billing.example.com",
	"STRIPE_KEY_PARAM=/carebill/stripe/api-key", "STRIPE_WEBHOOK_SECRET_PARAM=/carebill/stripe/webhook-secret",
	"SENDER_EMAIL=invoices@carebill.example", "DELIVERY_MAX_RECEIVES=5", "RUN_MAX_RECEIVES=5",
}

type function struct {
	name, pkg string
	env       []string
}

// functions is the floor, then every directory under functions/ (so a new
// function is measured without editing this file).
func functions() ([]function, error) {
	fns := []function{{"floor", "./bench/startup/floor", nil}}
	entries, err := os.ReadDir("functions")
	if err != nil {
		return nil, fmt.Errorf("run from the repository root: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		fns = append(fns, function{e.Name(), "./functions/" + e.Name(), environment})
	}
	return fns, nil
}

func main() {
	runs := flag.Int("runs", 20, "start-ups to time per function")
	flag.Parse()
	functions, err := functions()
	if err != nil {
		fail(err)
	}
	dir, err := os.MkdirTemp("", "startup")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)

	// Build everything first, then time the start-ups round-robin, so the
	// floor and every function see the same machine load.
	type result struct {
		size       int64
		times, cpu []time.Duration
	}
	results := make([]result, len(functions))
	natives := make([]string, len(functions))
	for i, f := range functions {
		arm := filepath.Join(dir, f.name+"-arm64")
		if err := build(arm, f.pkg, "arm64"); err != nil {
			fail(err)
		}
		natives[i] = filepath.Join(dir, f.name+"-native")
		if err := build(natives[i], f.pkg, ""); err != nil {
			fail(err)
		}
		st, err := os.Stat(arm)
		if err != nil {
			fail(err)
		}
		results[i].size = st.Size()
	}
	for range *runs {
		for i, f := range functions {
			d, cpu, err := startup(natives[i], f.env)
			if err != nil {
				fail(fmt.Errorf("%s: %w", f.name, err))
			}
			results[i].times = append(results[i].times, d)
			results[i].cpu = append(results[i].cpu, cpu)
		}
	}
	fmt.Println("| function | arm64 bootstrap | × floor | start-up median | start-up p90 | × floor (median) | CPU median | × floor (CPU) |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
	median := func(ts []time.Duration) time.Duration { return ts[len(ts)/2] }
	for i := range results {
		slices.Sort(results[i].times)
		slices.Sort(results[i].cpu)
	}
	floor := results[0]
	for i, f := range functions {
		r := results[i]
		fmt.Printf("| %s | %.1f MiB | %.1f | %s | %s | %.1f | %s | %.1f |\n", f.name, float64(r.size)/(1<<20), float64(r.size)/float64(floor.size),
			median(r.times).Round(10*time.Microsecond), r.times[len(r.times)*9/10].Round(10*time.Microsecond),
			float64(median(r.times))/float64(median(floor.times)),
			median(r.cpu).Round(10*time.Microsecond), float64(median(r.cpu))/float64(median(floor.cpu)))
	}
}

func build(out, pkg, arch string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-tags", "lambda.norpc", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if arch != "" {
		cmd.Env = append(cmd.Env, "GOOS=linux", "GOARCH="+arch)
	}
	cmd.Stderr = os.Stderr
	return cmd.Run()
}

// startup runs bin against a stand-in runtime API and returns the time
// until its first "next invocation" request, and the CPU time (user and
// system) the process had used when it was stopped there: once it polls it
// idles, so this is the CPU start-up cost, which a loaded machine delays
// but does not inflate the way it does the wall-clock time.
func startup(bin string, env []string) (wall, cpu time.Duration, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, err
	}
	polled := make(chan time.Time, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "/runtime/invocation/next") {
			// Every AWS endpoint points here: a call at start-up is a
			// regression (a network round trip in Lambda), so fail loudly.
			http.Error(w, "no AWS call expected before the first poll: "+r.URL.Path, http.StatusTeapot)
			return
		}
		select {
		case polled <- time.Now():
		default:
		}
		<-r.Context().Done() // hold the poll open, as the real API does between events
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	cmd := exec.Command(bin)
	cmd.Env = append([]string{"AWS_LAMBDA_RUNTIME_API=" + ln.Addr().String(), "AWS_REGION=ap-southeast-2",
		"AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x", "AWS_SESSION_TOKEN=x", "LOG_LEVEL=error",
		"AWS_ENDPOINT_URL=http://" + ln.Addr().String()}, env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case t := <-polled:
		_ = cmd.Process.Kill()
		<-exited
		return t.Sub(start), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
	case err := <-exited:
		// A function that cannot start (a missing variable, say) exits
		// before it polls: say why instead of waiting.
		return 0, 0, fmt.Errorf("exited before polling the runtime API (%v): %s", err, strings.TrimSpace(stderr.String()))
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		return 0, 0, fmt.Errorf("no poll of the runtime API within 10s")
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "startup:", err)
	os.Exit(1)
}
