package cognito

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/backfill"
)

// Pool lists a user pool's users for the backfill (an admin's one-off,
// not a request path): ListUsers, page by page, and each user's groups.
type Pool struct {
	api        *cip.Client
	userPoolID string
}

// NewPool returns the pool userPoolID.
func NewPool(api *cip.Client, userPoolID string) (*Pool, error) {
	if api == nil || userPoolID == "" {
		return nil, errors.New("cognito pool: a client and the user pool id are required")
	}
	return &Pool{api: api, userPoolID: userPoolID}, nil
}

// Users calls each for every user: their sub, email, org (custom:org) and
// the most privileged role among their groups ("" when none is a role).
func (p *Pool) Users(ctx context.Context, each func(backfill.User) error) error {
	in := &cip.ListUsersInput{UserPoolId: aws.String(p.userPoolID), Limit: aws.Int32(60)}
	for {
		out, err := p.api.ListUsers(ctx, in)
		if err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		for i := range out.Users {
			u := &out.Users[i]
			bu := backfill.User{ID: subOf(u), CreatedAt: aws.ToTime(u.UserCreateDate)}
			for _, a := range u.Attributes {
				switch aws.ToString(a.Name) {
				case "email":
					bu.Email = aws.ToString(a.Value)
				case orgAttribute:
					bu.OrgID = aws.ToString(a.Value)
				}
			}
			if bu.Role, err = p.role(ctx, aws.ToString(u.Username)); err != nil {
				return err
			}
			if err := each(bu); err != nil {
				return err
			}
		}
		if aws.ToString(out.PaginationToken) == "" {
			return nil
		}
		in.PaginationToken = out.PaginationToken
	}
}

// role is the most privileged known role among the user's groups.
func (p *Pool) role(ctx context.Context, username string) (auth.Role, error) {
	var best auth.Role
	in := &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(p.userPoolID), Username: aws.String(username)}
	for {
		out, err := p.api.AdminListGroupsForUser(ctx, in)
		if err != nil {
			return "", fmt.Errorf("groups of %s: %w", username, err)
		}
		for _, g := range out.Groups {
			if r := auth.Role(aws.ToString(g.GroupName)); r.Valid() && (!best.Valid() || r.AtLeast(best)) {
				best = r
			}
		}
		if aws.ToString(out.NextToken) == "" {
			return best, nil
		}
		in.NextToken = out.NextToken
	}
}
