// Package dynamo stores carebill in DynamoDB. It is the one place that
// knows the key design (ACCESS_PATTERNS.md beside this file): every key
// starts with the org, so no query can cross tenants; lists are Queries with
// cursors, never Scans; every state change is a write conditioned on the
// item's version; finalization numbers an invoice inside one
// TransactWriteItems together with the org's counter.
package dynamo

import "strings"

// Attribute names of the keys.
const (
	attrPK     = "PK"
	attrSK     = "SK"
	attrGSI1PK = "GSI1PK"
	attrGSI1SK = "GSI1SK"
	attrGSI2PK = "GSI2PK"
	attrGSI2SK = "GSI2SK"
	attrGSI3PK = "GSI3PK"
	attrGSI3SK = "GSI3SK"
	indexGSI1  = "GSI1"
	indexGSI2  = "GSI2"
	indexGSI3  = "GSI3"
)

func orgPK(org string) string           { return "ORG#" + org }
func profileSK() string                 { return "PROFILE" }
func seqSK(series string) string        { return "SEQ#" + series }
func clientSK(id string) string         { return "CLIENT#" + id }
func invoiceSK(id string) string        { return "INV#" + id }
func clientsByNamePK(org string) string { return "ORG#" + org + "#CLIENTS" }
func clientInvoicesPK(org, cli string) string {
	return "ORG#" + org + "#CLIENT#" + cli + "#INV"
}
func invoicesByStatusPK(org, status string) string {
	return "ORG#" + org + "#STATUS#" + status
}

// noDueDate sorts drafts without a due date after every real date.
const noDueDate = "9999-12-31"

// searchText is what list filters match against: lower-cased and with
// runs of spaces collapsed, so "zoë  müller" finds "Zoë Müller-Ng".
func searchText(parts ...string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.Join(parts, " "))), " ")
}

// externalNumberSK holds a synced invoice's accounting-system number once
// per org (upper-cased: "inv-7" and "INV-7" are the same number).
func externalNumberSK(number string) string { return "EXTNUM#" + strings.ToUpper(number) }

// ndisWorkPK is an org's NDIS work index: a copy of each participant's
// client facts, plan, tasks and billable sessions, and each run invoice's
// claims, written in the same transaction as the item it copies
// (ndiswork.go), so starting a run reads one partition.
func ndisWorkPK(org string) string { return "ORG#" + org + "#NDISWORK" }

// ndisWorkSK sorts a participant's index items together: kind is CLIENT,
// PLAN, TASK, SES or CLAIM, id the task, session or invoice.
func ndisWorkSK(cli, kind, id string) string { return "C#" + cli + "#" + kind + "#" + id }

// ndisWorkReadySK marks an org's index as complete (the org was created
// with it, or the backfill built it); it sorts before every client.
func ndisWorkReadySK() string { return "#READY" }
