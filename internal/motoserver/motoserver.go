// Package motoserver runs moto's AWS stand-in (DynamoDB, SQS, SES, SNS,
// Cognito, EventBridge over the real wire protocol) as a child process, for
// the local stack and the tests.
package motoserver

import (
	_ "embed"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// Server is a running moto_server.
type Server struct {
	Endpoint string
	LogPath  string
	cmd      *exec.Cmd
}

// Start runs moto on 127.0.0.1:port, one request at a time, and waits
// until it answers.
func Start(port int) (*Server, error) {
	return StartScript(port, serialScript)
}

// StartScript is Start with another Python script serving moto: one that
// takes the host and port as its two arguments, as serial.py does
// (bench/cycles passes one that patches moto's whole-table costs).
func StartScript(port int, script string) (*Server, error) {
	bin, args, err := command(script)
	if err != nil {
		return nil, err
	}
	args = append(args, "127.0.0.1", strconv.Itoa(port))
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	logf, err := os.CreateTemp("", "moto-*.log")
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	s := &Server{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), LogPath: logf.Name(), cmd: cmd}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return nil, fmt.Errorf("moto_server exited at start (is port %d in use?); log: %s", port, s.LogPath)
		default:
		}
		resp, err := http.Get(s.Endpoint + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			return s, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.Stop()
	return nil, fmt.Errorf("moto_server did not answer on %s within 30s; log: %s", s.Endpoint, s.LogPath)
}

// Stop ends the server and its children.
func (s *Server) Stop() {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
}

// serialScript runs moto without threads; see serial.py for why.
//
//go:embed serial.py
var serialScript string

func command(script string) (string, []string, error) {
	p, err := exec.LookPath("python3")
	if err == nil && exec.Command(p, "-c", "import moto.server").Run() == nil {
		return p, []string{"-c", script}, nil
	}
	return "", nil, fmt.Errorf("moto is not installed for python3: run `make dev` or `make test` (they install it), or `pip install 'moto[server]'`")
}
