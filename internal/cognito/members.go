package cognito

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/carebill/carebill/internal/auth"
)

// Invite creates a user in org with role and has Cognito email them a
// temporary password; their first login sets their own (Login with a new
// password). It returns the user's id (sub). Either every step succeeds or
// the user is deleted again.
//
// Errors: auth.ErrEmailTaken, or an operational error.
func (d *Directory) Invite(ctx context.Context, email, orgID string, role auth.Role) (string, error) {
	if orgID == "" || !role.Valid() {
		return "", errors.New("invite: org id and a known role are required")
	}
	out, err := d.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId:             aws.String(d.userPoolID),
		Username:               aws.String(email),
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(email)},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
			{Name: aws.String(orgAttribute), Value: aws.String(orgID)},
		},
	})
	if err != nil {
		return "", fmt.Errorf("invite: AdminCreateUser: %w", signUpError(err))
	}
	userID := subOf(out.User)
	if userID == "" {
		return "", d.undo(ctx, email, errors.New("invite: AdminCreateUser returned no sub"))
	}
	if _, err := d.api.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
		UserPoolId: aws.String(d.userPoolID), Username: aws.String(email), GroupName: aws.String(string(role)),
	}); err != nil {
		return "", d.undo(ctx, email, fmt.Errorf("invite: AdminAddUserToGroup: %w", err))
	}
	return userID, nil
}

// SetRole moves a user from one role's group to another's, so the next
// token they get carries it. (carebill reads the role from its member
// record on every request; the group keeps Cognito's view the same.)
func (d *Directory) SetRole(ctx context.Context, email string, from, to auth.Role) error {
	if _, err := d.api.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
		UserPoolId: aws.String(d.userPoolID), Username: aws.String(email), GroupName: aws.String(string(to)),
	}); err != nil {
		return fmt.Errorf("set role: AdminAddUserToGroup: %w", err)
	}
	if from == to {
		return nil
	}
	if _, err := d.api.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{
		UserPoolId: aws.String(d.userPoolID), Username: aws.String(email), GroupName: aws.String(string(from)),
	}); err != nil {
		return fmt.Errorf("set role: AdminRemoveUserFromGroup: %w", err)
	}
	return nil
}

// SignOutEverywhere revokes the user's refresh tokens (Cognito global
// sign-out); carebill's own check refuses their ID tokens.
func (d *Directory) SignOutEverywhere(ctx context.Context, email string) error {
	_, err := d.api.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{
		UserPoolId: aws.String(d.userPoolID), Username: aws.String(email),
	})
	var notFound *types.UserNotFoundException
	if err != nil && !errors.As(err, &notFound) {
		return fmt.Errorf("sign out everywhere: AdminUserGlobalSignOut: %w", err)
	}
	return nil
}
