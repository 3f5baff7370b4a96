// Package deploy holds the checks that keep template.yaml a stack an AWS
// engineer would ship: retained and deletion-protected identity and data,
// an alarm on every failure an operator must see, throttled public routes,
// gradual deployments, tracing and JSON logs (template_test.go), and every
// function's IAM policy covering the AWS operations its tests make
// (internal/iamproof).
package deploy
