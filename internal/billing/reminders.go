package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/reminder"
	"github.com/carebill/carebill/internal/usecase"
)

// ReminderStore is the storage reminders need.
type ReminderStore interface {
	ReminderOrgs(ctx context.Context, limit int, cursor string) ([]string, string, error)
	RemindersSent(ctx context.Context, orgID, invoiceID string) (map[string]bool, error)
	ListDeliveries(ctx context.Context, orgID, invoiceID string, limit int, cursor string) ([]*delivery.Delivery, string, error)
	RemindInvoice(ctx context.Context, orgID, invoiceID, step string, remind func(*invoice.Invoice) ([]*delivery.Delivery, []activity.Event, error)) (bool, error)
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
	ListInvoices(ctx context.Context, orgID string, f invoice.ListFilter) ([]*invoice.Invoice, string, error)
}

// Reminders sends the org's reminder steps for unpaid invoices, by email
// or text with a pay link: each step at most once per invoice (a marker
// stored with the deliveries), only the latest due step after a missed
// run, only in the org's sending hours, and never the day of or after a
// person sent the invoice.
type Reminders struct {
	svc   *Service
	store ReminderStore
	queue DeliveryQueue
	base  string
	log   *slog.Logger
}

// NewReminders builds the reminder job; base is where clients reach pay
// pages (the configured public base URL).
func NewReminders(svc *Service, store ReminderStore, queue DeliveryQueue, base string, log *slog.Logger) (*Reminders, error) {
	if svc == nil || store == nil || queue == nil || base == "" {
		return nil, errors.New("billing: reminders need the service, a store, the delivery queue and the public base URL")
	}
	if log == nil {
		log = slog.Default()
	}
	return &Reminders{svc: svc, store: store, queue: queue, base: base, log: log}, nil
}

// RemindReport says what one run did.
type RemindReport struct {
	Orgs, Invoices, Sent int
}

// Run goes through every org with reminders on and sends what is due now.
func (r *Reminders) Run(ctx context.Context) (_ RemindReport, err error) {
	defer usecase.Name(&err, "send reminders")
	var rep RemindReport
	var errs []error
	cursor := ""
	for {
		ids, next, err := r.store.ReminderOrgs(ctx, 100, cursor)
		if err != nil {
			return rep, fmt.Errorf("send reminders: %w", err)
		}
		for _, id := range ids {
			rep.Orgs++
			if err := r.runOrg(ctx, id, &rep); err != nil {
				r.log.ErrorContext(ctx, "reminders of org", slog.String("org", id), slog.String("error", err.Error()))
				errs = append(errs, err)
			}
		}
		if next == "" {
			return rep, errors.Join(errs...)
		}
		cursor = next
	}
}

func (r *Reminders) runOrg(ctx context.Context, orgID string, rep *RemindReport) error {
	o, err := r.store.GetOrg(ctx, orgID)
	if err != nil {
		return err
	}
	sched, loc, now := o.Settings.Reminders, o.Location(), r.svc.now()
	if !sched.Enabled {
		return nil
	}
	if h := now.In(loc).Hour(); h < sched.From || h >= sched.To {
		return nil // nothing goes out at night; save the reads
	}
	clients := map[string]*client.Client{}
	cursor := ""
	for {
		invs, next, err := r.store.ListInvoices(ctx, orgID, invoice.ListFilter{Status: string(invoice.Open), Limit: 100, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, inv := range invs {
			rep.Invoices++
			c, ok := clients[inv.Spec.ClientID]
			if !ok {
				if c, err = r.store.GetClient(ctx, orgID, inv.Spec.ClientID); err != nil {
					return err
				}
				clients[inv.Spec.ClientID] = c
			}
			sent, err := r.remind(ctx, o, c, inv, sched)
			if err != nil {
				return fmt.Errorf("remind %s: %w", inv.ID, err)
			}
			if sent {
				rep.Sent++
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// remind sends the invoice's due step, if any.
func (r *Reminders) remind(ctx context.Context, o *org.Org, c *client.Client, inv *invoice.Invoice, sched reminder.Schedule) (bool, error) {
	facts := reminder.Invoice{
		Open: inv.Status() == invoice.Open, Balance: inv.Balance().IsPositive(), Due: inv.Spec.DueDate,
		Excluded: c.Profile.NoReminders, Disputed: inv.Disputed(), Recipient: true,
	}
	if facts.Due.IsZero() || !facts.Open || facts.Excluded {
		return false, nil
	}
	var err error
	if facts.Sent, err = r.store.RemindersSent(ctx, o.ID, inv.ID); err != nil {
		return false, err
	}
	ds, _, err := r.store.ListDeliveries(ctx, o.ID, inv.ID, 20, "")
	if err != nil {
		return false, err
	}
	for _, d := range ds { // newest first: the last send by a person
		if d.Step == "" {
			facts.LastSent = d.CreatedAt
			break
		}
	}
	step, why := sched.Next(facts, r.svc.now(), o.Location())
	if why != "" {
		return false, nil
	}
	type target struct {
		ch delivery.Channel
		to string
	}
	var targets []target
	for _, ch := range step.Channels {
		dc := delivery.Channel(ch)
		if to, err := delivery.Recipient(c, dc, ""); err == nil {
			targets = append(targets, target{dc, to})
		}
	}
	if len(targets) == 0 {
		return false, nil // nobody to remind on the step's channels
	}
	link, err := r.svc.issuePayLink(ctx, inv, r.base, false)
	if err != nil {
		return false, err
	}
	var made []*delivery.Delivery
	sent, err := r.store.RemindInvoice(ctx, o.ID, inv.ID, step.Key(), func(cur *invoice.Invoice) ([]*delivery.Delivery, []activity.Event, error) {
		if cur.Status() != invoice.Open || !cur.Balance().IsPositive() {
			return nil, nil, errNoLongerDue
		}
		now := r.svc.now()
		made = made[:0]
		var events []activity.Event
		for _, t := range targets {
			d := &delivery.Delivery{
				ID: r.svc.newID("dlv", now), OrgID: o.ID, InvoiceID: cur.ID, Number: cur.Number,
				ClientID: cur.Spec.ClientID, ClientName: cur.ClientName, Channel: t.ch, Recipient: t.to,
				PayLinkURL: link, Status: delivery.Queued, Step: step.Key(), CreatedAt: now, UpdatedAt: now,
			}
			if t.ch == delivery.Email {
				d.ReplyTo, d.Subject, d.Body = replyTo(o, delivery.EmailOptions{}), reminderSubject(o, cur, step), reminderBody(cur, step)
			}
			made = append(made, d)
			e := r.svc.invoiceEvent(auth.Principal{OrgID: o.ID, Email: "system"}, activity.Sent, cur)
			e.Channel, e.Recipient, e.Detail = string(t.ch), t.to, "a reminder "+stepWords(step)+", from the org's reminder schedule"
			events = append(events, e)
		}
		return made, events, nil
	})
	if errors.Is(err, errNoLongerDue) || (err == nil && !sent) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, d := range made {
		if err := r.queue.Enqueue(ctx, d.OrgID, d.ID); err != nil {
			return true, fmt.Errorf("queue reminder %s: %w", d.ID, err)
		}
	}
	return true, nil
}

var errNoLongerDue = errors.New("the invoice no longer needs a reminder")

func reminderSubject(o *org.Org, inv *invoice.Invoice, st reminder.Step) string {
	switch {
	case st.Offset < 0:
		return fmt.Sprintf("Reminder: invoice %s from %s is due on %s", inv.Number, o.Settings.Name, inv.Spec.DueDate.Format("2 Jan 2006"))
	case st.Offset == 0:
		return fmt.Sprintf("Reminder: invoice %s from %s is due today", inv.Number, o.Settings.Name)
	}
	return fmt.Sprintf("Overdue: invoice %s from %s was due on %s", inv.Number, o.Settings.Name, inv.Spec.DueDate.Format("2 Jan 2006"))
}

func reminderBody(inv *invoice.Invoice, st reminder.Step) string {
	amount := inv.Spec.Currency.Display(inv.Balance())
	switch {
	case st.Offset < 0:
		return fmt.Sprintf("A friendly reminder that %s is due on %s. You can pay online with the link below.", amount, inv.Spec.DueDate.Format("2 Jan 2006"))
	case st.Offset == 0:
		return fmt.Sprintf("A friendly reminder that %s is due today. You can pay online with the link below.", amount)
	}
	return fmt.Sprintf("Our records show %s is now %d days overdue. If you have already paid, thank you and please ignore this message; otherwise you can pay online with the link below.", amount, st.Offset)
}
