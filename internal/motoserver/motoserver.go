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
	"path/filepath"
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
	bin, args, err := command(serialScript)
	if err != nil {
		return nil, err
	}
	return start(port, bin, args)
}

// StartIndexed is Start for benchmarks of scale (bench/cycles, bench/runs):
// moto served through indexed.py, which builds on serial.py and takes out
// moto's whole-table costs per Query without changing any answer. The two
// scripts are written to a fresh temporary directory, so that indexed.py
// imports serial.py from beside itself.
func StartIndexed(port int) (*Server, error) {
	dir, err := os.MkdirTemp("", "moto-indexed-")
	if err != nil {
		return nil, err
	}
	for name, text := range map[string]string{"serial.py": serialScript, "indexed.py": indexedScript} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			return nil, err
		}
	}
	bin, _, err := command(serialScript)
	if err != nil {
		return nil, err
	}
	return start(port, bin, []string{filepath.Join(dir, "indexed.py")})
}

func start(port int, bin string, args []string) (*Server, error) {
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

// indexedScript is serial.py plus moto without its whole-table Query
// costs; see indexed.py.
//
//go:embed indexed.py
var indexedScript string

func command(script string) (string, []string, error) {
	p, err := exec.LookPath("python3")
	if err == nil && exec.Command(p, "-c", "import moto.server").Run() == nil {
		return p, []string{"-c", script}, nil
	}
	return "", nil, fmt.Errorf("moto is not installed for python3: run `make dev` or `make test` (they install it), or `pip install 'moto[server]'`")
}
