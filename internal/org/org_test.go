package org

import (
	"testing"
	"time"

	"github.com/carebill/carebill/internal/validation"
)

func TestDefaultsAreValid(t *testing.T) {
	t.Parallel()
	o, err := New("org_1", Defaults("Bright Care"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if o.Location().String() != "Australia/Sydney" {
		t.Fatalf("location %s", o.Location())
	}
}

func TestABN(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"51 824 753 556": true, "51824753556": true, "53004085616": true,
		"51824753557": false, "5182475355": false, "5182475355a": false,
	} {
		if ValidABN(s) != want {
			t.Errorf("ValidABN(%q) = %v", s, !want)
		}
	}
}

func TestSettingsValidation(t *testing.T) {
	t.Parallel()
	cases := map[string]func(*Settings){
		"colour":        func(s *Settings) { s.Colour = "blue" },
		"numberPrefix":  func(s *Settings) { s.NumberPrefix = "INV 2026 with spaces" },
		"timezone":      func(s *Settings) { s.Timezone = "Mars/Olympus" },
		"taxId":         func(s *Settings) { s.TaxID = "12345678901" },
		"logoUrl":       func(s *Settings) { s.LogoURL = "http://example.com/logo.png" },
		"lockingPolicy": func(s *Settings) { s.LockingPolicy = "sometimes" },
		"name":          func(s *Settings) { s.Name = "" },
	}
	for field, mod := range cases {
		s := Defaults("A")
		mod(&s)
		v, ok := validation.As(s.Validate())
		if !ok || v.Field != field {
			t.Errorf("%s: got %v", field, v)
		}
	}
}
