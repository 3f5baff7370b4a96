// Command floor is the least a Go Lambda function can be: aws-lambda-go's
// runtime loop and a handler that does nothing. bench/startup measures
// every carebill function against it.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context) error { return nil })
}
