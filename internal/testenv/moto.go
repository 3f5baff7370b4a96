// Package testenv starts the real servers that tests talk to (moto for AWS)
// on free loopback ports, and stops them when the test package finishes.
package testenv

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Region is the AWS region every test uses; moto's Cognito puts it into the
// token issuer, so it must agree with what the code under test expects.
const Region = "ap-southeast-2"

// Moto is a running moto_server.
type Moto struct {
	Endpoint string
	cmd      *exec.Cmd
}

// StartMoto runs moto_server on a free 127.0.0.1 port and waits until it
// answers. The caller must Stop it.
func StartMoto() (*Moto, error) {
	bin, args, err := motoCommand()
	if err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	args = append(args, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logf, err := os.CreateTemp("", "moto-*.log")
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	m := &Moto{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(m.Endpoint + "/moto-api/reset")
		if err == nil {
			resp.Body.Close()
			return m, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	m.Stop()
	return nil, fmt.Errorf("moto_server did not answer on %s within 30s (log: %s)", m.Endpoint, logf.Name())
}

// Stop ends the server and its children.
func (m *Moto) Stop() {
	if m == nil || m.cmd == nil || m.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
	_, _ = m.cmd.Process.Wait()
}

// AWSConfig returns an SDK config aimed at this moto server.
func (m *Moto) AWSConfig(tb testing.TB) aws.Config {
	tb.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		config.WithBaseEndpoint(m.Endpoint),
	)
	if err != nil {
		tb.Fatalf("aws config: %v", err)
	}
	return cfg
}

func motoCommand() (string, []string, error) {
	if p, err := exec.LookPath("moto_server"); err == nil {
		return p, nil, nil
	}
	if p, err := exec.LookPath("python3"); err == nil {
		if exec.Command(p, "-c", "import moto.server").Run() == nil {
			return p, []string{"-m", "moto.server"}, nil
		}
	}
	return "", nil, fmt.Errorf("moto_server not found: run `make test` (it installs moto) or `pip install 'moto[server]'`")
}

// FreePort asks the kernel for a free TCP port on 127.0.0.1.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// MainWithMoto starts one moto server for a test package, runs its tests and
// stops the server. Use it from TestMain:
//
//	func TestMain(m *testing.M) { testenv.MainWithMoto(m, &moto) }
func MainWithMoto(m *testing.M, out **Moto) {
	srv, err := StartMoto()
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
	*out = srv
	code := m.Run()
	srv.Stop()
	os.Exit(code)
}

// RepoRoot finds the module root (the folder holding go.mod) from the
// current test's working directory.
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the test's directory")
		}
		dir = parent
	}
}

// Require fails the test with a clear message when a command-line tool the
// test needs is missing. Tests never skip for a missing tool.
func Require(tb testing.TB, tools ...string) {
	tb.Helper()
	for _, t := range tools {
		if _, err := exec.LookPath(t); err != nil {
			tb.Fatalf("%s not found on PATH: run `make test`, which installs it (scripts/ensure-tools.sh)", t)
		}
	}
}
