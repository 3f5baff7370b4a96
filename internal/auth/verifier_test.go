package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const (
	testIssuer   = "https://cognito-idp.ap-southeast-2.amazonaws.com/ap-southeast-2_TEST"
	testAudience = "client-123"
)

// signingKey is an RSA key with the kid it is published under.
type signingKey struct {
	kid  string
	priv *rsa.PrivateKey
}

func newSigningKey(t *testing.T, kid string) signingKey {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{kid: kid, priv: priv}
}

func (k signingKey) jwk() map[string]string {
	return map[string]string{
		"kty": "RSA", "alg": "RS256", "use": "sig", "kid": k.kid,
		"n": base64.RawURLEncoding.EncodeToString(k.priv.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.priv.E)).Bytes()),
	}
}

// jwksServer publishes a key set that a test can swap, and counts fetches.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	keys    []signingKey
	failing bool
	fetches atomic.Int64
}

func newJWKSServer(t *testing.T, keys ...signingKey) *jwksServer {
	t.Helper()
	s := &jwksServer{keys: keys}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.failing {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		set := struct {
			Keys []map[string]string `json:"keys"`
		}{Keys: []map[string]string{}}
		for _, k := range s.keys {
			set.Keys = append(set.Keys, k.jwk())
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) publish(keys ...signingKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = keys
}

func (s *jwksServer) setFailing(f bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = f
}

// clock is a settable time source shared by the verifier and the tokens.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// idTokenClaims returns the claims of a valid Cognito ID token issued at now.
func idTokenClaims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"sub":              "5f0c1a2b-0000-4000-8000-000000000001",
		"iss":              testIssuer,
		"aud":              testAudience,
		"token_use":        "id",
		"iat":              now.Unix(),
		"auth_time":        now.Unix(),
		"exp":              now.Add(time.Hour).Unix(),
		"email":            "ana@example.com",
		"cognito:username": "5f0c1a2b-0000-4000-8000-000000000001",
		"cognito:groups":   []string{"coordinator"},
		"custom:org":       "org_abc",
	}
}

func sign(t *testing.T, k signingKey, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = k.kid
	s, err := tok.SignedString(k.priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newTestVerifier(t *testing.T, srv *jwksServer, c *clock) *Verifier {
	t.Helper()
	v, err := NewVerifier(Config{
		Issuer:     testIssuer,
		Audience:   testAudience,
		JWKSURL:    srv.URL + "/pool/.well-known/jwks.json",
		HTTPClient: srv.Client(),
		Now:        c.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVerifyAccepts(t *testing.T) {
	t.Parallel()
	key := newSigningKey(t, "k1")
	srv := newJWKSServer(t, key)
	c := newClock()
	v := newTestVerifier(t, srv, c)
	now := c.Now()

	tests := []struct {
		name   string
		mutate func(jwt.MapClaims)
		want   Principal
	}{
		{
			name:   "valid coordinator",
			mutate: func(jwt.MapClaims) {},
			want:   Principal{UserID: "5f0c1a2b-0000-4000-8000-000000000001", Email: "ana@example.com", OrgID: "org_abc", Role: RoleCoordinator},
		},
		{
			name:   "most privileged group wins, unknown groups ignored",
			mutate: func(m jwt.MapClaims) { m["cognito:groups"] = []string{"viewer", "staff", "admin"} },
			want:   Principal{UserID: "5f0c1a2b-0000-4000-8000-000000000001", Email: "ana@example.com", OrgID: "org_abc", Role: RoleAdmin},
		},
		{
			name: "email falls back to cognito:username",
			mutate: func(m jwt.MapClaims) {
				delete(m, "email")
				m["cognito:username"] = "ana@example.com"
			},
			want: Principal{UserID: "5f0c1a2b-0000-4000-8000-000000000001", Email: "ana@example.com", OrgID: "org_abc", Role: RoleCoordinator},
		},
		{
			name:   "expired within leeway",
			mutate: func(m jwt.MapClaims) { m["exp"] = now.Add(-30 * time.Second).Unix() },
			want:   Principal{UserID: "5f0c1a2b-0000-4000-8000-000000000001", Email: "ana@example.com", OrgID: "org_abc", Role: RoleCoordinator},
		},
		{
			name:   "issued slightly in the future (clock skew)",
			mutate: func(m jwt.MapClaims) { m["iat"] = now.Add(30 * time.Second).Unix() },
			want:   Principal{UserID: "5f0c1a2b-0000-4000-8000-000000000001", Email: "ana@example.com", OrgID: "org_abc", Role: RoleCoordinator},
		},
		{
			name:   "audience as a one-element list",
			mutate: func(m jwt.MapClaims) { m["aud"] = []string{testAudience} },
			want:   Principal{UserID: "5f0c1a2b-0000-4000-8000-000000000001", Email: "ana@example.com", OrgID: "org_abc", Role: RoleCoordinator},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			claims := idTokenClaims(now)
			tt.mutate(claims)
			got, err := v.Verify(context.Background(), sign(t, key, claims))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Principal{}, "ExpiresAt")); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
			if exp, _ := claims["exp"].(int64); got.ExpiresAt.Unix() != exp {
				t.Errorf("ExpiresAt %v, want the exp claim %d", got.ExpiresAt, exp)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	key := newSigningKey(t, "k1")
	other := newSigningKey(t, "k1") // same kid, different key: a forger's
	unpublished := newSigningKey(t, "k-unpublished")
	srv := newJWKSServer(t, key)
	c := newClock()
	v := newTestVerifier(t, srv, c)
	now := c.Now()

	withClaims := func(mutate func(jwt.MapClaims)) func(*testing.T) string {
		return func(t *testing.T) string {
			claims := idTokenClaims(now)
			mutate(claims)
			return sign(t, key, claims)
		}
	}
	tests := []struct {
		name  string
		token func(*testing.T) string
	}{
		{"empty", func(*testing.T) string { return "" }},
		{"garbage", func(*testing.T) string { return "not.a.jwt" }},
		{"oversized", func(*testing.T) string { return strings.Repeat("a", maxTokenBytes+1) }},
		{"wrong signature", func(t *testing.T) string { return sign(t, other, idTokenClaims(now)) }},
		{"tampered payload", func(t *testing.T) string {
			parts := strings.Split(sign(t, key, idTokenClaims(now)), ".")
			claims := idTokenClaims(now)
			claims["custom:org"] = "org_victim"
			body, _ := json.Marshal(claims)
			parts[1] = base64.RawURLEncoding.EncodeToString(body)
			return strings.Join(parts, ".")
		}},
		{"unknown kid", func(t *testing.T) string { return sign(t, unpublished, idTokenClaims(now)) }},
		{"no kid", func(t *testing.T) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, idTokenClaims(now))
			s, err := tok.SignedString(key.priv)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"alg none", func(t *testing.T) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodNone, idTokenClaims(now))
			tok.Header["kid"] = key.kid
			s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"HS256 keyed with the public key", func(t *testing.T) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, idTokenClaims(now))
			tok.Header["kid"] = key.kid
			s, err := tok.SignedString(key.priv.N.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"RS512", func(t *testing.T) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS512, idTokenClaims(now))
			tok.Header["kid"] = key.kid
			s, err := tok.SignedString(key.priv)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"expired", withClaims(func(m jwt.MapClaims) { m["exp"] = now.Add(-2 * time.Minute).Unix() })},
		{"no exp", withClaims(func(m jwt.MapClaims) { delete(m, "exp") })},
		{"not yet valid", withClaims(func(m jwt.MapClaims) { m["nbf"] = now.Add(2 * time.Minute).Unix() })},
		{"issued in the future", withClaims(func(m jwt.MapClaims) { m["iat"] = now.Add(2 * time.Minute).Unix() })},
		{"wrong issuer", withClaims(func(m jwt.MapClaims) {
			m["iss"] = "https://cognito-idp.ap-southeast-2.amazonaws.com/ap-southeast-2_OTHER"
		})},
		{"issuer with trailing slash", withClaims(func(m jwt.MapClaims) { m["iss"] = testIssuer + "/" })},
		{"no issuer", withClaims(func(m jwt.MapClaims) { delete(m, "iss") })},
		{"wrong audience", withClaims(func(m jwt.MapClaims) { m["aud"] = "client-other" })},
		{"extra audience", withClaims(func(m jwt.MapClaims) { m["aud"] = []string{testAudience, "client-other"} })},
		{"no audience", withClaims(func(m jwt.MapClaims) { delete(m, "aud") })},
		{"access token", withClaims(func(m jwt.MapClaims) { m["token_use"] = "access" })},
		{"no token_use", withClaims(func(m jwt.MapClaims) { delete(m, "token_use") })},
		{"no sub", withClaims(func(m jwt.MapClaims) { delete(m, "sub") })},
		{"missing org", withClaims(func(m jwt.MapClaims) { delete(m, "custom:org") })},
		{"empty org", withClaims(func(m jwt.MapClaims) { m["custom:org"] = " " })},
		{"no groups", withClaims(func(m jwt.MapClaims) { delete(m, "cognito:groups") })},
		{"no known group", withClaims(func(m jwt.MapClaims) { m["cognito:groups"] = []string{"Admin", "staff"} })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := v.Verify(context.Background(), tt.token(t))
			if !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("Verify = %+v, %v; want ErrUnauthenticated", p, err)
			}
			t.Log(err)
			if p != (Principal{}) {
				t.Errorf("rejected token returned principal %+v", p)
			}
		})
	}
}

func TestVerifyPicksUpRotatedKey(t *testing.T) {
	t.Parallel()
	old := newSigningKey(t, "k-old")
	rotated := newSigningKey(t, "k-new")
	srv := newJWKSServer(t, old)
	c := newClock()
	v := newTestVerifier(t, srv, c)
	ctx := context.Background()

	if _, err := v.Verify(ctx, sign(t, old, idTokenClaims(c.Now()))); err != nil {
		t.Fatalf("token under the old key: %v", err)
	}
	srv.publish(old, rotated)

	// Within a minute of the last fetch a new kid does not trigger another.
	c.Advance(30 * time.Second)
	if _, err := v.Verify(ctx, sign(t, rotated, idTokenClaims(c.Now()))); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("new kid within the refresh interval: err = %v, want ErrUnauthenticated", err)
	}
	if got := srv.fetches.Load(); got != 1 {
		t.Fatalf("JWKS fetched %d times, want 1", got)
	}

	c.Advance(31 * time.Second)
	got, err := v.Verify(ctx, sign(t, rotated, idTokenClaims(c.Now())))
	if err != nil {
		t.Fatalf("token under the rotated key: %v", err)
	}
	if got.OrgID != "org_abc" {
		t.Errorf("OrgID = %q", got.OrgID)
	}
	if _, err := v.Verify(ctx, sign(t, old, idTokenClaims(c.Now()))); err != nil {
		t.Errorf("old key still published, its token: %v", err)
	}
	if got := srv.fetches.Load(); got != 2 {
		t.Errorf("JWKS fetched %d times, want 2", got)
	}

	// Once the old key is withdrawn and the cache refreshes, its tokens fail.
	srv.publish(rotated)
	c.Advance(2 * time.Minute)
	unknown := newSigningKey(t, "k-forged")
	if _, err := v.Verify(ctx, sign(t, unknown, idTokenClaims(c.Now()))); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("unknown kid: err = %v", err)
	}
	if _, err := v.Verify(ctx, sign(t, old, idTokenClaims(c.Now()))); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("withdrawn key: err = %v, want ErrUnauthenticated", err)
	}
}

func TestVerifyUnknownKidsDoNotHammerJWKS(t *testing.T) {
	t.Parallel()
	key := newSigningKey(t, "k1")
	srv := newJWKSServer(t, key)
	c := newClock()
	v := newTestVerifier(t, srv, c)
	forged := sign(t, newSigningKey(t, "k-forged"), idTokenClaims(c.Now()))
	for range 50 {
		if _, err := v.Verify(context.Background(), forged); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("err = %v", err)
		}
	}
	if got := srv.fetches.Load(); got != 1 {
		t.Errorf("JWKS fetched %d times for 50 forged kids, want 1", got)
	}
}

func TestVerifyConcurrentColdStartFetchesOnce(t *testing.T) {
	t.Parallel()
	key := newSigningKey(t, "k1")
	srv := newJWKSServer(t, key)
	c := newClock()
	v := newTestVerifier(t, srv, c)
	token := sign(t, key, idTokenClaims(c.Now()))

	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Go(func() {
			if _, err := v.Verify(context.Background(), token); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := srv.fetches.Load(); got != 1 {
		t.Errorf("JWKS fetched %d times, want 1", got)
	}
}

func TestVerifyRecoversFromFailedFirstFetch(t *testing.T) {
	t.Parallel()
	key := newSigningKey(t, "k1")
	srv := newJWKSServer(t, key)
	srv.setFailing(true)
	c := newClock()
	v := newTestVerifier(t, srv, c)
	token := sign(t, key, idTokenClaims(c.Now()))

	if _, err := v.Verify(context.Background(), token); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("JWKS down: err = %v, want ErrUnauthenticated", err)
	}
	srv.setFailing(false)
	if _, err := v.Verify(context.Background(), token); err != nil {
		t.Fatalf("JWKS back (no keys cached yet, so no wait): %v", err)
	}
}

func TestNewVerifierValidatesConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"complete", Config{Issuer: testIssuer, Audience: testAudience}, true},
		{"separate JWKS URL", Config{Issuer: testIssuer, Audience: testAudience, JWKSURL: "http://127.0.0.1:5000/pool/.well-known/jwks.json"}, true},
		{"no issuer", Config{Audience: testAudience}, false},
		{"relative issuer", Config{Issuer: "cognito-idp/pool", Audience: testAudience}, false},
		{"issuer with trailing slash", Config{Issuer: testIssuer + "/", Audience: testAudience}, false},
		{"no audience", Config{Issuer: testIssuer}, false},
		{"bad JWKS URL", Config{Issuer: testIssuer, Audience: testAudience, JWKSURL: "ftp://keys"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := NewVerifier(tt.cfg)
			if tt.ok != (err == nil) {
				t.Fatalf("NewVerifier(%+v) err = %v, want ok = %v", tt.cfg, err, tt.ok)
			}
			if tt.ok && v == nil {
				t.Fatal("nil verifier without error")
			}
		})
	}
}

func TestVerifyDefaultsJWKSURLToIssuer(t *testing.T) {
	t.Parallel()
	v, err := NewVerifier(Config{Issuer: testIssuer, Audience: testAudience})
	if err != nil {
		t.Fatal(err)
	}
	if want := testIssuer + "/.well-known/jwks.json"; v.keys.url != want {
		t.Errorf("JWKS URL = %q, want %q", v.keys.url, want)
	}
}
