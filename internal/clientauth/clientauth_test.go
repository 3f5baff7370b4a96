package clientauth

import (
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/client"
)

func TestSecrets(t *testing.T) {
	t.Parallel()
	secret, hash := NewSecret()
	if got, ok := Hash(secret); !ok || got != hash || strings.Contains(hash, secret) {
		t.Fatalf("Hash(%q) = %q %v, want %q", secret, got, ok, hash)
	}
	if other, _ := NewSecret(); other == secret {
		t.Fatal("two secrets are the same")
	}
	for _, bad := range []string{"", secret[:42], secret + "A", strings.Repeat("!", 43), strings.Repeat("A", 42) + "="} {
		if _, ok := Hash(bad); ok {
			t.Errorf("Hash(%q) accepted", bad)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{" Zoe@Example.COM ": "zoe@example.com", "a.b+c@x.co": "a.b+c@x.co"} {
		if got, err := NormalizeEmail(in); err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "zoe", "zoe@localhost", "Zoë <zoe@example.com>", "a@b.co, c@d.co", strings.Repeat("a", 250) + "@x.co"} {
		if _, err := NormalizeEmail(bad); err != ErrBadEmail {
			t.Errorf("NormalizeEmail(%q) = %v", bad, err)
		}
	}
}

func TestHolds(t *testing.T) {
	t.Parallel()
	c := &client.Client{Profile: client.Profile{
		Contacts: []client.Contact{{Email: "Zoe@Example.com"}, {Name: "no email"}},
		Funding:  client.Funding{Type: client.PlanManaged, PlanManager: &client.PlanManager{Email: "claims@plan.example"}},
	}}
	for email, want := range map[string]bool{
		"zoe@example.com": true, "claims@plan.example": true,
		"oe@example.com": false, "zoe@example.com.au": false, "": false,
	} {
		if got := Holds(c, email); got != want {
			t.Errorf("Holds(%q) = %v", email, got)
		}
	}
}
