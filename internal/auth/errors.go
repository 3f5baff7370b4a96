package auth

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrUnauthenticated is wrapped by every token verification failure. Callers
// map it to 401; the wrapping error carries the reason, for logs only.
var ErrUnauthenticated = errors.New("unauthenticated")

// ErrEmailTaken means sign-up used an email that already has an account.
var ErrEmailTaken = errors.New("email already registered")

// ErrBadCredentials means login failed. It deliberately does not say whether
// the email or the password was wrong.
var ErrBadCredentials = errors.New("bad credentials")

// ErrWeakPassword means the password does not meet the user pool's policy.
var ErrWeakPassword = errors.New("password does not meet the policy")

// ErrNewPasswordRequired means an invited member signed in with the
// temporary password they were sent and must choose their own.
var ErrNewPasswordRequired = errors.New("choose your own password: sign in again with newPassword")

// PasswordError is a refused password with the rule it broke, in words
// for the person choosing it ("password must have symbol characters"). It
// wraps ErrWeakPassword.
type PasswordError struct {
	Rule string
}

func (e *PasswordError) Error() string { return "the password does not meet the policy: " + e.Rule }

// Unwrap makes errors.Is(err, ErrWeakPassword) hold.
func (e *PasswordError) Unwrap() error { return ErrWeakPassword }

// MinPasswordLength is the user pool's PasswordPolicy.MinimumLength
// (template.yaml).
const MinPasswordLength = 10

// CheckPassword applies the pool's policy before Cognito does, naming the
// rule a password breaks: at least MinPasswordLength characters, and no
// space at either end (Cognito refuses those). Other rules Cognito
// enforces come back from it as a PasswordError naming them.
func CheckPassword(pw string) error {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		return &PasswordError{Rule: fmt.Sprintf("it needs at least %d characters", MinPasswordLength)}
	case strings.TrimSpace(pw) != pw:
		return &PasswordError{Rule: "it must not begin or end with a space"}
	}
	return nil
}
