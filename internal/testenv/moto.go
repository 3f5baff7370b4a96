// Package testenv starts the real servers that tests talk to (moto for AWS)
// on free loopback ports, and stops them when the test package finishes.
package testenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/carebill/carebill/internal/motoserver"
)

// Region is the AWS region every test uses; moto's Cognito puts it into the
// token issuer, so it must agree with what the code under test expects.
const Region = "ap-southeast-2"

// Moto is a running moto_server.
type Moto struct {
	*motoserver.Server
}

// StartMoto runs moto_server on a free 127.0.0.1 port and waits until it
// answers. The caller must Stop it.
func StartMoto() (*Moto, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	srv, err := motoserver.Start(port)
	if err != nil {
		return nil, err
	}
	return &Moto{srv}, nil
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
