// Package sms sends text messages through Amazon SNS, straight to phone
// numbers (no topic).
package sms

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"github.com/carebill/carebill/internal/delivery"
)

// SNS sends texts through Amazon SNS.
type SNS struct {
	api *sns.Client
}

// NewSNS returns a sender over api, built once per cold start by the caller.
func NewSNS(api *sns.Client) (*SNS, error) {
	if api == nil {
		return nil, errors.New("sms: an SNS client is required")
	}
	return &SNS{api: api}, nil
}

// Send texts body to phone (E.164, "+61412345678") as a transactional
// message, which SNS delivers ahead of promotional ones and outside quiet
// hours, and returns SNS's message id. A text SNS refuses is a
// *delivery.Rejection carrying SNS's reason.
func (s *SNS) Send(ctx context.Context, phone, body string) (string, error) {
	out, err := s.api.Publish(ctx, &sns.PublishInput{
		PhoneNumber: aws.String(phone),
		Message:     aws.String(body),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"AWS.SNS.SMS.SMSType": {DataType: aws.String("String"), StringValue: aws.String("Transactional")},
		},
	})
	var api smithy.APIError
	if errors.As(err, &api) {
		reason := api.ErrorMessage()
		if reason == "" {
			reason = api.ErrorCode()
		}
		return "", &delivery.Rejection{Service: "SMS", Reason: reason, Err: err}
	}
	if err != nil {
		// No answer: it may have gone out (see delivery.NoAnswer).
		return "", fmt.Errorf("send SMS: %w", &delivery.NoAnswer{Service: "SMS", Err: err})
	}
	return aws.ToString(out.MessageId), nil
}
