package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/carebill/carebill/internal/clientauth"
	"github.com/carebill/carebill/internal/id"
)

// signInMessage is the whole body of a deliveries-queue message asking for
// a portal sign-in email: which request to send. The address and the
// link's base are read from the stored request, so the message carries
// no personal data.
type signInMessage struct {
	OrgID         string `json:"orgId"`
	SignInRequest string `json:"signInRequestId"`
}

// EnqueueSignIn puts one portal sign-in request on the deliveries queue.
func (q *Deliveries) EnqueueSignIn(ctx context.Context, orgID, requestID string) error {
	body, err := json.Marshal(signInMessage{OrgID: orgID, SignInRequest: requestID})
	if err != nil {
		return err
	}
	if _, err := q.api.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q.url, MessageBody: aws.String(string(body))}); err != nil {
		return fmt.Errorf("enqueue sign-in request: %w", err)
	}
	return nil
}

// ParseSignIn reads a deliveries-queue message asking for a sign-in email;
// any other body is ErrMalformed.
func ParseSignIn(body string) (orgID, requestID string, err error) {
	var m signInMessage
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil || dec.More() {
		return "", "", ErrMalformed
	}
	if !id.Valid(id.Org, m.OrgID) || !clientauth.ValidRequestID(m.SignInRequest) {
		return "", "", ErrMalformed
	}
	return m.OrgID, m.SignInRequest, nil
}
