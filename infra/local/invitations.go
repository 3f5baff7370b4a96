package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/carebill/carebill/internal/email"
	"github.com/carebill/carebill/internal/email/sesmail"
)

// invitations stands in for the email Cognito sends a member an admin
// invites (AdminCreateUser without MessageAction SUPPRESS): in AWS,
// Cognito generates a temporary password and emails it; moto neither
// generates one (the member could never sign in) nor sends anything. So
// the local stack, and only it, adds a client option to each function's
// AWS config that gives such a call a random temporary password and, once
// the user exists, puts Cognito's default invitation email ("Your
// username is … and temporary password is …", from Cognito's default
// sender) into moto's SES, where /dev/outbox shows it. carebill's own
// code is untouched: in AWS, Cognito still generates and emails the
// password. Sign-ups (SUPPRESS, then a permanent password) pass through.
type invitations struct {
	ses  *sesv2.Client // moto's SES, outside any function's recorded calls: the email is Cognito's doing
	once sync.Once
	err  error
}

// cognitoSender is the address Cognito's default email configuration
// sends from.
const cognitoSender = "no-reply@verificationemail.com"

func newInvitations(cfg aws.Config) *invitations {
	return &invitations{ses: sesv2.NewFromConfig(cfg)}
}

// on is cfg with the stand-in on every client built from it.
func (iv *invitations) on(cfg aws.Config) aws.Config {
	cfg.APIOptions = append(slices.Clone(cfg.APIOptions), func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("LocalCognitoInvitation", iv.handle), middleware.Before)
	})
	return cfg
}

func (iv *invitations) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	req, ok := in.Parameters.(*cip.AdminCreateUserInput)
	if !ok || req.MessageAction == ciptypes.MessageActionTypeSuppress || req.TemporaryPassword != nil {
		return next.HandleInitialize(ctx, in)
	}
	password := rand.Text() // 26 characters, 128 bits: past the template's policy of 10
	withPassword := *req
	withPassword.TemporaryPassword = aws.String(password)
	in.Parameters = &withPassword
	out, md, err := next.HandleInitialize(ctx, in)
	if err != nil {
		return out, md, err
	}
	to := aws.ToString(req.Username)
	for _, a := range req.UserAttributes {
		if aws.ToString(a.Name) == "email" {
			to = aws.ToString(a.Value)
		}
	}
	if err := iv.send(ctx, to, aws.ToString(req.Username), password); err != nil {
		return out, md, fmt.Errorf("local stack: capture the invitation email: %w", err)
	}
	return out, md, nil
}

// send puts Cognito's default invitation message into moto's SES.
func (iv *invitations) send(ctx context.Context, to, username, password string) error {
	iv.once.Do(func() {
		_, err := iv.ses.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(cognitoSender)})
		var exists *sestypes.AlreadyExistsException
		if err != nil && !errors.As(err, &exists) {
			iv.err = err
		}
	})
	if iv.err != nil {
		return iv.err
	}
	s, err := sesmail.New(iv.ses)
	if err != nil {
		return err
	}
	_, err = s.Send(ctx, email.Message{
		From: mail.Address{Address: cognitoSender}, To: []mail.Address{{Address: to}},
		Subject: "Your temporary password", Date: time.Now(),
		Text: fmt.Sprintf("Your username is %s and temporary password is %s.", username, password),
	})
	return err
}
