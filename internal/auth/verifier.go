package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	// leeway is the clock skew tolerated on exp, nbf and iat.
	leeway = 60 * time.Second
	// maxTokenBytes refuses absurd tokens before any parsing or key lookup.
	// Cognito ID tokens are a few KiB even with many groups.
	maxTokenBytes = 16 << 10
	// defaultHTTPTimeout bounds a JWKS fetch when the caller brings no client.
	defaultHTTPTimeout = 10 * time.Second
)

// Principal is the verified caller of a coordinator request.
type Principal struct {
	// UserID is the Cognito sub: stable for the life of the user.
	UserID string
	// Email is the user's email (or, failing that, Cognito username).
	Email string
	// OrgID is the tenant every query of the request is scoped to.
	OrgID string
	// Role is the most privileged known role among the user's groups
	// (billing.Team.Admit replaces it with the member record's).
	Role Role
	// ExpiresAt is when the token stops being valid (its exp claim).
	ExpiresAt time.Time
}

// Config says which tokens a Verifier accepts.
type Config struct {
	// Issuer is the user pool's issuer, exactly as in the iss claim:
	// https://cognito-idp.<region>.amazonaws.com/<poolId>.
	Issuer string
	// Audience is the app client id; ID tokens carry it as aud.
	Audience string
	// JWKSURL is where the signing keys are published. Empty means
	// Issuer + "/.well-known/jwks.json", which is right for real Cognito;
	// moto serves them at <endpoint>/<poolId>/.well-known/jwks.json instead.
	JWKSURL string
	// HTTPClient fetches the JWKS. Nil means a client with a 10s timeout.
	HTTPClient *http.Client
	// Now is the clock for lifetime checks. Nil means time.Now.
	Now func() time.Time
}

// Verifier checks Cognito ID tokens. It is safe for concurrent use; build one
// per cold start so its key cache is shared by every request.
type Verifier struct {
	audience string
	keys     *keySet
	parser   *jwt.Parser
}

// NewVerifier validates cfg and returns a Verifier. No network call is made
// until the first token arrives.
func NewVerifier(cfg Config) (*Verifier, error) {
	if err := checkAbsoluteURL("issuer", cfg.Issuer); err != nil {
		return nil, err
	}
	if strings.HasSuffix(cfg.Issuer, "/") {
		return nil, fmt.Errorf("new verifier: issuer %q must not end in a slash (Cognito's iss has none)", cfg.Issuer)
	}
	if strings.TrimSpace(cfg.Audience) == "" {
		return nil, errors.New("new verifier: audience (app client id) is required")
	}
	jwksURL := cfg.JWKSURL
	if jwksURL == "" {
		jwksURL = cfg.Issuer + "/.well-known/jwks.json"
	}
	if err := checkAbsoluteURL("JWKS URL", jwksURL); err != nil {
		return nil, err
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: defaultHTTPTimeout}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Verifier{
		audience: cfg.Audience,
		keys:     newKeySet(jwksURL, client, now),
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
			jwt.WithIssuer(cfg.Issuer),
			jwt.WithLeeway(leeway),
			jwt.WithTimeFunc(now),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithStrictDecoding(),
		),
	}, nil
}

func checkAbsoluteURL(name, raw string) error {
	if raw == "" {
		return fmt.Errorf("new verifier: %s is required", name)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("new verifier: %s: %w", name, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("new verifier: %s %q is not an absolute http(s) URL", name, raw)
	}
	return nil
}

// idClaims are the claims of a Cognito ID token that carebill reads.
type idClaims struct {
	jwt.RegisteredClaims
	TokenUse string   `json:"token_use"`
	Org      string   `json:"custom:org"`
	Groups   []string `json:"cognito:groups"`
	Email    string   `json:"email"`
	Username string   `json:"cognito:username"`
}

// Verify checks token and returns who it speaks for. Every failure wraps
// ErrUnauthenticated, with the reason in the error text for logs; that
// includes a JWKS endpoint that cannot be reached.
func (v *Verifier) Verify(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, reject("empty token")
	}
	if len(token) > maxTokenBytes {
		return Principal{}, reject("token of %d bytes exceeds %d", len(token), maxTokenBytes)
	}
	var c idClaims
	_, err := v.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token header has no kid")
		}
		return v.keys.key(ctx, kid)
	})
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %w", ErrUnauthenticated, err)
	}
	// jwt's audience option accepts any match in a list; an ID token names
	// exactly one audience, the app client.
	if len(c.Audience) != 1 || c.Audience[0] != v.audience {
		return Principal{}, reject("audience %q, want %q", []string(c.Audience), v.audience)
	}
	if c.TokenUse != "id" {
		return Principal{}, reject("token_use %q, want \"id\"", c.TokenUse)
	}
	if c.Subject == "" {
		return Principal{}, reject("no sub claim")
	}
	if strings.TrimSpace(c.Org) == "" {
		return Principal{}, reject("no custom:org claim")
	}
	role, ok := highestRole(c.Groups)
	if !ok {
		return Principal{}, reject("no known role in cognito:groups %q", c.Groups)
	}
	email := c.Email
	if email == "" {
		email = c.Username
	}
	var exp time.Time
	if c.ExpiresAt != nil {
		exp = c.ExpiresAt.Time
	}
	return Principal{UserID: c.Subject, Email: email, OrgID: c.Org, Role: role, ExpiresAt: exp}, nil
}

func reject(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUnauthenticated}, args...)...)
}
