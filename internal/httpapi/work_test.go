package httpapi_test

import "testing"

// TestBillableWork runs the billable-work journeys (exports, tax rounding,
// sessions, cases, NDIS tasks) over one stack in moto, one after another:
// each signs up its own orgs, so they share nothing but the server, and
// moto (one request at a time) is not asked to provision a stack each.
func TestBillableWork(t *testing.T) {
	t.Parallel()
	shared := newAPI(t)
	for _, c := range []struct {
		name string
		run  func(*testing.T, *api)
	}{
		{"ExportsFollowTaxRoundingAndFormats", testExportsFollowTaxRoundingAndFormats},
		{"ExportZipWhenOverTheLimit", testExportZipWhenOverTheLimit},
		{"ExportBadInput", testExportBadInput},
		{"AttendanceInvoicesOnce", testAttendanceInvoicesOnce},
		{"AutoInvoiceSettings", testAutoInvoiceSettings},
		{"SessionBadInputChangesNothing", testSessionBadInputChangesNothing},
		{"AttendanceAddsToPeriodDraft", testAttendanceAddsToPeriodDraft},
		{"CaseJourney", testCaseJourney},
		{"CaseUninvoiceKeepsPaidInvoices", testCaseUninvoiceKeepsPaidInvoices},
		{"CaseBadInputChangesNothing", testCaseBadInputChangesNothing},
		{"StandaloneInvoicesOff", testStandaloneInvoicesOff},
		{"CoordinatorTasksAndAlerts", testCoordinatorTasksAndAlerts},
		{"TaskBadInputChangesNothing", testTaskBadInputChangesNothing},
		{"DashboardPaidThisPeriod", testDashboardPaidThisPeriod},
		{"SpecialInvoiceKinds", testSpecialInvoiceKinds},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, &api{t: t, srv: shared.srv}) })
	}
}
