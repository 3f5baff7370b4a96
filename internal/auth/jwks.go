package auth

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"
)

const (
	// minRefreshInterval bounds how often an unknown kid can trigger a JWKS
	// fetch, so a stream of forged kids cannot turn into a stream of requests
	// to the key endpoint.
	minRefreshInterval = time.Minute
	// maxJWKSBytes caps the JWKS response body; Cognito's is well under 2 KiB.
	maxJWKSBytes = 1 << 20
	// minRSABits rejects keys too small to trust; Cognito uses 2048-bit keys.
	minRSABits = 2048
)

// errUnknownKID means the token names a key the issuer does not publish.
var errUnknownKID = errors.New("unknown kid")

// keySet is a lazily fetched, cached JWKS. Known kids are served from memory;
// an unknown kid triggers a refetch, at most once per minRefreshInterval once
// keys have loaded. Until the first successful fetch every lookup may try
// again, so a failed cold-start fetch does not lock callers out for a minute.
// Safe for concurrent use.
type keySet struct {
	url    string
	client *http.Client
	now    func() time.Time

	mu   sync.RWMutex
	keys map[string]*rsa.PublicKey // nil until the first successful fetch

	fetchMu   sync.Mutex // serializes fetches; guards lastFetch
	lastFetch time.Time  // last attempt, successful or not
}

func newKeySet(url string, client *http.Client, now func() time.Time) *keySet {
	return &keySet{url: url, client: client, now: now}
}

func (s *keySet) cached(kid string) (key *rsa.PublicKey, loaded bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.keys[kid], s.keys != nil
}

// key returns the public key for kid, fetching the JWKS when kid is unknown
// and the refresh budget allows.
func (s *keySet) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	if k, _ := s.cached(kid); k != nil {
		return k, nil
	}
	s.fetchMu.Lock()
	defer s.fetchMu.Unlock()
	// Another caller may have refreshed while this one waited.
	k, loaded := s.cached(kid)
	if k != nil {
		return k, nil
	}
	if loaded && s.now().Sub(s.lastFetch) < minRefreshInterval {
		return nil, fmt.Errorf("%w %q (JWKS refreshed less than %s ago)", errUnknownKID, kid, minRefreshInterval)
	}
	s.lastFetch = s.now()
	keys, err := s.fetch(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.keys = keys
	s.mu.Unlock()
	if k := keys[kid]; k != nil {
		return k, nil
	}
	return nil, fmt.Errorf("%w %q", errUnknownKID, kid)
}

// jwk is the subset of RFC 7517 fields an RSA signing key needs.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
}

func (s *keySet) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch JWKS %s: status %d", s.url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read JWKS: %w", err)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("read JWKS: larger than %d bytes", maxJWKSBytes)
	}
	return parseJWKS(body)
}

// parseJWKS keeps the RSA signing keys usable with RS256 and skips the rest,
// so a set that also publishes other key types still works.
func parseJWKS(body []byte) (map[string]*rsa.PublicKey, error) {
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("parse JWKS: %w", err)
	}
	keys := make(map[string]*rsa.PublicKey, len(set.Keys))
	for _, k := range set.Keys {
		if k.Kty != "RSA" || k.Kid == "" || (k.Use != "" && k.Use != "sig") || (k.Alg != "" && k.Alg != "RS256") {
			continue
		}
		pub, err := k.rsaKey()
		if err != nil {
			return nil, fmt.Errorf("parse JWKS key %q: %w", k.Kid, err)
		}
		keys[k.Kid] = pub
	}
	if len(keys) == 0 {
		return nil, errors.New("parse JWKS: no RS256 signing keys")
	}
	return keys, nil
}

func (k jwk) rsaKey() (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(k.N)
	if err != nil {
		return nil, fmt.Errorf("modulus: %w", err)
	}
	eb, err := base64.RawURLEncoding.DecodeString(k.E)
	if err != nil {
		return nil, fmt.Errorf("exponent: %w", err)
	}
	n := new(big.Int).SetBytes(nb)
	if n.BitLen() < minRSABits {
		return nil, fmt.Errorf("modulus of %d bits, want at least %d", n.BitLen(), minRSABits)
	}
	if len(eb) == 0 || len(eb) > 4 {
		return nil, fmt.Errorf("exponent of %d bytes", len(eb))
	}
	e := new(big.Int).SetBytes(eb)
	if e.Int64() < 3 || e.Bit(0) == 0 {
		return nil, fmt.Errorf("exponent %s is not an odd number ≥ 3", e)
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}
