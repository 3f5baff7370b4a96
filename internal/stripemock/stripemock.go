// Package stripemock runs stripe-mock, Stripe's own stand-in for its API
// (it answers every endpoint from the OpenAPI spec and validates the
// parameters sent), as a child process, for the local stack and the tests.
package stripemock

import (
	"errors"
	"fmt"
	"go/build"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Server is a running stripe-mock.
type Server struct {
	// URL is the API base to give a Stripe client ("http://127.0.0.1:12111").
	URL     string
	LogPath string
	cmd     *exec.Cmd
}

// Binary finds stripe-mock: on PATH, or where `go install` puts it.
func Binary() (string, error) {
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p, nil
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		gopath = build.Default.GOPATH
	}
	for _, dir := range filepath.SplitList(gopath) {
		p := filepath.Join(dir, "bin", "stripe-mock")
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", errors.New("stripe-mock is not installed: run `make dev` or `make test` (scripts/ensure-tools.sh installs it), or `go install github.com/stripe/stripe-mock@v0.203.0`")
}

// Start runs stripe-mock over HTTP on 127.0.0.1:port and waits until it
// answers. The caller must Stop it.
func Start(port int) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	// -http-addr alone does not stop stripe-mock opening HTTPS on its
	// default port 12112 too, which two instances would fight over; give
	// HTTPS a loopback port of the system's choosing instead.
	cmd := exec.Command(bin, "-http-addr", addr, "-https-addr", "127.0.0.1:")
	// stripe-mock also listens on $PORT when it is set, which is the local
	// API's port under `make dev`.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PORT=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	logf, err := os.CreateTemp("", "stripe-mock-*.log")
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start stripe-mock: %w", err)
	}
	s := &Server{URL: "http://" + addr, LogPath: logf.Name(), cmd: cmd}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return nil, fmt.Errorf("stripe-mock exited at start (is port %d in use?); log: %s", port, s.LogPath)
		default:
		}
		resp, err := http.Get(s.URL + "/v1/balance")
		if err == nil {
			resp.Body.Close()
			return s, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.Stop()
	return nil, fmt.Errorf("stripe-mock did not answer on %s within 20s; log: %s", s.URL, s.LogPath)
}

// Stop ends the server.
func (s *Server) Stop() {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
}
