package auth

// Action is something a member may or may not do, checked by use cases
// against the role matrix below: the one place that decides who may do
// what. README's "Roles" table is this matrix in words.
type Action string

// The actions the role matrix knows.
const (
	// View reads anything in the org: clients, invoices, payments,
	// documents, activity, settings.
	View Action = "view"
	// Bill keeps clients and drafts, finalizes, sends, locks, records
	// payments, issues credit notes, applies credit and issues pay links.
	Bill Action = "bill"
	// Void voids a finalized invoice.
	Void Action = "void"
	// Unlock unlocks a locked invoice.
	Unlock Action = "unlock"
	// Refund returns money to a client.
	Refund Action = "refund"
	// Reverse reverses a recorded payment.
	Reverse Action = "reverse"
	// ChangeSettings changes the org's settings (branding, numbering,
	// tax, fees, locking policy).
	ChangeSettings Action = "change_settings"
	// Export downloads bulk exports (accounting CSV, NDIA bulk upload).
	Export Action = "export"
	// ManageUsers invites members, changes their roles and removes them.
	ManageUsers Action = "manage_users"
)

// matrix is the least role each action needs. Voiding, unlocking,
// refunding, reversing, settings, exports and members are admins' only;
// the billing template's "only admins may void" is the source of that rule.
var matrix = map[Action]Role{
	View:           RoleViewer,
	Bill:           RoleCoordinator,
	Void:           RoleAdmin,
	Unlock:         RoleAdmin,
	Refund:         RoleAdmin,
	Reverse:        RoleAdmin,
	ChangeSettings: RoleAdmin,
	Export:         RoleAdmin,
	ManageUsers:    RoleAdmin,
}

// May reports whether role r may take action a. It fails closed: an
// unknown role or an action missing from the matrix is refused.
func (r Role) May(a Action) bool {
	need, ok := matrix[a]
	return ok && r.AtLeast(need)
}
