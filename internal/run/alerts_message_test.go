package run

import "testing"

// TestAlertsErrorCountsInWords: the refusal's counts take the noun and
// verb in their number (a new user read "2 alerts on 1 participants").
func TestAlertsErrorCountsInWords(t *testing.T) {
	one := Blocked{ClientID: "cli_1", Alerts: []TaskAlert{{}}}
	two := Blocked{ClientID: "cli_2", Alerts: []TaskAlert{{}, {}}}
	for _, c := range []struct {
		clients []Blocked
		want    string
	}{
		{[]Blocked{one}, "1 alert on 1 participant blocks invoicing: fix it or exclude that participant"},
		{[]Blocked{two}, "2 alerts on 1 participant block invoicing: fix them or exclude that participant"},
		{[]Blocked{one, two}, "3 alerts on 2 participants block invoicing: fix them or exclude those participants"},
	} {
		if got := (&AlertsError{Clients: c.clients}).Error(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}
