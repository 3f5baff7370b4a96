package provision

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// PutSecureStrings stores each value as an SSM SecureString parameter of
// its name, overwriting what is there. Secrets never appear in the
// template (CloudFormation cannot create SecureStrings); in AWS an
// operator puts them, locally the stack and the tests do it with this.
func PutSecureStrings(ctx context.Context, cfg aws.Config, values map[string]string) error {
	c := ssm.NewFromConfig(cfg)
	for name, v := range values {
		_, err := c.PutParameter(ctx, &ssm.PutParameterInput{
			Name: aws.String(name), Value: aws.String(v), Type: types.ParameterTypeSecureString, Overwrite: aws.Bool(true),
		})
		if err != nil {
			return fmt.Errorf("put SSM parameter %s: %w", name, err)
		}
	}
	return nil
}
