// Package notify is the notifier: the deliveries queue's consumer. Each
// message names one delivery (or one portal sign-in request, signin.go);
// the handler sends it once, however often the message arrives: a delivery already sent is done, and a conditional
// write claims it (queued, or sending under an expired lease → sending)
// before anything goes out. A failed send is recorded and returned as a
// batch item failure, so SQS retries it after the visibility timeout; at
// the queue's last receive the delivery is marked failed, and the message
// goes on to the dead-letter queue.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/email"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/queue"
	"github.com/carebill/carebill/internal/requestlog"
	"github.com/carebill/carebill/internal/validation"
)

// Store is the storage the notifier needs (internal/dynamo implements it).
type Store interface {
	GetDelivery(ctx context.Context, orgID, id string) (*delivery.Delivery, error)
	UpdateDelivery(ctx context.Context, d *delivery.Delivery, events ...activity.Event) error
	GetInvoice(ctx context.Context, orgID, id string) (*invoice.Invoice, error)
	GetOrg(ctx context.Context, id string) (*org.Org, error)
}

// Documents renders invoice PDFs (documents.Renderer), the same document
// the API and the portal serve.
type Documents interface {
	InvoicePDFWithPayLink(ctx context.Context, orgID, invoiceID, payLink string) ([]byte, *invoice.Invoice, error)
	ReceiptPDF(ctx context.Context, orgID, paymentID string) ([]byte, *payment.Payment, error)
}

// Mailer sends an email (internal/email: SES).
type Mailer interface {
	Send(ctx context.Context, m email.Message) (messageID string, err error)
}

// Texter sends a text message (internal/sms: SNS).
type Texter interface {
	Send(ctx context.Context, phone, body string) (messageID string, err error)
}

// DefaultLease is how long a claim keeps other workers off a delivery: longer
// than one attempt can take (the function's timeout), shorter than the
// queue's visibility timeout, so a retried message finds a crashed worker's
// lease expired.
const DefaultLease = 2 * time.Minute

// Config is what the handler needs.
type Config struct {
	Store     Store
	Documents Documents
	Mail      Mailer
	Texts     Texter
	// SignIns sends portal sign-in emails; nil leaves sign-in messages
	// unhandled (retried, then dead-lettered).
	SignIns SignIns
	// Sender is the From address: a verified SES identity.
	Sender string
	// MaxReceives is the queue's maxReceiveCount: the receive at which a
	// failing delivery is given up.
	MaxReceives int
	// Lease is DefaultLease when zero.
	Lease time.Duration
	Now   func() time.Time
	NewID func(prefix string, now time.Time) string
	Log   *slog.Logger

	// Statements renders statements for statement deliveries; without it
	// they fail.
	Statements StatementDocuments
}

// Handler consumes the deliveries queue.
type Handler struct {
	store       Store
	docs        Documents
	mail        Mailer
	texts       Texter
	signIns     SignIns
	sender      string
	maxReceives int
	lease       time.Duration
	now         func() time.Time
	newID       func(string, time.Time) string
	log         *slog.Logger

	statements StatementDocuments
}

// New checks cfg and builds the handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Documents == nil || cfg.Mail == nil || cfg.Texts == nil || cfg.Now == nil || cfg.NewID == nil {
		return nil, errors.New("notify: store, documents, mailer, texter, clock and id source are required")
	}
	if err := validation.Email("sender", cfg.Sender); err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	if cfg.MaxReceives < 1 {
		return nil, errors.New("notify: the queue's maxReceiveCount must be at least 1")
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Handler{
		store: cfg.Store, docs: cfg.Documents, statements: cfg.Statements, mail: cfg.Mail, texts: cfg.Texts, signIns: cfg.SignIns, sender: cfg.Sender,
		maxReceives: cfg.MaxReceives, lease: cfg.Lease, now: cfg.Now, newID: cfg.NewID, log: cfg.Log,
	}, nil
}

// Handle sends the deliveries a batch names and reports the messages to
// retry as batch item failures; the others SQS deletes.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		ctx := requestlog.With(ctx, slog.String(requestlog.Queue, queueName(rec.EventSourceARN)), slog.String(requestlog.MessageID, rec.MessageId))
		if err := h.handle(ctx, rec); err != nil {
			h.log.WarnContext(ctx, "delivery not done; the queue will retry it",
				slog.String("receives", rec.Attributes["ApproximateReceiveCount"]),
				slog.String("error", err.Error()))
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

// errVoided stops a delivery whose invoice was voided after it was queued.
var errVoided = errors.New("the invoice was voided before it went out")

func (h *Handler) handle(ctx context.Context, rec events.SQSMessage) error {
	if orgID, requestID, err := queue.ParseSignIn(rec.Body); err == nil && h.signIns != nil {
		return h.signIn(ctx, rec, orgID, requestID)
	}
	orgID, dlvID, err := queue.ParseDelivery(rec.Body)
	if err != nil {
		return err
	}
	ctx = requestlog.With(ctx, slog.String(requestlog.Org, orgID), slog.String("delivery", dlvID))
	log := h.log
	d, err := h.store.GetDelivery(ctx, orgID, dlvID)
	if err != nil {
		return err
	}
	if d.Final() {
		log.InfoContext(ctx, "delivery already "+string(d.Status)+"; nothing to do")
		return nil
	}
	if err := d.Claim(h.now(), h.lease); err != nil {
		return err
	}
	if err := h.store.UpdateDelivery(ctx, d); err != nil {
		return fmt.Errorf("claim: %w", err)
	}

	providerID, sendErr := h.send(ctx, d)
	// The outcome is recorded even if the invocation's time ran out.
	ctx = context.WithoutCancel(ctx)
	now := h.now()
	if sendErr == nil {
		// An earlier attempt that got no answer may have gone out too:
		// the history says so, as sends are at least once.
		detail := ""
		if d.LastError == noAnswerReason(d.Channel) {
			detail = fmt.Sprintf("sent on attempt %d; an earlier attempt got no answer from the service and may also have arrived", d.Attempts)
		}
		d.MarkSent(providerID, now)
		if err := h.store.UpdateDelivery(ctx, d, h.event(d, activity.Delivered, detail)); err != nil {
			// It went out: acknowledging keeps a retry from sending it
			// twice; the delivery shows sending until its lease runs out.
			log.ErrorContext(ctx, "delivery sent but not recorded", slog.String("providerId", providerID), slog.String("error", err.Error()))
		}
		log.InfoContext(ctx, "delivery sent", slog.String("channel", string(d.Channel)), slog.String("providerId", providerID))
		return nil
	}

	why := reason(sendErr)
	receives, _ := strconv.Atoi(rec.Attributes["ApproximateReceiveCount"])
	switch {
	case errors.Is(sendErr, errVoided), errors.Is(sendErr, errReversed), errors.Is(sendErr, errStatementGone):
		d.Fail(why, now)
		if err := h.store.UpdateDelivery(ctx, d, h.event(d, activity.Failed, why)); err != nil {
			return err
		}
		return nil // nothing to retry
	case receives >= h.maxReceives:
		d.Fail(why, now)
		if err := h.store.UpdateDelivery(ctx, d, h.event(d, activity.Failed, why)); err != nil {
			return errors.Join(sendErr, err)
		}
		log.ErrorContext(ctx, "delivery failed for good", slog.Int("attempts", d.Attempts), slog.String("error", sendErr.Error()))
	default:
		d.Retry(why, now)
		if err := h.store.UpdateDelivery(ctx, d); err != nil {
			return errors.Join(sendErr, err)
		}
	}
	return sendErr
}

// send sends d over its channel and returns the service's message id.
func (h *Handler) send(ctx context.Context, d *delivery.Delivery) (string, error) {
	if d.Kind == delivery.ReceiptKind {
		return h.sendReceipt(ctx, d)
	}
	if d.PayLinkURL == "" {
		return "", fmt.Errorf("delivery %s has no pay link", d.ID)
	}
	o, err := h.store.GetOrg(ctx, d.OrgID)
	if err != nil {
		return "", err
	}
	if d.StatementID != "" {
		return h.sendStatement(ctx, o, d)
	}
	switch d.Channel {
	case delivery.Email:
		pdf, inv, err := h.docs.InvoicePDFWithPayLink(ctx, d.OrgID, d.InvoiceID, d.PayLinkURL)
		if err != nil {
			return "", err
		}
		if inv.Status() == invoice.Void {
			return "", errVoided
		}
		m, err := composeEmail(o, inv, d, pdf, h.sender, h.now())
		if err != nil {
			return "", err
		}
		return h.mail.Send(ctx, m)
	case delivery.SMS:
		inv, err := h.store.GetInvoice(ctx, d.OrgID, d.InvoiceID)
		if err != nil {
			return "", err
		}
		if inv.Status() == invoice.Void {
			return "", errVoided
		}
		return h.texts.Send(ctx, d.Recipient, composeSMS(o, inv, d))
	}
	return "", fmt.Errorf("delivery %s: unknown channel %q", d.ID, d.Channel)
}

// event is an activity event about d, done by the system.
func (h *Handler) event(d *delivery.Delivery, kind activity.Kind, detail string) activity.Event {
	now := h.now()
	if d.Kind == delivery.ReceiptKind {
		kind = map[activity.Kind]activity.Kind{activity.Delivered: activity.ReceiptDelivered, activity.Failed: activity.ReceiptFailed}[kind]
	}
	return activity.Event{
		ID: h.newID("act", now), OrgID: d.OrgID, Kind: eventKind(d, kind), InvoiceID: d.InvoiceID, Number: d.Number,
		ClientID: d.ClientID, ClientName: d.ClientName, Actor: "system", Channel: string(d.Channel),
		Recipient: d.Recipient, Detail: detail, At: now,
	}
}

// reason is why a send failed, in words for the coordinator: what the
// service said, or that it was our fault (the log has the details).
func reason(err error) string {
	var rej *delivery.Rejection
	var lost *delivery.NoAnswer
	switch {
	case errors.As(err, &rej):
		return rej.Error()
	case errors.As(err, &lost):
		return lost.Error()
	case errors.Is(err, errVoided):
		return errVoided.Error()
	case errors.Is(err, errReversed):
		return errReversed.Error()
	case errors.Is(err, errStatementGone):
		return errStatementGone.Error()
	}
	return "an internal error stopped the send; it is in the notifier's log"
}

// noAnswerReason is the reason a send with no answer leaves on a
// delivery of channel ch.
func noAnswerReason(ch delivery.Channel) string {
	service := "email"
	if ch == delivery.SMS {
		service = "SMS"
	}
	return (&delivery.NoAnswer{Service: service}).Error()
}

// queueName is the last part of a queue's ARN, the queue's name.
func queueName(arn string) string {
	return arn[strings.LastIndex(arn, ":")+1:]
}
