package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/chromedp/chromedp"

	"github.com/carebill/carebill/internal/teststack"
)

// invite has the signed-in admin invite a member with role and sets
// Cognito's temporary password for them (through the admin API, as moto
// sends no email); it returns their email.
func (b *browser) invite(st *teststack.Stack, role string) string {
	b.t.Helper()
	email := fmt.Sprintf("%s%d@example.com", role, accounts.Add(1))
	b.call(201, "POST", "/v1/users", fmt.Sprintf(`{email: %s, role: %s}`, js(email), js(role)))
	env := st.Env(b.t, "InvoicingFunction")
	if _, err := cip.NewFromConfig(st.AWS).AdminSetUserPassword(context.Background(), &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(env("USER_POOL_ID")), Username: aws.String(email), Password: aws.String("Temporary-Pass-1"), Permanent: false,
	}); err != nil {
		b.t.Fatalf("set temporary password: %v", err)
	}
	return email
}

// signInInvited signs the page out and in again as the invited member,
// exchanging the temporary password for their own.
func (b *browser) signInInvited(email string) {
	b.t.Helper()
	b.call(204, "POST", "/auth/logout", "")
	b.call(200, "POST", "/auth/login", fmt.Sprintf(`{email: %s, password: 'Temporary-Pass-1', newPassword: 'Member-Own-Pass-9'}`, js(email)))
}

// TestInvoiceActionsFollowTheRole: the invoice page offers an invited
// coordinator Lock but never Void or Unlock (before, the page offered
// Unlock and the dialog showed the API's 403), and a viewer nothing but
// the PDF; at 375 px.
func TestInvoiceActionsFollowTheRole(t *testing.T) {
	t.Parallel()
	base, st := newSiteOn(t)
	b := newBrowser(t, base)
	b.signup("Roles Care")
	cid := b.call(201, "POST", "/v1/clients", `{name: 'Noah Kim'}`)["id"].(string)
	iid := b.finalizedInvoice(cid, "80.00")
	locked := b.finalizedInvoice(cid, "90.00")
	b.call(200, "POST", "/v1/invoices/"+locked+"/lock", `{reason: 'Sent to the plan manager'}`)

	coordinator, viewer := b.invite(st, "coordinator"), b.invite(st, "viewer")
	b.signInInvited(coordinator)
	b.Do("phone width", chromedp.EmulateViewport(375, 800))
	b.open("/app/invoices/" + iid)
	b.waitFor("the Lock action", `!document.querySelector('[data-action="lock"]').hidden`)
	if got := b.visibleActions(); got != "send record-payment credit-note paylink pdf lock" {
		b.fail("coordinator's actions on an open invoice: %q", got)
	}
	b.click(`[data-action="lock"]`)
	b.waitFor("the lock dialog", `document.querySelector('[data-lock-dialog]').open`)
	b.fill("[data-lock-form] [name=reason]", "Month end")
	b.click("[data-lock-submit]")
	b.waitText("[data-toast]", "Invoice locked.")
	b.waitFor("the Locked chip", `!!document.querySelector('[data-status-chip] .chip-locked')`)
	if got := b.visibleActions(); got != "send record-payment credit-note paylink pdf" {
		b.fail("coordinator's actions once locked: %q (no Unlock: it is an admin's)", got)
	}
	b.open("/app/invoices/" + locked)
	b.waitFor("the Locked chip", `!!document.querySelector('[data-status-chip] .chip-locked')`)
	if got := b.visibleActions(); strings.Contains(got, "unlock") || strings.Contains(got, "void") {
		b.fail("coordinator's actions on an invoice an admin locked: %q", got)
	}

	b.signInInvited(viewer)
	b.open("/app/invoices/" + locked)
	b.waitFor("the Locked chip", `!!document.querySelector('[data-status-chip] .chip-locked')`)
	if got := b.visibleActions(); got != "pdf" {
		b.fail("viewer's actions: %q", got)
	}
}
