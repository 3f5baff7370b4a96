package provision

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func (r *Resources) createUserPool(ctx context.Context, c *cip.Client, p UserPool) error {
	name := r.Prefix + p.LogicalID
	id, err := findPool(ctx, c, name)
	if err != nil {
		return err
	}
	if id == "" {
		in := &cip.CreateUserPoolInput{
			PoolName: aws.String(name),
			AdminCreateUserConfig: &types.AdminCreateUserConfigType{
				AllowAdminCreateUserOnly: p.AdminCreateUserOnly,
			},
		}
		for _, a := range p.UsernameAttributes {
			in.UsernameAttributes = append(in.UsernameAttributes, types.UsernameAttributeType(a))
		}
		for _, a := range p.AutoVerifiedAttributes {
			in.AutoVerifiedAttributes = append(in.AutoVerifiedAttributes, types.VerifiedAttributeType(a))
		}
		for _, a := range p.Schema {
			in.Schema = append(in.Schema, schemaAttribute(a))
		}
		if pp := p.Password; pp != nil {
			in.Policies = &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
				MinimumLength:                 aws.Int32(int32(pp.MinimumLength)),
				RequireLowercase:              pp.RequireLowercase,
				RequireUppercase:              pp.RequireUppercase,
				RequireNumbers:                pp.RequireNumbers,
				RequireSymbols:                pp.RequireSymbols,
				TemporaryPasswordValidityDays: int32(pp.TemporaryPasswordValidityDays),
			}}
		}
		out, err := c.CreateUserPool(ctx, in)
		if err != nil {
			return fmt.Errorf("create user pool %s: %w", name, err)
		}
		id = aws.ToString(out.UserPool.Id)
	}
	r.IDs[p.LogicalID] = id
	r.ARNs[p.LogicalID] = fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", r.Region, AccountID, id)
	return nil
}

func schemaAttribute(a SchemaAttribute) types.SchemaAttributeType {
	s := types.SchemaAttributeType{
		Name:              aws.String(a.Name),
		AttributeDataType: types.AttributeDataType(a.DataType),
		Mutable:           aws.Bool(a.Mutable),
		Required:          aws.Bool(a.Required),
	}
	if a.MinLength != "" || a.MaxLength != "" {
		s.StringAttributeConstraints = &types.StringAttributeConstraintsType{
			MinLength: optional(a.MinLength), MaxLength: optional(a.MaxLength),
		}
	}
	if a.MinValue != "" || a.MaxValue != "" {
		s.NumberAttributeConstraints = &types.NumberAttributeConstraintsType{
			MinValue: optional(a.MinValue), MaxValue: optional(a.MaxValue),
		}
	}
	return s
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// findPool returns the id of the user pool called name, or "" when none is.
func findPool(ctx context.Context, c *cip.Client, name string) (string, error) {
	pages := cip.NewListUserPoolsPaginator(c, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("list user pools: %w", err)
		}
		for _, p := range page.UserPools {
			if aws.ToString(p.Name) == name {
				return aws.ToString(p.Id), nil
			}
		}
	}
	return "", nil
}

func (r *Resources) createClient(ctx context.Context, c *cip.Client, cl UserPoolClient) error {
	name := r.Prefix + cl.LogicalID
	pool := r.IDs[cl.UserPool]
	pages := cip.NewListUserPoolClientsPaginator(c, &cip.ListUserPoolClientsInput{
		UserPoolId: aws.String(pool), MaxResults: aws.Int32(60),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list clients of %s: %w", pool, err)
		}
		for _, d := range page.UserPoolClients {
			if aws.ToString(d.ClientName) == name {
				r.IDs[cl.LogicalID] = aws.ToString(d.ClientId)
				return nil
			}
		}
	}
	in := &cip.CreateUserPoolClientInput{
		ClientName:      aws.String(name),
		UserPoolId:      aws.String(pool),
		GenerateSecret:  cl.GenerateSecret,
		ReadAttributes:  cl.ReadAttributes,
		WriteAttributes: cl.WriteAttributes,
	}
	for _, f := range cl.ExplicitAuthFlows {
		in.ExplicitAuthFlows = append(in.ExplicitAuthFlows, types.ExplicitAuthFlowsType(f))
	}
	if cl.PreventUserExistenceErrors != "" {
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypes(cl.PreventUserExistenceErrors)
	}
	units := &types.TokenValidityUnitsType{}
	if v := cl.IDTokenValidity; v.Value != 0 {
		in.IdTokenValidity, units.IdToken = aws.Int32(int32(v.Value)), types.TimeUnitsType(v.Unit)
	}
	if v := cl.AccessTokenValidity; v.Value != 0 {
		in.AccessTokenValidity, units.AccessToken = aws.Int32(int32(v.Value)), types.TimeUnitsType(v.Unit)
	}
	if v := cl.RefreshTokenValidity; v.Value != 0 {
		in.RefreshTokenValidity, units.RefreshToken = int32(v.Value), types.TimeUnitsType(v.Unit)
	}
	if *units != (types.TokenValidityUnitsType{}) {
		in.TokenValidityUnits = units
	}
	out, err := c.CreateUserPoolClient(ctx, in)
	if err != nil {
		return fmt.Errorf("create client %s: %w", name, err)
	}
	r.IDs[cl.LogicalID] = aws.ToString(out.UserPoolClient.ClientId)
	return nil
}

func (r *Resources) createGroup(ctx context.Context, c *cip.Client, g UserPoolGroup) error {
	in := &cip.CreateGroupInput{
		GroupName:   aws.String(g.Name),
		UserPoolId:  aws.String(r.IDs[g.UserPool]),
		Description: optional(g.Description),
	}
	if g.Precedence != nil {
		in.Precedence = aws.Int32(int32(*g.Precedence))
	}
	_, err := c.CreateGroup(ctx, in)
	var exists *types.GroupExistsException
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("create group %s: %w", g.Name, err)
	}
	r.IDs[g.LogicalID] = g.Name
	return nil
}
