package billing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/member"
	"github.com/carebill/carebill/internal/usecase"
	"github.com/carebill/carebill/internal/validation"
)

// MemberStore keeps an org's members and signed-out tokens
// (internal/dynamo implements it).
type MemberStore interface {
	AddMember(ctx context.Context, m member.Member) error
	Member(ctx context.Context, orgID, userID string) (member.Member, error)
	Session(ctx context.Context, orgID, userID, tokenHash string) (member.Session, error)
	Members(ctx context.Context, orgID string) ([]member.Member, error)
	SetMemberRole(ctx context.Context, orgID, userID string, role auth.Role) (member.Member, error)
	RemoveMember(ctx context.Context, orgID, userID string) error
	RevokeToken(ctx context.Context, orgID, tokenHash string, expires time.Time) error
}

// TeamDirectory is the sign-in directory's part in membership (Cognito).
type TeamDirectory interface {
	Invite(ctx context.Context, email, orgID string, role auth.Role) (userID string, err error)
	SetRole(ctx context.Context, email string, from, to auth.Role) error
	SignOutEverywhere(ctx context.Context, email string) error
	DeleteUser(ctx context.Context, email string) error
}

// Team runs membership: admitting each request by the member record,
// signing out, and admins inviting, re-roling and removing members.
type Team struct {
	store MemberStore
	dir   TeamDirectory // nil where no one is invited (the payments function)
	now   func() time.Time
}

// NewTeam builds the membership use cases. dir may be nil for a function
// that only admits requests and signs out.
func NewTeam(store MemberStore, dir TeamDirectory, now func() time.Time) (*Team, error) {
	if store == nil || now == nil {
		return nil, errors.New("new team: a member store and a clock are required")
	}
	return &Team{store: store, dir: dir, now: now}, nil
}

// Admit checks a verified token against carebill's records: the member
// must still belong to the org and the token must not have been signed
// out. The role is the member record's, so a role change applies at once.
// Errors wrap auth.ErrUnauthenticated.
func (t *Team) Admit(ctx context.Context, p auth.Principal, tokenHash string) (_ auth.Principal, err error) {
	defer usecase.Name(&err, "admit member")
	s, err := t.store.Session(ctx, p.OrgID, p.UserID, tokenHash)
	switch {
	case errors.Is(err, member.ErrNotFound):
		return auth.Principal{}, fmt.Errorf("admit: %w: no longer a member of %s", auth.ErrUnauthenticated, p.OrgID)
	case err != nil:
		return auth.Principal{}, fmt.Errorf("admit: %w", err)
	case s.Revoked:
		return auth.Principal{}, fmt.Errorf("admit: %w: signed out", auth.ErrUnauthenticated)
	}
	p.Role = s.Member.Role
	return p, nil
}

// SignOut revokes one token until it expires.
func (t *Team) SignOut(ctx context.Context, p auth.Principal, tokenHash string) (err error) {
	defer usecase.Name(&err, "sign out")
	if err := t.store.RevokeToken(ctx, p.OrgID, tokenHash, p.ExpiresAt); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	return nil
}

// Members lists the caller's org's members (admins only: it lists emails).
func (t *Team) Members(ctx context.Context, p auth.Principal) (_ []member.Member, err error) {
	defer usecase.Name(&err, "list members")
	if err := allow(p, auth.ManageUsers); err != nil {
		return nil, err
	}
	return t.store.Members(ctx, p.OrgID)
}

// Invite adds a member with role: Cognito emails them a temporary
// password. Errors: validation errors, member.ErrExists.
func (t *Team) Invite(ctx context.Context, p auth.Principal, email string, role auth.Role) (_ member.Member, err error) {
	defer usecase.Name(&err, "invite member")
	if err := allow(p, auth.ManageUsers); err != nil {
		return member.Member{}, err
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if err := validation.Email("email", email); err != nil {
		return member.Member{}, err
	}
	if !role.Valid() {
		return member.Member{}, validation.Errorf("role", "must be admin, coordinator or viewer")
	}
	if t.dir == nil {
		return member.Member{}, errors.New("invite: this function has no sign-in directory")
	}
	userID, err := t.dir.Invite(ctx, email, p.OrgID, role)
	if errors.Is(err, auth.ErrEmailTaken) {
		return member.Member{}, fmt.Errorf("invite: %w", member.ErrExists)
	}
	if err != nil {
		return member.Member{}, fmt.Errorf("invite: %w", err)
	}
	m := member.Member{OrgID: p.OrgID, UserID: userID, Email: email, Role: role, CreatedAt: t.now()}
	if err := t.store.AddMember(ctx, m); err != nil {
		if derr := t.dir.DeleteUser(context.WithoutCancel(ctx), email); derr != nil {
			return member.Member{}, errors.Join(fmt.Errorf("invite: %w", err), derr)
		}
		return member.Member{}, fmt.Errorf("invite: %w", err)
	}
	return m, nil
}

// ChangeRole gives a member another role, effective on their next
// request. Errors: member.ErrNotFound, member.ErrSelf.
func (t *Team) ChangeRole(ctx context.Context, p auth.Principal, userID string, role auth.Role) (_ member.Member, err error) {
	defer usecase.Name(&err, "change member role %s", userID)
	if err := allow(p, auth.ManageUsers); err != nil {
		return member.Member{}, err
	}
	if !role.Valid() {
		return member.Member{}, validation.Errorf("role", "must be admin, coordinator or viewer")
	}
	if userID == p.UserID {
		return member.Member{}, member.ErrSelf
	}
	m, err := t.store.Member(ctx, p.OrgID, userID)
	if err != nil {
		return member.Member{}, fmt.Errorf("change role: %w", err)
	}
	if t.dir != nil {
		if err := t.dir.SetRole(ctx, m.Email, m.Role, role); err != nil {
			return member.Member{}, fmt.Errorf("change role: %w", err)
		}
	}
	return t.store.SetMemberRole(ctx, p.OrgID, userID, role)
}

// Remove takes a member out of the org: their record goes first, so
// their tokens stop working at once, then their Cognito account.
// Errors: member.ErrNotFound, member.ErrSelf.
func (t *Team) Remove(ctx context.Context, p auth.Principal, userID string) (err error) {
	defer usecase.Name(&err, "remove member %s", userID)
	if err := allow(p, auth.ManageUsers); err != nil {
		return err
	}
	if userID == p.UserID {
		return member.ErrSelf
	}
	m, err := t.store.Member(ctx, p.OrgID, userID)
	if err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	if err := t.store.RemoveMember(ctx, p.OrgID, userID); err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	if t.dir != nil {
		if err := t.dir.SignOutEverywhere(ctx, m.Email); err != nil {
			return fmt.Errorf("remove member: %w", err)
		}
		if err := t.dir.DeleteUser(ctx, m.Email); err != nil {
			return fmt.Errorf("remove member: %w", err)
		}
	}
	return nil
}
