package testenv

import (
	"fmt"
	"os"
	"testing"

	"github.com/carebill/carebill/internal/stripemock"
)

// StripeMock is a running stripe-mock, Stripe's API stand-in.
type StripeMock struct {
	*stripemock.Server
}

// StartStripeMock runs stripe-mock on a free 127.0.0.1 port and waits
// until it answers. The caller must Stop it. A missing binary is an error
// saying how to install it, never a skip.
func StartStripeMock() (*StripeMock, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	srv, err := stripemock.Start(port)
	if err != nil {
		return nil, err
	}
	return &StripeMock{srv}, nil
}

// MainWithMotoAndStripe starts one moto server and one stripe-mock for a
// test package, runs its tests and stops both. Use it from TestMain.
func MainWithMotoAndStripe(m *testing.M, moto **Moto, stripe **StripeMock) {
	sm, err := StartStripeMock()
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
	mo, err := StartMoto()
	if err != nil {
		sm.Stop()
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
	*moto, *stripe = mo, sm
	code := m.Run()
	mo.Stop()
	sm.Stop()
	os.Exit(code)
}

// MainWithStripe starts one stripe-mock for a test package, runs its
// tests and stops it.
func MainWithStripe(m *testing.M, stripe **StripeMock) {
	sm, err := StartStripeMock()
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
	*stripe = sm
	code := m.Run()
	sm.Stop()
	os.Exit(code)
}
