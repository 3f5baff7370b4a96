package paylink

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNewAndParse(t *testing.T) {
	t.Parallel()
	link, token := New("org_01abc", "inv_1", time.Now())
	org, h, err := Parse(token)
	if err != nil || org != "org_01abc" || h != link.Hash || strings.Contains(link.Hash, token[len("org_01abc."):]) {
		t.Fatalf("Parse(%q) = %s %s %v; link %+v", token, org, h, err, link)
	}
	_, other := New("org_01abc", "inv_1", time.Now())
	if other == token {
		t.Fatal("two links share a token")
	}
	for _, bad := range []string{"", "org_01abc", "org_01abc.", token + "x", token[:len(token)-1],
		"inv_1." + token[len("org_01abc."):], "ORG_01ABC." + token[len("org_01abc."):], "org_01abc." + strings.Repeat("!", 43)} {
		if _, _, err := Parse(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) = %v", bad, err)
		}
	}
	if got := URL("https://pay.example.com/", token); got != "https://pay.example.com/pay/"+token {
		t.Fatalf("URL = %s", got)
	}
}
