package wire_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/testenv"
)

// Packages a function must not link unless it uses them: each pulls an
// SDK (and its endpoint tables and init work) into the binary.
const (
	ses     = "github.com/aws/aws-sdk-go-v2/service/sesv2"
	ssm     = "github.com/aws/aws-sdk-go-v2/service/ssm"
	sns     = "github.com/aws/aws-sdk-go-v2/service/sns"
	cognito = "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	stripe  = "github.com/stripe/stripe-go/v82"
	webUI   = "github.com/carebill/carebill/internal/web"
	chrome  = "github.com/chromedp/chromedp"
)

// TestFunctionsLinkOnlyWhatTheyUse lists each function's package
// dependencies (go list -deps) and fails if one depends on a package it
// has no use for: the invoicing function sends no email or text, reads no
// SSM parameter and takes no card payment.
func TestFunctionsLinkOnlyWhatTheyUse(t *testing.T) {
	root := testenv.RepoRoot(t)
	forbidden := map[string][]string{
		"invoicing":   {ses, ssm, sns, stripe, chrome},
		"payments":    {ses, sns, webUI, chrome},
		"portal":      {ssm, sns, cognito, stripe, webUI, chrome},
		"notifier":    {ssm, cognito, stripe, webUI, chrome},
		"cycle-close": {ses, ssm, sns, cognito, stripe, webUI, chrome},
		"run-worker":  {ses, ssm, sns, cognito, stripe, webUI, chrome},
	}
	for fn, bad := range forbidden {
		t.Run(fn, func(t *testing.T) {
			t.Parallel()
			// go test puts its own GOROOT/bin first on the PATH, so this is
			// the go command running the test.
			cmd := exec.Command("go", "list", "-deps", "./functions/"+fn)
			cmd.Dir = root
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list -deps ./functions/%s: %v", fn, err)
			}
			deps := strings.Fields(string(out))
			if !slices.Contains(deps, "github.com/aws/aws-lambda-go/lambda") {
				t.Fatalf("go list gave no aws-lambda-go among %d packages: not a function's dependency list", len(deps))
			}
			for _, b := range bad {
				for _, d := range deps {
					if d == b || strings.HasPrefix(d, b+"/") {
						t.Errorf("functions/%s depends on %s; wire it in its own wire/<function> package so only the function that uses it links it", fn, d)
						break
					}
				}
			}
		})
	}
}
