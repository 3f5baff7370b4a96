package auth

import "errors"

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
