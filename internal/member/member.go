// Package member is an org's people who sign in to carebill (admins,
// coordinators, viewers) as carebill records them: who belongs to which
// org with which role, and which of their sessions have been signed out.
// The record is checked on every request, so removing a member or
// changing a role takes effect at once, and a signed-out token stops
// working before it expires.
package member

import (
	"errors"
	"time"

	"github.com/carebill/carebill/internal/auth"
)

// Errors.
var (
	ErrNotFound = errors.New("no such member")
	// ErrSelf refuses changing one's own role or removing oneself: an org
	// must never lose its last admin by accident.
	ErrSelf = errors.New("you cannot change your own role or remove yourself; ask another admin")
	// ErrExists is an invitation to an email that already has an account.
	ErrExists = errors.New("this email already has a carebill account")
)

// Member is one person's membership of one org.
type Member struct {
	OrgID  string
	UserID string // the Cognito sub
	Email  string
	Role   auth.Role
	// CreatedAt is when they signed up or were invited.
	CreatedAt time.Time
}

// Session is what each request is admitted by: the member as now
// recorded, and whether the presented token was signed out.
type Session struct {
	Member  Member
	Revoked bool
}
