package web_test

import (
	"testing"
)

// TestTasksPickerListsOnlyParticipants is the trial's finding 11: the
// tasks page's participant picker lists the org's NDIS participants (an
// NDIS number, or plan- or NDIA-managed funding) and leaves out private
// clients, who have no NDIS plan to log tasks against.
func TestTasksPickerListsOnlyParticipants(t *testing.T) {
	t.Parallel()
	b := newBrowser(t, newSite(t))
	b.signup("Picker Coordination")
	contacts := func(name string) []map[string]any {
		return []map[string]any{{"name": name, "email": "picker@example.com"}}
	}
	b.call(201, "POST", "/v1/clients", literal(map[string]any{"name": "Sam Selfmanaged", "contacts": contacts("Sam"),
		"funding": map[string]any{"type": "self_managed", "ndisNumber": "430000004"}}))
	b.call(201, "POST", "/v1/clients", literal(map[string]any{"name": "Pat Planmanaged", "contacts": contacts("Pat"),
		"funding": map[string]any{"type": "plan_managed", "planManager": map[string]any{"name": "Plan Partners", "email": "pm@example.com"}}}))
	b.call(201, "POST", "/v1/clients", literal(map[string]any{"name": "Pia Private", "contacts": contacts("Pia")}))

	b.open("/app/tasks")
	b.waitFor("the picker filled", `document.querySelectorAll('[data-participant] option').length > 1`)
	got := b.text("[data-participant]")
	want := "Choose a participantPat PlanmanagedSam Selfmanaged"
	if got != want {
		t.Fatalf("the picker lists %q, want %q (participants only)", got, want)
	}
}
