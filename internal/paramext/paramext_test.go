package paramext_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/paramext"
	"github.com/carebill/carebill/internal/paramext/standin"
	"github.com/carebill/carebill/internal/testenv"
)

// TestSecureStringThroughTheExtension reads a SecureString from moto's
// SSM through the extension's endpoint (the local stand-in), and checks
// what the function sees when the token is wrong or the parameter
// missing: an error naming the parameter and the extension's answer.
func TestSecureStringThroughTheExtension(t *testing.T) {
	moto, err := testenv.StartMoto()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(moto.Stop)
	cfg := moto.AWSConfig(t)
	ctx := context.Background()
	if err := provision.PutSecureStrings(ctx, cfg, map[string]string{"/carebill/stripe/api-key": "sk_test_ä/&=?"}); err != nil {
		t.Fatal(err)
	}
	srv, vars, err := standin.Start(ssm.NewFromConfig(cfg), "session-token")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)

	c, err := paramext.FromEnv(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.SecureString(ctx, "/carebill/stripe/api-key")
	if err != nil || got != "sk_test_ä/&=?" {
		t.Errorf("SecureString = %q, %v; want the stored value", got, err)
	}
	if _, err := c.SecureString(ctx, "/carebill/stripe/missing"); err == nil ||
		!strings.Contains(err.Error(), "/carebill/stripe/missing") || !strings.Contains(err.Error(), "ParameterNotFound") {
		t.Errorf("missing parameter: err = %v, want one naming it and ParameterNotFound", err)
	}

	wrong, err := paramext.FromEnv(func(k string) string {
		if k == "AWS_SESSION_TOKEN" {
			return "another-token"
		}
		return vars[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.SecureString(ctx, "/carebill/stripe/api-key"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong token: err = %v, want the extension's 401", err)
	}
}

func TestFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string // in the error; "" for none
	}{
		{"lambda defaults", map[string]string{"AWS_SESSION_TOKEN": "x"}, ""},
		{"no token", map[string]string{}, "AWS_SESSION_TOKEN"},
		{"bad port", map[string]string{"AWS_SESSION_TOKEN": "x", "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": "27a3"}, "not a port"},
	} {
		_, err := paramext.FromEnv(func(k string) string { return tc.env[k] })
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: err = %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
}
