// Package usecases holds use cases the analyzer accepts and refuses.
package usecases

import (
	"context"
	"errors"
	uc "github.com/carebill/carebill/internal/usecase"

	"github.com/carebill/carebill/internal/usecase"
)

var errLocked = errors.New("invoice is locked")

// Service is a group of use cases.
type Service struct{ name string }

// Named begins with the deferred wrap: accepted.
func (s *Service) Named(ctx context.Context, id string) (_ string, err error) {
	defer usecase.Name(&err, "finalize invoice %s", id)
	return "", errLocked
}

// OnlyError has one named error result: accepted.
func (s *Service) OnlyError(ctx context.Context) (err error) {
	defer usecase.Name(&err, "delete invoice")
	return errLocked
}

// Renamed calls the wrapper through another import name: accepted.
func (s Service) Renamed(ctx context.Context) (err error) {
	defer uc.Name(&err, "void invoice")
	return errLocked
}

// Unwrapped never names its errors.
func (s *Service) Unwrapped(ctx context.Context, id string) (string, error) { // want `use case usecases.\(\*Service\).Unwrapped does not name its error result`
	return "", errLocked
}

// NamedButBare names its result but never wraps it.
func (s *Service) NamedButBare(ctx context.Context) (err error) { // want `use case usecases.\(\*Service\).NamedButBare does not begin with a deferred usecase.Name`
	return errLocked
}

// Late wraps only after a return that escapes it.
func (s *Service) Late(ctx context.Context, id string) (err error) { // want `Late does not begin with a deferred usecase.Name`
	if id == "" {
		return errLocked
	}
	defer usecase.Name(&err, "lock invoice %s", id)
	return nil
}

// OtherVar wraps a variable that is not the result.
func (s *Service) OtherVar(ctx context.Context, other error) (err error) { // want `OtherVar defers usecase.Name on something other than its error result err`
	defer usecase.Name(&other, "send invoice")
	return errLocked
}

// ComputedName gives a name that is not a constant.
func (s *Service) ComputedName(ctx context.Context) (err error) { // want `ComputedName gives usecase.Name a name that is not a constant, non-empty string`
	defer usecase.Name(&err, s.name)
	return errLocked
}

// EmptyName gives an empty name.
func (s *Service) EmptyName(ctx context.Context) (err error) { // want `EmptyName gives usecase.Name a name that is not a constant, non-empty string`
	defer usecase.Name(&err, " ")
	return errLocked
}

// OtherDefer defers something else first.
func (s *Service) OtherDefer(ctx context.Context) (err error) { // want `OtherDefer does not begin with a deferred usecase.Name`
	defer func() {}()
	return errLocked
}

// Open is a use case of the package, not a method.
func Open(ctx context.Context, id string) (*Service, error) { // want `use case usecases.Open does not name its error result`
	return nil, errLocked
}

type sender struct{}

// SendAtClose is exported on an unexported type (an interface's
// implementation): still a use case.
func (sender) SendAtClose(ctx context.Context) (int, error) { // want `use case usecases.sender.SendAtClose does not name its error result`
	return 0, errLocked
}

// unexported helpers wrap nothing: their callers do.
func (s *Service) load(ctx context.Context) error { return errLocked }

// Validate takes no context: a value's check, not a use case.
func (s Service) Validate() error { return errLocked }

// Work returns no error of its own: not checked.
func (s *Service) Work(ctx context.Context) map[string]error { return nil }
