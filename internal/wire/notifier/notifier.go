// Package notifier wires functions/notifier.
package notifier

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/carebill/carebill/internal/clientauth"
	"github.com/carebill/carebill/internal/documents"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/email/sesmail"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/notify"
	"github.com/carebill/carebill/internal/portal"
	"github.com/carebill/carebill/internal/sms"
	"github.com/carebill/carebill/internal/wire"
)

// New builds functions/notifier: the deliveries queue's consumer,
// which emails invoices through SES and texts them through SNS, and emails
// the client portal's sign-in links.
//
// Variables: TABLE_NAME, SENDER_EMAIL (the From address, a verified SES
// identity) and DELIVERY_MAX_RECEIVES (the deliveries queue's
// maxReceiveCount: the receive at which a failing delivery is given up).
func New(ctx context.Context, env wire.Env, cfg aws.Config, log *slog.Logger) (*notify.Handler, error) {
	return NewWithClock(ctx, env, cfg, log, time.Now)
}

// NewWithClock is Notifier with the clock sign-in links expire by
// (tests move it on, with the portal's).
func NewWithClock(_ context.Context, env wire.Env, cfg aws.Config, log *slog.Logger, now func() time.Time) (*notify.Handler, error) {
	if err := env.Require("TABLE_NAME", "SENDER_EMAIL", "DELIVERY_MAX_RECEIVES"); err != nil {
		return nil, err
	}
	maxReceives, err := strconv.Atoi(env("DELIVERY_MAX_RECEIVES"))
	if err != nil {
		return nil, fmt.Errorf("DELIVERY_MAX_RECEIVES=%q is not a number", env("DELIVERY_MAX_RECEIVES"))
	}
	store, err := dynamo.New(dynamodb.NewFromConfig(cfg), env("TABLE_NAME"))
	if err != nil {
		return nil, err
	}
	docs, err := documents.New(store)
	if err != nil {
		return nil, err
	}
	mail, err := sesmail.New(sesv2.NewFromConfig(cfg, func(o *sesv2.Options) { sendsOnce(&o.Retryer) }))
	if err != nil {
		return nil, err
	}
	texts, err := sms.NewSNS(sns.NewFromConfig(cfg, func(o *sns.Options) { sendsOnce(&o.Retryer) }))
	if err != nil {
		return nil, err
	}
	signInMail, err := portal.NewSignInMailer(mail, env("SENDER_EMAIL"))
	if err != nil {
		return nil, err
	}
	signIns, err := clientauth.NewLinkSender(store, signInMail, now, notify.DefaultLease)
	if err != nil {
		return nil, err
	}
	return notify.New(notify.Config{
		Store: store, Documents: docs, Statements: docs, Mail: mail, Texts: texts, SignIns: signIns, Sender: env("SENDER_EMAIL"),
		MaxReceives: maxReceives, Now: time.Now, NewID: id.New, Log: log,
	})
}
