package auth

// Role is what a member may do within their org. Roles are ordered:
// admin > coordinator > viewer.
type Role string

// The known roles. They are also the names of the Cognito groups that grant them.
const (
	RoleAdmin       Role = "admin"
	RoleCoordinator Role = "coordinator"
	RoleViewer      Role = "viewer"
)

// rank orders the known roles; unknown roles rank 0.
func (r Role) rank() int {
	switch r {
	case RoleAdmin:
		return 3
	case RoleCoordinator:
		return 2
	case RoleViewer:
		return 1
	default:
		return 0
	}
}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// AtLeast reports whether r grants everything other grants. It fails closed:
// if either role is unknown (a typo in a requirement included) the answer is false.
func (r Role) AtLeast(other Role) bool {
	return r.Valid() && other.Valid() && r.rank() >= other.rank()
}

// highestRole picks the most privileged known role among Cognito groups,
// ignoring groups that are not roles. ok is false when none is a role.
func highestRole(groups []string) (role Role, ok bool) {
	for _, g := range groups {
		if c := Role(g); c.Valid() && c.rank() > role.rank() {
			role = c
		}
	}
	return role, role.Valid()
}
