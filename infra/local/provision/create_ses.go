package provision

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// createEmailIdentity creates an SES identity. One that exists already is
// reused: identities are shared by every prefix on an endpoint. moto
// verifies new identities at once; in AWS the address gets a verification
// email.
func (r *Resources) createEmailIdentity(ctx context.Context, c *sesv2.Client, e EmailIdentity) error {
	_, err := c.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(e.Identity)})
	var exists *types.AlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("create email identity %s: %w", e.Identity, err)
	}
	r.IDs[e.LogicalID] = e.Identity
	return nil
}
