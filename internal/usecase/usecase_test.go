package usecase_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/carebill/carebill/internal/usecase"
)

var errLocked = errors.New("invoice is locked")

func finalize(id string, fail error) (err error) {
	defer usecase.Name(&err, "finalize invoice %s", id)
	return fail
}

func TestName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		fail error
		want string // "" for no error
	}{
		{"nil stays nil", nil, ""},
		{"bare sentinel is named", errLocked, "finalize invoice in_1: invoice is locked"},
		{"wrapped elsewhere is named", fmt.Errorf("store: %w", errLocked), "finalize invoice in_1: store: invoice is locked"},
		{"already named is not named twice", fmt.Errorf("finalize invoice in_1: %w", errLocked), "finalize invoice in_1: invoice is locked"},
		{"another id is named", fmt.Errorf("finalize invoice in_2: %w", errLocked), "finalize invoice in_1: finalize invoice in_2: invoice is locked"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := finalize("in_1", c.fail)
			if c.want == "" {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			if err == nil || err.Error() != c.want {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if !errors.Is(err, errLocked) {
				t.Errorf("errors.Is(%v, errLocked) = false: the name must keep the sentinel reachable", err)
			}
		})
	}
}
