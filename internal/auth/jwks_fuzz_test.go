package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"testing"
)

// FuzzParseJWKS: the JWKS is fetched over the network, so its bytes are
// not trusted. parseJWKS never panics, and every key it keeps is an RSA
// key of at least minRSABits bits with an odd public exponent ≥ 3.
func FuzzParseJWKS(f *testing.F) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	n := base64.RawURLEncoding.EncodeToString(key.N.Bytes())
	e := base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes())
	set, _ := json.Marshal(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": n, "e": e}}})
	for _, s := range []string{string(set), `{"keys":[]}`, `{"keys":[{"kty":"RSA","kid":"k","n":"AQAB","e":"AQAB"}]}`,
		`{"keys":[{"kty":"EC","kid":"k"}]}`, `{"keys":[{"kty":"RSA","kid":"k","n":"` + n + `","e":"AA"}]}`, `null`, `[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		keys, err := parseJWKS(body)
		if err != nil {
			return
		}
		if len(keys) == 0 {
			t.Fatalf("parseJWKS(%q) accepted a set with no keys", body)
		}
		for kid, k := range keys {
			if kid == "" || k.N.BitLen() < minRSABits || k.E < 3 || k.E%2 == 0 {
				t.Fatalf("parseJWKS(%q) kept key %q: %d bits, exponent %d", body, kid, k.N.BitLen(), k.E)
			}
		}
	})
}
