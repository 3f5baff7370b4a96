// Package activity is the append-only log of what happened to invoices and
// clients: created, finalized, sent, delivered, viewed, voided, paid. Events
// are written in the same transaction as the change they record, so the log
// never misses or invents one.
package activity

import (
	"strings"
	"time"
)

// Kind is what happened.
type Kind string

// Kinds of event.
const (
	Created          Kind = "created"
	Finalized        Kind = "finalized"
	Sent             Kind = "sent"
	Delivered        Kind = "delivered"
	Failed           Kind = "failed"
	Viewed           Kind = "viewed"
	Voided           Kind = "voided"
	Locked           Kind = "locked"
	Unlocked         Kind = "unlocked"
	PaymentRecorded  Kind = "payment_recorded"
	CreditNote       Kind = "credit_note"
	CreditApplied    Kind = "credit_applied"
	CreditReturned   Kind = "credit_returned"
	CreditNoteVoid   Kind = "credit_note_voided"
	PaymentReversed  Kind = "payment_reversed"
	PaymentRefunded  Kind = "payment_refunded"
	ClientCreated    Kind = "client_created"
	ClientUpdated    Kind = "client_updated"
	StatementIssued  Kind = "statement_issued"
	Reissued         Kind = "reissued"
	StatementDeleted Kind = "statement_deleted"
	Disputed         Kind = "disputed"
	DisputeClosed    Kind = "dispute_closed"
	// A payment's receipt queued for email, delivered, or given up on;
	// Number is the receipt number.
	ReceiptSent      Kind = "receipt_sent"
	ReceiptDelivered Kind = "receipt_delivered"
	ReceiptFailed    Kind = "receipt_failed"
	// A card payment in a currency the client does not bill in, parked
	// for an admin to resolve, and its resolution.
	CardParked   Kind = "card_payment_parked"
	CardResolved Kind = "card_payment_resolved"

	// A statement's send and its deliveries: Detail names the statement.
	StatementSent      Kind = "statement_sent"
	StatementDelivered Kind = "statement_delivered"
	StatementFailed    Kind = "statement_failed"
)

// Event is one entry. Subject fields say what it is about; Number and
// ClientName are copied in so the feed reads well without joins.
type Event struct {
	ID         string
	OrgID      string
	Kind       Kind
	InvoiceID  string
	Number     string
	ClientID   string
	ClientName string
	Actor      string // who: a user's email, "client", or "system"
	Channel    string // email, sms — for sent, delivered, failed
	Recipient  string
	Detail     string // a reason, an amount, an error
	At         time.Time
}

// Summary is a one-line description for people.
func (e Event) Summary() string {
	subject := "Invoice"
	if e.Number != "" {
		subject = "Invoice " + e.Number
	}
	on := strings.ToLower(subject[:1]) + subject[1:]
	by := channelWords(e.Channel)
	var s string
	switch e.Kind {
	case Created:
		s = "Draft invoice created"
	case Finalized:
		s = subject + " finalized"
	case Sent:
		s = subject + " sent by " + by + " to " + e.Recipient
	case Delivered:
		s = subject + " delivered by " + by + " to " + e.Recipient
	case Failed:
		s = subject + " could not be delivered by " + by + " to " + e.Recipient
	case Viewed:
		s = subject + " viewed by the client"
	case Voided:
		s = subject + " voided"
	case Locked:
		s = subject + " locked"
	case Unlocked:
		s = subject + " unlocked"
	case PaymentRecorded:
		s = "Payment recorded against " + strings.ToLower(subject[:1]) + subject[1:]
	case CreditNote:
		s = "Credit note issued against " + strings.ToLower(subject[:1]) + subject[1:]
	case CreditApplied:
		s = "Client credit applied to " + strings.ToLower(subject[:1]) + subject[1:]
	case CreditReturned:
		s = "Client credit un-applied from " + strings.ToLower(subject[:1]) + subject[1:]
	case CreditNoteVoid:
		s = "Credit note voided on " + strings.ToLower(subject[:1]) + subject[1:]
	case PaymentReversed:
		s = "Payment reversed"
		if e.Number != "" {
			s = "Payment on " + on + " reversed"
		}
	case PaymentRefunded:
		s = "Payment refunded"
		if e.Number != "" {
			s = "Payment on " + on + " refunded"
		}
	case ClientCreated:
		s = "Client " + e.ClientName + " added"
	case ClientUpdated:
		s = "Client " + e.ClientName + " updated"
	case Reissued:
		s = subject + " voided and re-issued"
	case StatementIssued:
		s = "Statement issued to " + e.ClientName
	case Disputed:
		s = "Card payment on " + strings.ToLower(subject[:1]) + subject[1:] + " disputed"
	case DisputeClosed:
		s = "Card dispute on " + strings.ToLower(subject[:1]) + subject[1:] + " closed"
	case ReceiptSent:
		s = "Receipt " + e.Number + " emailed to " + e.Recipient
	case ReceiptDelivered:
		s = "Receipt " + e.Number + " delivered by email to " + e.Recipient
	case ReceiptFailed:
		s = "Receipt " + e.Number + " could not be delivered by email to " + e.Recipient
	case CardParked:
		s = "Card payment parked for review"
	case CardResolved:
		s = "Parked card payment resolved"
	case StatementDeleted:
		s = "Statement of " + e.ClientName + " deleted, its cycle reopened for the client"
	case StatementSent:
		s = "Statement of " + e.ClientName + " sent by " + e.Channel + " to " + e.Recipient
	case StatementDelivered:
		s = "Statement of " + e.ClientName + " delivered by " + e.Channel + " to " + e.Recipient
	case StatementFailed:
		s = "Statement of " + e.ClientName + " could not be delivered by " + e.Channel + " to " + e.Recipient
	default:
		// A kind without its own words still reads as words.
		k := strings.ReplaceAll(string(e.Kind), "_", " ")
		if k == "" {
			k = "activity"
		}
		s = strings.ToUpper(k[:1]) + k[1:]
		if e.Number != "" {
			s += " on " + on
		}
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// SearchText is what a feed search matches: the summary, the kind, the
// client's name, and the word "invoice(s)" for invoice events.
func (e Event) SearchText() string {
	parts := []string{e.Summary(), string(e.Kind), e.ClientName, e.Actor}
	if e.InvoiceID != "" {
		parts = append(parts, "invoice invoices")
	}
	return strings.Join(parts, " ")
}

// Filter narrows an activity list to one invoice or one client, or
// searches the org's whole feed.
type Filter struct {
	InvoiceID string
	ClientID  string
	Search    string
	Limit     int
	Cursor    string
}

// channelWords names a delivery channel as people say it.
func channelWords(ch string) string {
	if ch == "sms" {
		return "text message"
	}
	return ch
}
