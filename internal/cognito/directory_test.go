package cognito

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/testenv"
)

var moto *testenv.Moto

func TestMain(m *testing.M) { testenv.MainWithMoto(m, &moto) }

const strongPassword = "Corr3ct-Horse-Battery"

var poolSeq atomic.Int64

// pool is a user pool set up the way carebill's template defines it.
type pool struct {
	api      *cip.Client
	id       string
	clientID string
}

// newPool creates a fresh user pool on moto: email sign-in, the custom
// attribute org, an app client allowing ADMIN_USER_PASSWORD_AUTH, and one
// group per role in groups.
func newPool(t *testing.T, groups ...auth.Role) pool {
	t.Helper()
	ctx := context.Background()
	api := cip.NewFromConfig(moto.AWSConfig(t))
	name := fmt.Sprintf("carebill-%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), poolSeq.Add(1))
	up, err := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName:           aws.String(name),
		UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		Schema: []types.SchemaAttributeType{{
			Name:              aws.String("org"),
			AttributeDataType: types.AttributeDataTypeString,
			Mutable:           aws.Bool(true),
		}},
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
			MinimumLength:    aws.Int32(12),
			RequireLowercase: true,
			RequireUppercase: true,
			RequireNumbers:   true,
			RequireSymbols:   true,
		}},
	})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	poolID := aws.ToString(up.UserPool.Id)
	t.Cleanup(func() {
		_, _ = api.DeleteUserPool(context.Background(), &cip.DeleteUserPoolInput{UserPoolId: aws.String(poolID)})
	})
	cl, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(poolID),
		ClientName: aws.String(name + "-web"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		},
	})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	for _, g := range groups {
		if _, err := api.CreateGroup(ctx, &cip.CreateGroupInput{
			UserPoolId: aws.String(poolID),
			GroupName:  aws.String(string(g)),
		}); err != nil {
			t.Fatalf("CreateGroup %s: %v", g, err)
		}
	}
	return pool{api: api, id: poolID, clientID: aws.ToString(cl.UserPoolClient.ClientId)}
}

func (p pool) directory(t *testing.T) *Directory {
	t.Helper()
	d, err := New(p.api, p.id, p.clientID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (p pool) verifier(t *testing.T) *auth.Verifier {
	t.Helper()
	v, err := auth.NewVerifier(auth.Config{
		Issuer:   fmt.Sprintf("https://cognito-idp.%s.amazonaws.com/%s", testenv.Region, p.id),
		Audience: p.clientID,
		JWKSURL:  fmt.Sprintf("%s/%s/.well-known/jwks.json", moto.Endpoint, p.id),
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// userExists asks the pool directly, so tests can see what a failed
// CreateAdmin left behind.
func (p pool) userExists(t *testing.T, email string) bool {
	t.Helper()
	_, err := p.api.AdminGetUser(context.Background(), &cip.AdminGetUserInput{
		UserPoolId: aws.String(p.id),
		Username:   aws.String(email),
	})
	var notFound *types.UserNotFoundException
	switch {
	case err == nil:
		return true
	case errors.As(err, &notFound):
		return false
	default:
		t.Fatalf("AdminGetUser: %v", err)
		return false
	}
}

var allRoles = []auth.Role{auth.RoleAdmin, auth.RoleCoordinator, auth.RoleViewer}

func TestCreateAdminThenLoginYieldsVerifiableAdminToken(t *testing.T) {
	t.Parallel()
	p := newPool(t, allRoles...)
	d := p.directory(t)
	ctx := context.Background()

	userID, err := d.CreateAdmin(ctx, "owner@clinic.example", strongPassword, "org_01")
	if err != nil {
		t.Fatalf("CreateAdmin: %v", err)
	}
	if userID == "" {
		t.Fatal("CreateAdmin returned an empty user id")
	}
	tokens, err := d.Login(ctx, "owner@clinic.example", strongPassword)
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if tokens.ExpiresIn <= 0 {
		t.Errorf("ExpiresIn = %v, want > 0", tokens.ExpiresIn)
	}
	got, err := p.verifier(t).Verify(ctx, tokens.IDToken)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := auth.Principal{UserID: userID, Email: "owner@clinic.example", OrgID: "org_01", Role: auth.RoleAdmin, ExpiresAt: got.ExpiresAt}
	if got.ExpiresAt.Before(time.Now()) {
		t.Errorf("ExpiresAt %v is not in the future", got.ExpiresAt)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("principal (-want +got):\n%s", diff)
	}
}

func TestLoginRejectsBadCredentials(t *testing.T) {
	t.Parallel()
	p := newPool(t, allRoles...)
	d := p.directory(t)
	ctx := context.Background()
	if _, err := d.CreateAdmin(ctx, "owner@clinic.example", strongPassword, "org_01"); err != nil {
		t.Fatalf("CreateAdmin: %v", err)
	}
	tests := []struct {
		name, email, password string
	}{
		{"wrong password", "owner@clinic.example", strongPassword + "x"},
		{"empty password", "owner@clinic.example", ""},
		{"unknown email", "nobody@clinic.example", strongPassword},
		{"empty email", "", strongPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tokens, err := d.Login(ctx, tt.email, tt.password)
			if !errors.Is(err, auth.ErrBadCredentials) {
				t.Fatalf("Login = %+v, %v; want ErrBadCredentials", tokens, err)
			}
			if tokens.IDToken != "" {
				t.Error("failed login returned a token")
			}
		})
	}
}

func TestCreateAdminDuplicateEmail(t *testing.T) {
	t.Parallel()
	p := newPool(t, allRoles...)
	d := p.directory(t)
	ctx := context.Background()
	if _, err := d.CreateAdmin(ctx, "owner@clinic.example", strongPassword, "org_01"); err != nil {
		t.Fatalf("first CreateAdmin: %v", err)
	}
	_, err := d.CreateAdmin(ctx, "owner@clinic.example", "An0ther-Passw0rd!", "org_02")
	if !errors.Is(err, auth.ErrEmailTaken) {
		t.Fatalf("second CreateAdmin err = %v, want ErrEmailTaken", err)
	}
	// The existing account is untouched: same password, same org.
	tokens, err := d.Login(ctx, "owner@clinic.example", strongPassword)
	if err != nil {
		t.Fatalf("Login of the first account: %v", err)
	}
	pr, err := p.verifier(t).Verify(ctx, tokens.IDToken)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if pr.OrgID != "org_01" {
		t.Errorf("OrgID = %q, want org_01", pr.OrgID)
	}
}

func TestCreateAdminWeakPasswordLeavesNoUser(t *testing.T) {
	t.Parallel()
	p := newPool(t, allRoles...)
	d := p.directory(t)
	ctx := context.Background()
	for _, weak := range []string{"short1!A", "alllowercase-but-long1", "NoDigitsHere!!"} {
		t.Run(weak, func(t *testing.T) {
			email := strings.ToLower(strings.ReplaceAll(weak, "!", "")) + "@clinic.example"
			_, err := d.CreateAdmin(ctx, email, weak, "org_01")
			if !errors.Is(err, auth.ErrWeakPassword) {
				t.Fatalf("CreateAdmin err = %v, want ErrWeakPassword", err)
			}
			t.Log(err)
			if p.userExists(t, email) {
				t.Fatal("rejected sign-up left a user behind")
			}
			// The email is free again: a retry with a good password succeeds.
			if _, err := d.CreateAdmin(ctx, email, strongPassword, "org_01"); err != nil {
				t.Fatalf("retry with a strong password: %v", err)
			}
		})
	}
}

func TestCreateAdminRollsBackWhenGroupMissing(t *testing.T) {
	t.Parallel()
	p := newPool(t, auth.RoleCoordinator, auth.RoleViewer) // no admin group
	d := p.directory(t)
	_, err := d.CreateAdmin(context.Background(), "owner@clinic.example", strongPassword, "org_01")
	if err == nil {
		t.Fatal("CreateAdmin succeeded without an admin group")
	}
	if !strings.Contains(err.Error(), "AdminAddUserToGroup") {
		t.Errorf("error %q does not name the failing operation", err)
	}
	if errors.Is(err, auth.ErrEmailTaken) || errors.Is(err, auth.ErrWeakPassword) {
		t.Errorf("operational failure mapped to a user error: %v", err)
	}
	if p.userExists(t, "owner@clinic.example") {
		t.Error("half-made user was not deleted")
	}
}

func TestDeleteUser(t *testing.T) {
	t.Parallel()
	p := newPool(t, allRoles...)
	d := p.directory(t)
	ctx := context.Background()
	if _, err := d.CreateAdmin(ctx, "owner@clinic.example", strongPassword, "org_01"); err != nil {
		t.Fatalf("CreateAdmin: %v", err)
	}
	if err := d.DeleteUser(ctx, "owner@clinic.example"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if _, err := d.Login(ctx, "owner@clinic.example", strongPassword); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("Login after delete err = %v, want ErrBadCredentials", err)
	}
	if err := d.DeleteUser(ctx, "owner@clinic.example"); err != nil {
		t.Errorf("second DeleteUser (already gone) = %v, want nil", err)
	}
	if _, err := d.CreateAdmin(ctx, "owner@clinic.example", strongPassword, "org_02"); err != nil {
		t.Errorf("CreateAdmin after delete: %v", err)
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	api := cip.NewFromConfig(moto.AWSConfig(t))
	tests := []struct {
		name             string
		api              *cip.Client
		poolID, clientID string
	}{
		{"nil client", nil, "pool", "client"},
		{"no pool", api, "", "client"},
		{"no client id", api, "pool", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if d, err := New(tt.api, tt.poolID, tt.clientID); err == nil {
				t.Errorf("New = %v, nil; want an error", d)
			}
		})
	}
}
