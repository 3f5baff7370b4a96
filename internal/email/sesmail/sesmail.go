// Package sesmail sends email.Messages through Amazon SES v2. It is apart
// from package email so that what only builds or reads messages does not
// link the SES SDK.
package sesmail

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/email"
)

// Sender sends messages through Amazon SES v2.
type Sender struct {
	api *sesv2.Client
}

// New returns a sender over api, built once per cold start by the caller.
func New(api *sesv2.Client) (*Sender, error) {
	if api == nil {
		return nil, errors.New("sesmail: an SES client is required")
	}
	return &Sender{api: api}, nil
}

// Send sends m as raw MIME (SendEmail with Content.Raw) and returns SES's
// message id. The From address must be a verified SES identity. A message
// SES refuses is a *delivery.Rejection carrying SES's reason.
func (s *Sender) Send(ctx context.Context, m email.Message) (string, error) {
	raw, err := m.MIME()
	if err != nil {
		return "", err
	}
	to := make([]string, len(m.To))
	for i, a := range m.To {
		to[i] = a.Address
	}
	out, err := s.api.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.From.String()),
		Destination:      &types.Destination{ToAddresses: to},
		Content:          &types.EmailContent{Raw: &types.RawMessage{Data: raw}},
	})
	var api smithy.APIError
	if errors.As(err, &api) {
		return "", &delivery.Rejection{Service: "email", Reason: reason(api), Err: err}
	}
	if err != nil {
		// No answer: it may have gone out (see delivery.NoAnswer).
		return "", fmt.Errorf("send email: %w", &delivery.NoAnswer{Service: "email", Err: err})
	}
	return aws.ToString(out.MessageId), nil
}

// reason is what a service said, for people: its message, else its code.
func reason(err smithy.APIError) string {
	if m := err.ErrorMessage(); m != "" {
		return m
	}
	return err.ErrorCode()
}
