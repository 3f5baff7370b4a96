package delivery_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/validation"
)

func TestClaimLeaseAndFinalStates(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	d := &delivery.Delivery{Status: delivery.Queued, PayLinkURL: "https://pay.example/pay/x"}
	if err := d.Claim(now, time.Minute); err != nil {
		t.Fatalf("claim a queued delivery: %v", err)
	}
	if d.Status != delivery.Sending || d.Attempts != 1 || !d.LeaseUntil.Equal(now.Add(time.Minute)) {
		t.Fatalf("claimed: %+v", d)
	}
	if err := d.Claim(now.Add(30*time.Second), time.Minute); !errors.Is(err, delivery.ErrLeased) {
		t.Fatalf("claim under a live lease: %v, want ErrLeased", err)
	}
	if err := d.Claim(now.Add(2*time.Minute), time.Minute); err != nil || d.Attempts != 2 {
		t.Fatalf("claim after the lease ran out: %v, attempts %d", err, d.Attempts)
	}
	d.Retry("the email service refused the message: no", now)
	if d.Status != delivery.Queued || d.LastError == "" || !d.LeaseUntil.IsZero() || d.PayLinkURL == "" {
		t.Fatalf("retried: %+v", d)
	}
	if err := d.Claim(now, time.Minute); err != nil {
		t.Fatal(err)
	}
	d.MarkSent("msg-1", now)
	if !d.Final() || d.PayLinkURL != "" || d.LastError != "" || d.SentAt != now {
		t.Fatalf("sent: %+v", d)
	}
	if err := d.Claim(now, time.Minute); !errors.Is(err, delivery.ErrConflict) {
		t.Fatalf("claim a sent delivery: %v", err)
	}
	f := &delivery.Delivery{Status: delivery.Sending, PayLinkURL: "x"}
	f.Fail(strings.Repeat("é", 600), now)
	if !f.Final() || f.PayLinkURL != "" || len([]rune(f.LastError)) != 500 {
		t.Fatalf("failed: status %s, link %q, error %d runes", f.Status, f.PayLinkURL, len([]rune(f.LastError)))
	}
}

func TestRecipient(t *testing.T) {
	t.Parallel()
	contact := client.Contact{ID: "con_1", Name: "Zoë", Email: "zoe@example.com", Phone: "+61412345678", Primary: true}
	self := &client.Client{Profile: client.Profile{Contacts: []client.Contact{contact}, BillingContactID: "con_1", Funding: client.Funding{Type: client.SelfManaged}}}
	plan := &client.Client{Profile: client.Profile{Contacts: []client.Contact{contact}, BillingContactID: "con_1",
		Funding: client.Funding{Type: client.PlanManaged, PlanManager: &client.PlanManager{Name: "Plan Co", Email: "invoices@plan.example"}}}}
	ndia := &client.Client{Profile: client.Profile{Contacts: []client.Contact{contact}, BillingContactID: "con_1", Funding: client.Funding{Type: client.NDIAManaged}}}
	none := &client.Client{Profile: client.Profile{Funding: client.Funding{Type: client.SelfManaged}}}
	for _, tc := range []struct {
		name string
		c    *client.Client
		ch   delivery.Channel
		to   string
		want string
		err  error
	}{
		{"email to the billing contact", self, delivery.Email, "", "zoe@example.com", nil},
		{"email to an override", self, delivery.Email, "accounts@example.com", "accounts@example.com", nil},
		{"sms to the billing contact", self, delivery.SMS, "", "+61412345678", nil},
		{"plan-managed email to the plan manager", plan, delivery.Email, "", "invoices@plan.example", nil},
		{"NDIA-managed refuses email", ndia, delivery.Email, "", "", delivery.ErrNDIAManaged},
		{"NDIA-managed refuses an override too", ndia, delivery.Email, "x@example.com", "", delivery.ErrNDIAManaged},
		{"NDIA-managed refuses sms", ndia, delivery.SMS, "", "", delivery.ErrNDIAManaged},
		{"no email", none, delivery.Email, "", "", delivery.ErrNoEmail},
		{"no phone", none, delivery.SMS, "", "", delivery.ErrNoPhone},
	} {
		got, err := delivery.Recipient(tc.c, tc.ch, tc.to)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("%s: %q, %v; want %q, %v", tc.name, got, err, tc.want, tc.err)
		}
	}
}

func TestEmailOptionsAndChannels(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		o     delivery.EmailOptions
		field string
	}{
		"all defaults":       {delivery.EmailOptions{}, ""},
		"all set":            {delivery.EmailOptions{To: "a@example.com", ReplyTo: "b@example.com", Subject: "Your invoice", Body: "Hi,\n\nThanks.\n"}, ""},
		"bad to":             {delivery.EmailOptions{To: "not an address"}, "email.to"},
		"named to":           {delivery.EmailOptions{To: "A <a@example.com>"}, "email.to"},
		"bad reply-to":       {delivery.EmailOptions{ReplyTo: "b@"}, "email.replyTo"},
		"subject line break": {delivery.EmailOptions{Subject: "Hi\r\nBcc: x@example.com"}, "email.subject"},
		"long subject":       {delivery.EmailOptions{Subject: strings.Repeat("s", delivery.MaxSubject+1)}, "email.subject"},
		"long body":          {delivery.EmailOptions{Body: strings.Repeat("b", delivery.MaxBody+1)}, "email.body"},
		"control in body":    {delivery.EmailOptions{Body: "a\x00b"}, "email.body"},
		// The probe's finding 2: encoded words that decode to a line break.
		"encoded-word line break": {delivery.EmailOptions{Subject: "=?utf-8?q?Invoice=0D=0ABcc:_x@evil.example?="}, "email.subject"},
		"encoded-word base64 LF":  {delivery.EmailOptions{Subject: "=?UTF-8?B?SW52b2ljZQpCY2M6IHhAZXZpbC5leGFtcGxl?="}, "email.subject"},
		"encoded-word fine":       {delivery.EmailOptions{Subject: "=?utf-8?q?Rechnung_f=C3=BCr_Oktober?="}, ""},
		"bidi override subject":   {delivery.EmailOptions{Subject: "Invoice \u202egnp.exe"}, "email.subject"},
	} {
		err := tc.o.Validate()
		v, _ := validation.As(err)
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case tc.field != "" && (v == nil || v.Field != tc.field):
			t.Errorf("%s: %v, want a validation error on %s", name, err, tc.field)
		}
	}
	if chs, err := delivery.ParseChannels([]string{"email", "sms"}); err != nil || len(chs) != 2 {
		t.Errorf("email, sms: %v %v", chs, err)
	}
	for _, bad := range [][]string{nil, {"fax"}, {"email", "email"}} {
		if _, err := delivery.ParseChannels(bad); err == nil {
			t.Errorf("channels %v accepted", bad)
		}
	}
}
