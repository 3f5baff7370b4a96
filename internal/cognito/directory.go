// Package cognito keeps carebill's coordinator accounts in a Cognito user
// pool: creating an org's first admin at sign-up, logging in, and undoing a
// sign-up whose org could not be stored. It translates Cognito's errors into
// the auth package's sentinels so the transport layer never sees SDK types.
package cognito

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/carebill/carebill/internal/auth"
)

// orgAttribute is the custom user attribute that becomes the custom:org
// claim auth.Verifier reads. The pool must define a String attribute "org".
const orgAttribute = "custom:org"

// Directory is the user pool as carebill uses it. Users are keyed by email
// (the Cognito username, or its email alias when the pool signs in by email).
// Callers should normalise emails (trim, lower-case) the same way for every call.
type Directory struct {
	api        *cip.Client
	userPoolID string
	clientID   string
}

// Tokens is the outcome of a successful login.
type Tokens struct {
	// IDToken is the Cognito ID token: the bearer token and session cookie
	// value that auth.Verifier accepts.
	IDToken string
	// ExpiresIn is how long IDToken stays valid from issue.
	ExpiresIn time.Duration
}

// New returns a Directory over the user pool userPoolID, logging in through
// the app client clientID, which must allow ADMIN_USER_PASSWORD_AUTH and have
// no client secret.
func New(api *cip.Client, userPoolID, clientID string) (*Directory, error) {
	switch {
	case api == nil:
		return nil, errors.New("new cognito directory: nil client")
	case userPoolID == "":
		return nil, errors.New("new cognito directory: user pool id is required")
	case clientID == "":
		return nil, errors.New("new cognito directory: app client id is required")
	}
	return &Directory{api: api, userPoolID: userPoolID, clientID: clientID}, nil
}

// CreateAdmin creates a confirmed user with a permanent password, verified
// email and org, in the admin group, and returns the user's id (sub, the
// UserID of auth.Principal). No invitation is sent. Either every step
// succeeds or the user is deleted again, so a failed sign-up can be retried
// with the same email.
//
// Errors: auth.ErrEmailTaken, auth.ErrWeakPassword, or an operational error.
func (d *Directory) CreateAdmin(ctx context.Context, email, password, orgID string) (string, error) {
	if orgID == "" {
		return "", errors.New("create admin: org id is required")
	}
	out, err := d.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId:    aws.String(d.userPoolID),
		Username:      aws.String(email),
		MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(email)},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
			{Name: aws.String(orgAttribute), Value: aws.String(orgID)},
		},
	})
	if err != nil {
		return "", fmt.Errorf("create admin: AdminCreateUser: %w", signUpError(err))
	}
	userID := subOf(out.User)
	if userID == "" {
		return "", d.undo(ctx, email, errors.New("create admin: AdminCreateUser returned no sub"))
	}

	if _, err := d.api.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(d.userPoolID),
		Username:   aws.String(email),
		Password:   aws.String(password),
		Permanent:  true,
	}); err != nil {
		return "", d.undo(ctx, email, fmt.Errorf("create admin: AdminSetUserPassword: %w", signUpError(err)))
	}
	if _, err := d.api.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
		UserPoolId: aws.String(d.userPoolID),
		Username:   aws.String(email),
		GroupName:  aws.String(string(auth.RoleAdmin)),
	}); err != nil {
		return "", d.undo(ctx, email, fmt.Errorf("create admin: AdminAddUserToGroup: %w", signUpError(err)))
	}
	return userID, nil
}

// undo deletes a half-made user and returns cause, joined with the delete's
// own failure if there is one.
func (d *Directory) undo(ctx context.Context, email string, cause error) error {
	if err := d.rollback(ctx, email); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}

// rollback deletes the user even if ctx is already cancelled: a cancelled
// sign-up must not leave a user holding the email.
func (d *Directory) rollback(ctx context.Context, email string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := d.DeleteUser(ctx, email); err != nil {
		return fmt.Errorf("roll back: %w", err)
	}
	return nil
}

// subOf returns the user's sub attribute, falling back to the username,
// which is the sub when the pool signs in by email alias.
func subOf(u *types.UserType) string {
	if u == nil {
		return ""
	}
	for _, a := range u.Attributes {
		if aws.ToString(a.Name) == "sub" {
			return aws.ToString(a.Value)
		}
	}
	return aws.ToString(u.Username)
}

// Login checks email and password and returns an ID token.
//
// Errors: auth.ErrBadCredentials (unknown email or wrong password, not told
// apart), or an operational error, including a challenge (new password, MFA)
// that this flow does not handle.
func (d *Directory) Login(ctx context.Context, email, password string) (Tokens, error) {
	return d.LoginSettingPassword(ctx, email, password, "")
}

// LoginSettingPassword is Login for an invited member whose password is
// still the temporary one Cognito emailed: with newPassword it answers
// Cognito's NEW_PASSWORD_REQUIRED challenge, making newPassword theirs.
// Without it, such a login is auth.ErrNewPasswordRequired.
func (d *Directory) LoginSettingPassword(ctx context.Context, email, password, newPassword string) (Tokens, error) {
	// Cognito answers a missing parameter with a validation error, not
	// NotAuthorized; an empty field is simply a failed login.
	if email == "" || password == "" {
		return Tokens{}, fmt.Errorf("login: %w: empty email or password", auth.ErrBadCredentials)
	}
	out, err := d.api.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId:     aws.String(d.userPoolID),
		ClientId:       aws.String(d.clientID),
		AuthFlow:       types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	if err != nil {
		return Tokens{}, fmt.Errorf("login: AdminInitiateAuth: %w", loginError(err))
	}
	res := out.AuthenticationResult
	switch {
	case out.ChallengeName == types.ChallengeNameTypeNewPasswordRequired && newPassword == "":
		return Tokens{}, fmt.Errorf("login: %w", auth.ErrNewPasswordRequired)
	case out.ChallengeName == types.ChallengeNameTypeNewPasswordRequired:
		ch, err := d.api.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{
			UserPoolId: aws.String(d.userPoolID), ClientId: aws.String(d.clientID), Session: out.Session,
			ChallengeName:      types.ChallengeNameTypeNewPasswordRequired,
			ChallengeResponses: map[string]string{"USERNAME": email, "NEW_PASSWORD": newPassword},
		})
		if err != nil {
			return Tokens{}, fmt.Errorf("login: AdminRespondToAuthChallenge: %w", signUpError(err))
		}
		if ch.ChallengeName != "" {
			return Tokens{}, fmt.Errorf("login: AdminRespondToAuthChallenge: unsupported challenge %s", ch.ChallengeName)
		}
		res = ch.AuthenticationResult
	case out.ChallengeName != "":
		return Tokens{}, fmt.Errorf("login: AdminInitiateAuth: unsupported challenge %s", out.ChallengeName)
	}
	if res == nil || aws.ToString(res.IdToken) == "" {
		return Tokens{}, errors.New("login: AdminInitiateAuth returned no ID token")
	}
	return Tokens{
		IDToken:   aws.ToString(res.IdToken),
		ExpiresIn: time.Duration(res.ExpiresIn) * time.Second,
	}, nil
}

// DeleteUser removes the user with this email. It exists to roll back a
// sign-up whose org could not be stored, so a user that is already gone is
// not an error.
func (d *Directory) DeleteUser(ctx context.Context, email string) error {
	_, err := d.api.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{
		UserPoolId: aws.String(d.userPoolID),
		Username:   aws.String(email),
	})
	var notFound *types.UserNotFoundException
	if err != nil && !errors.As(err, &notFound) {
		return fmt.Errorf("delete user: AdminDeleteUser: %w", err)
	}
	return nil
}

// signUpError maps the Cognito errors that are expected outcomes of creating
// a user onto auth's sentinels, keeping the SDK error in the chain for logs.
func signUpError(err error) error {
	var (
		exists      *types.UsernameExistsException
		badPassword *types.InvalidPasswordException
		badParam    *types.InvalidParameterException
	)
	switch {
	case errors.As(err, &exists):
		return fmt.Errorf("%w: %w", auth.ErrEmailTaken, err)
	case errors.As(err, &badPassword):
		return fmt.Errorf("%w: %w", &auth.PasswordError{Rule: passwordRule(badPassword.ErrorMessage())}, err)
	case errors.As(err, &badParam) && strings.Contains(strings.ToLower(badParam.ErrorMessage()), "password"):
		return fmt.Errorf("%w: %w", &auth.PasswordError{Rule: passwordRule(badParam.ErrorMessage())}, err)
	default:
		return err
	}
}

// passwordRule is the rule Cognito names in a refusal ("Password did not
// conform with policy: Password must have symbol characters" → "password
// must have symbol characters"), or the pool's policy when it names none.
func passwordRule(msg string) string {
	if _, rule, ok := strings.Cut(msg, "policy: "); ok && strings.TrimSpace(rule) != "" {
		return strings.ToLower(strings.TrimSpace(rule[:1])) + strings.TrimSpace(rule)[1:]
	}
	if strings.TrimSpace(msg) != "" {
		return strings.TrimSpace(msg)
	}
	return "the password does not meet the sign-in policy"
}

// loginError maps a failed password check, and an unknown user, onto
// auth.ErrBadCredentials so a caller cannot probe which emails exist.
func loginError(err error) error {
	var (
		notAuth  *types.NotAuthorizedException
		notFound *types.UserNotFoundException
	)
	if errors.As(err, &notAuth) || errors.As(err, &notFound) {
		return fmt.Errorf("%w: %w", auth.ErrBadCredentials, err)
	}
	return err
}
