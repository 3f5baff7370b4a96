// Package delivery is one sending of an invoice to one recipient over one
// channel, email or SMS: who it goes to, what it says, and where it is in
// its life. A send stores its deliveries queued; the notifier claims one
// (queued → sending, under a lease), sends it, and marks it sent, or puts
// it back to queued with the error for the queue to retry, until the last
// try marks it failed. Sent and failed are final.
package delivery

import (
	"errors"
	"mime"
	"strings"
	"time"
	"unicode"

	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/validation"
)

// Channel is how an invoice reaches its recipient.
type Channel string

// Channels.
const (
	Email Channel = "email"
	SMS   Channel = "sms"
)

// Kind is what a delivery carries: an invoice (the zero value) or a
// payment's receipt.
type Kind string

// Kinds.
const (
	InvoiceKind Kind = ""
	ReceiptKind Kind = "receipt"
)

// Status is where a delivery is in its life.
type Status string

// Statuses.
const (
	Queued  Status = "queued"
	Sending Status = "sending"
	Sent    Status = "sent"
	Failed  Status = "failed"
)

// Expected outcomes callers act on.
var (
	ErrNotFound = errors.New("delivery not found")
	ErrConflict = errors.New("delivery was changed by another sender")
	// ErrExists: a delivery with the id given is stored already (sends
	// whose ids are made from what they send, such as a close's).
	ErrExists = errors.New("a delivery with this id exists")
	// ErrLeased is returned when another worker holds the delivery's lease.
	ErrLeased = errors.New("delivery is being sent by another worker")
	// ErrNDIAManaged refuses sending an NDIA-managed participant's invoice:
	// the NDIA pays it through the bulk payment request file.
	ErrNDIAManaged = errors.New("invoices for NDIA-managed participants are not sent: they are claimed through the NDIA bulk upload file")
	ErrNoEmail     = errors.New("the client's billing contact has no email address; add one, or give email.to")
	ErrNoPhone     = errors.New("the client's billing contact has no phone number to text")
)

// Limits on what a coordinator may write into an email.
const (
	MaxSubject = 200
	MaxBody    = 5000
)

// Delivery is one invoice going to one recipient over one channel. Number,
// ClientID and ClientName are copied from the invoice so the activity it
// records reads well even if the invoice cannot be read at send time.
type Delivery struct {
	ID    string
	OrgID string
	// Kind is InvoiceKind or ReceiptKind; a receipt names its PaymentID
	// and carries the receipt number in Number, and no InvoiceID.
	Kind       Kind
	PaymentID  string
	InvoiceID  string
	Number     string
	ClientID   string
	ClientName string
	Channel    Channel
	Recipient  string // an email address or an E.164 phone number
	ReplyTo    string // email only; "" for none
	Subject    string // email only
	Body       string // the coordinator's own message; "" for the default
	// Step is the reminder step ("d+7") when the schedule sent it rather
	// than a person; "" for a send or resend.
	Step       string
	PayLinkURL string // holds the link's secret: cleared once the delivery is final
	Status     Status
	Attempts   int    // sends tried
	LastError  string // why the last try failed, in words for the coordinator
	ProviderID string // the SES or SNS message id once sent
	LeaseUntil time.Time
	Version    int64 // bumped by every stored change; guards concurrent workers
	CreatedAt  time.Time
	UpdatedAt  time.Time
	SentAt     time.Time

	// StatementID is set when the delivery sends a statement rather than
	// an invoice (InvoiceID and Number are then empty): its PDF attached
	// and a pay-all link for everything the client has open.
	StatementID string
}

// Final reports whether nothing more will happen to the delivery.
func (d *Delivery) Final() bool { return d.Status == Sent || d.Status == Failed }

// Claim takes the delivery for one send attempt: a queued delivery, or one
// whose previous sender's lease ran out (it crashed or timed out), becomes
// sending under a new lease. The lease must outlast one attempt and expire
// before the queue shows the message again.
func (d *Delivery) Claim(now time.Time, lease time.Duration) error {
	switch {
	case d.Final():
		return ErrConflict
	case d.Status == Sending && now.Before(d.LeaseUntil):
		return ErrLeased
	}
	d.Status, d.Attempts = Sending, d.Attempts+1
	d.LeaseUntil, d.UpdatedAt = now.Add(lease), now
	return nil
}

// MarkSent records a successful send.
func (d *Delivery) MarkSent(providerID string, now time.Time) {
	d.Status, d.ProviderID, d.LastError = Sent, providerID, ""
	d.SentAt, d.UpdatedAt, d.LeaseUntil = now, now, time.Time{}
	d.PayLinkURL = ""
}

// Retry records a failed attempt and queues the delivery again.
func (d *Delivery) Retry(reason string, now time.Time) {
	d.Status, d.LastError = Queued, clip(reason)
	d.UpdatedAt, d.LeaseUntil = now, time.Time{}
}

// Fail gives up on the delivery after its last attempt.
func (d *Delivery) Fail(reason string, now time.Time) {
	d.Status, d.LastError = Failed, clip(reason)
	d.UpdatedAt, d.LeaseUntil = now, time.Time{}
	d.PayLinkURL = ""
}

func clip(s string) string {
	if r := []rune(s); len(r) > 500 {
		return string(r[:500])
	}
	return s
}

// EmailOptions are what a coordinator may set on an emailed invoice; empty
// fields take the defaults (the client's address, the org's email, the
// standard subject and message).
type EmailOptions struct {
	To      string
	ReplyTo string
	Subject string
	Body    string
}

// Validate checks the options as a coordinator typed them.
func (o EmailOptions) Validate() error {
	if o.To != "" {
		if err := validation.Email("email.to", o.To); err != nil {
			return err
		}
	}
	if o.ReplyTo != "" {
		if err := validation.Email("email.replyTo", o.ReplyTo); err != nil {
			return err
		}
	}
	if err := validation.Text("email.subject", o.Subject, false, MaxSubject); err != nil {
		return err
	}
	if strings.ContainsFunc(o.Subject, unicode.IsControl) {
		return validation.Errorf("email.subject", "must be one line of text")
	}
	if err := validation.FreeText("email.subject", o.Subject, false); err != nil {
		return err
	}
	// A subject written as RFC 2047 encoded words ("=?utf-8?q?a=0D=0Ab?=")
	// is decoded by mail readers: what it decodes to must pass too.
	if decoded, err := new(mime.WordDecoder).DecodeHeader(o.Subject); err == nil && decoded != o.Subject {
		if err := validation.FreeText("email.subject", decoded, false); err != nil {
			return validation.Errorf("email.subject", "must not be encoded words (RFC 2047) that decode to line breaks, control or bidi-override characters")
		}
	}
	if err := validation.Text("email.body", o.Body, false, MaxBody); err != nil {
		return err
	}
	if strings.ContainsFunc(o.Body, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) {
		return validation.Errorf("email.body", "must be plain text")
	}
	return validation.FreeText("email.body", o.Body, true)
}

// Recipient is who an invoice goes to over ch: for email, to if given,
// else the plan manager of a plan-managed participant, else the client's
// billing contact; for SMS, the billing contact's phone. NDIA-managed
// participants are sent nothing.
func Recipient(c *client.Client, ch Channel, to string) (string, error) {
	f := c.Profile.Funding
	if f.Type == client.NDIAManaged {
		return "", ErrNDIAManaged
	}
	bc, hasContact := c.BillingContact()
	switch ch {
	case Email:
		switch {
		case to != "":
			return to, nil
		case f.Type == client.PlanManaged && f.PlanManager != nil:
			return f.PlanManager.Email, nil
		case hasContact && bc.Email != "":
			return bc.Email, nil
		}
		return "", ErrNoEmail
	case SMS:
		if hasContact && bc.Phone != "" {
			return bc.Phone, nil
		}
		return "", ErrNoPhone
	}
	return "", validation.Errorf("channels", "%q is not a channel: use email or sms", string(ch))
}

// ParseChannels checks a send's channel list: at least one, each known,
// none twice.
func ParseChannels(names []string) ([]Channel, error) {
	if len(names) == 0 {
		return nil, validation.Errorf("channels", "name at least one channel: email, sms")
	}
	var out []Channel
	for _, n := range names {
		ch := Channel(n)
		if ch != Email && ch != SMS {
			return nil, validation.Errorf("channels", "%q is not a channel: use email or sms", n)
		}
		for _, seen := range out {
			if seen == ch {
				return nil, validation.Errorf("channels", "%s is named twice", n)
			}
		}
		out = append(out, ch)
	}
	return out, nil
}

// Rejection is a send the email or SMS service refused (an unverified
// sender, a bad address, a throttle), with its reason in words the
// coordinator can act on. Adapters return it; other errors are internal.
type Rejection struct {
	Service string // "email" or "SMS"
	Reason  string
	Err     error
}

func (r *Rejection) Error() string {
	return "the " + r.Service + " service refused the message: " + r.Reason
}

func (r *Rejection) Unwrap() error { return r.Err }

// NoAnswer is a send whose outcome is unknown: the request went to the
// email or SMS service and no answer came back (a connection reset, a
// timeout). It may have gone out. The notifier retries it all the same,
// since a lost invoice is worse than a second copy: sends are at least
// once, and the delivery's history says when a copy may be doubled.
type NoAnswer struct {
	Service string // "email" or "SMS"
	Err     error
}

func (n *NoAnswer) Error() string {
	return "the " + n.Service + " service did not answer; the message may have gone out"
}

func (n *NoAnswer) Unwrap() error { return n.Err }
