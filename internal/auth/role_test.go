package auth

import "testing"

func TestRoleAtLeast(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r, other Role
		want     bool
	}{
		{RoleAdmin, RoleAdmin, true},
		{RoleAdmin, RoleCoordinator, true},
		{RoleAdmin, RoleViewer, true},
		{RoleCoordinator, RoleAdmin, false},
		{RoleCoordinator, RoleCoordinator, true},
		{RoleCoordinator, RoleViewer, true},
		{RoleViewer, RoleAdmin, false},
		{RoleViewer, RoleCoordinator, false},
		{RoleViewer, RoleViewer, true},
		{Role("owner"), RoleViewer, false},
		{Role(""), RoleViewer, false},
		{RoleAdmin, Role("Admin"), false},
		{Role(""), Role(""), false},
	}
	for _, tt := range tests {
		t.Run(string(tt.r)+">="+string(tt.other), func(t *testing.T) {
			t.Parallel()
			if got := tt.r.AtLeast(tt.other); got != tt.want {
				t.Errorf("%q.AtLeast(%q) = %v, want %v", tt.r, tt.other, got, tt.want)
			}
		})
	}
}

func TestHighestRole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		groups []string
		want   Role
		ok     bool
	}{
		{"none", nil, "", false},
		{"unknown only", []string{"staff", "Admin"}, "", false},
		{"single", []string{"viewer"}, RoleViewer, true},
		{"most privileged wins", []string{"viewer", "admin", "coordinator"}, RoleAdmin, true},
		{"unknown ignored", []string{"billing", "coordinator"}, RoleCoordinator, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := highestRole(tt.groups)
			if got != tt.want || ok != tt.ok {
				t.Errorf("highestRole(%q) = %q, %v; want %q, %v", tt.groups, got, ok, tt.want, tt.ok)
			}
		})
	}
}
