package wire_test

import (
	"os/exec"
	"path/filepath"
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
	// pdfs are the PDF renderer and its text shaper (with their fonts and
	// OpenType tables, 2 MiB): only the functions that hand out PDFs
	// (documents, portal, notifier) import them (internal/documents).
	pdfs   = "github.com/carebill/carebill/internal/pdf"
	shaper = "github.com/go-text/typesetting"
	// awsSDK is every AWS client: the UI's function calls no AWS service.
	awsSDK = "github.com/aws/aws-sdk-go-v2"
)

// TestFunctionsLinkOnlyWhatTheyUse lists each function's package
// dependencies (go list -deps) and fails if one depends on a package it
// has no use for: the invoicing function sends no email or text, reads no
// SSM parameter, takes no card payment and serves no page (the UI's pages
// and static files are functions/web's); payments reads its two secrets
// through the Parameters and Secrets extension (paramext), not the SSM
// client; the web function calls no AWS service.
func TestFunctionsLinkOnlyWhatTheyUse(t *testing.T) {
	root := testenv.RepoRoot(t)
	forbidden := map[string][]string{
		"invoicing":   {ses, ssm, sns, stripe, webUI, chrome, pdfs, shaper},
		"payments":    {ses, ssm, sns, webUI, chrome, pdfs, shaper},
		"documents":   {ses, ssm, sns, cognito, stripe, webUI, chrome},
		"portal":      {ssm, sns, cognito, stripe, webUI, chrome},
		"notifier":    {ssm, cognito, stripe, webUI, chrome},
		"cycle-close": {ses, ssm, sns, cognito, stripe, webUI, chrome, pdfs, shaper},
		"run-worker":  {ses, ssm, sns, cognito, stripe, webUI, chrome, pdfs, shaper},
		"web":         {awsSDK, stripe, chrome, pdfs, shaper},
	}
	for fn, bad := range forbidden {
		t.Run(fn, func(t *testing.T) {
			t.Parallel()
			// go test puts its own GOROOT/bin first on the PATH, so this is
			// the go command running the test.
			cmd := exec.Command("go", "list", "-tags", "lambda.norpc", "-deps", "./functions/"+fn)
			cmd.Dir = root
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list -tags lambda.norpc -deps ./functions/%s: %v", fn, err)
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

// Symbols a function's binary must not contain unless it needs them. A
// package can be imported and still cost nothing: the linker drops what is
// never called. These are what the linker kept before, for no use.
const (
	// reflectMethod is reflect's call by method name. Once it is
	// reachable (text/template and html/template reach it when a template
	// is executed) the linker keeps every exported method of every type
	// stored in an interface: all 127 operations of the Cognito client,
	// all 63 of DynamoDB's. It was 13 MiB of the payments function.
	reflectMethod = "reflect.Value.MethodByName"
	// fonts are the embedded DejaVu faces (1 MiB gzipped): only the
	// functions that render PDFs need them.
	fonts = "github.com/carebill/carebill/internal/pdf.dejaVu"
	// textTemplate and htmlTemplate execute templates, and with them
	// reflectMethod. Pages and emails are templ components (Go code) and
	// the UI's pages HTML rendered when the code is generated
	// (internal/web/rendered.go), so no function executes a template.
	// (templ's runtime imports html/template for FromGoHTML, which
	// carebill never calls: the linker drops it, so this is a symbol
	// check rather than a go list -deps one.)
	textTemplate = "text/template.(*state).walk"
	htmlTemplate = "html/template.(*Template).Execute"
	// pdfCode and shaperCode are any symbol of the PDF renderer and of
	// its text shaper (a name ending in "." or "/" matches every symbol
	// naming it): TestFunctionsLinkOnlyWhatTheyUse keeps the packages
	// out, this keeps a copy of their code from coming back some other
	// way. The invoicing and payments functions were 2 MiB larger with
	// them; the documents function serves their PDFs.
	pdfCode    = "github.com/carebill/carebill/internal/pdf."
	shaperCode = "github.com/go-text/typesetting/"
	// uiFiles are the UI's embedded pages and static files: functions/web's
	// alone.
	uiFiles = "github.com/carebill/carebill/internal/web.staticFiles"
)

// awsDefaultChain are the packages config.LoadDefaultConfig links: the
// config loader and the clients of its credential chain (~1.7 MiB of
// each function). A function takes its AWS configuration from the
// Lambda environment instead (awsenv.Config); a symbol under any of
// these prefixes means one went back to the default chain.
var awsDefaultChain = []string{
	"github.com/aws/aws-sdk-go-v2/config.",
	"github.com/aws/aws-sdk-go-v2/service/sso.",
	"github.com/aws/aws-sdk-go-v2/service/ssooidc.",
	"github.com/aws/aws-sdk-go-v2/service/sts.",
	"github.com/aws/aws-sdk-go-v2/service/signin.",
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds.",
}

// TestFunctionsLinkOnlyWhatTheyCall links each function as the deploy
// build does (make build-<Function>, for this machine) and reads its
// symbol table: no function executes a template, only the documents,
// portal and notifier functions render PDFs (BENCHMARKS.md, start-up), and
// none links the SDK's default configuration chain (awsDefaultChain).
func TestFunctionsLinkOnlyWhatTheyCall(t *testing.T) {
	root := testenv.RepoRoot(t)
	dir := t.TempDir()
	forbidden := map[string][]string{
		"invoicing":   {reflectMethod, textTemplate, htmlTemplate, fonts, pdfCode, shaperCode, uiFiles},
		"payments":    {reflectMethod, textTemplate, htmlTemplate, fonts, pdfCode, shaperCode},
		"documents":   {reflectMethod, textTemplate, htmlTemplate},
		"portal":      {reflectMethod, textTemplate, htmlTemplate},
		"notifier":    {reflectMethod, textTemplate, htmlTemplate},
		"cycle-close": {reflectMethod, textTemplate, htmlTemplate, fonts, pdfCode, shaperCode},
		"run-worker":  {reflectMethod, textTemplate, htmlTemplate, fonts, pdfCode, shaperCode},
		"web":         {reflectMethod, textTemplate, htmlTemplate, fonts, pdfCode, shaperCode},
	}
	for fn, bad := range forbidden {
		t.Run(fn, func(t *testing.T) {
			t.Parallel()
			bin := filepath.Join(dir, fn)
			build := exec.Command("go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", bin, "./functions/"+fn)
			build.Dir = root
			build.Env = append(build.Environ(), "CGO_ENABLED=0")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go build ./functions/%s: %v\n%s", fn, err, out)
			}
			out, err := exec.Command("go", "tool", "nm", bin).Output()
			if err != nil {
				t.Fatalf("go tool nm %s: %v", fn, err)
			}
			syms := map[string]bool{}
			for _, line := range strings.Split(string(out), "\n") {
				if f := strings.Fields(line); len(f) >= 3 {
					syms[f[2]] = true
				}
			}
			if !syms["github.com/aws/aws-lambda-go/lambda.StartWithOptions"] {
				t.Fatalf("no lambda.StartWithOptions among %d symbols: not a function's symbol table", len(syms))
			}
			for _, b := range bad {
				if s := linked(syms, b); s != "" {
					t.Errorf("functions/%s links %s (%s), which it has no use for; see the comment on that constant", fn, b, s)
				}
			}
			for _, prefix := range awsDefaultChain {
				for s := range syms {
					if strings.HasPrefix(s, prefix) {
						t.Errorf("functions/%s links %s: build its AWS config with awsenv.Config, not config.LoadDefaultConfig", fn, s)
						break
					}
				}
			}
		})
	}
}

// linked is the symbol of syms that name stands for: name itself, or,
// when name ends in "." or "/", the first symbol (sorted) that contains it
// (type and closure symbols carry the package path inside their names).
// "" when none is linked.
func linked(syms map[string]bool, name string) string {
	if syms[name] {
		return name
	}
	if !strings.HasSuffix(name, ".") && !strings.HasSuffix(name, "/") {
		return ""
	}
	var found []string
	for s := range syms {
		if strings.Contains(s, name) {
			found = append(found, s)
		}
	}
	if len(found) == 0 {
		return ""
	}
	slices.Sort(found)
	return found[0]
}
