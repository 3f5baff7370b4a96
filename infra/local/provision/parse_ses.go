package provision

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// EmailIdentity is an AWS::SES::EmailIdentity: an address or domain that
// may send email. Unlike tables and queues its name is not prefixed: it is
// the address itself.
type EmailIdentity struct {
	// LogicalID is the resource's name in the template.
	LogicalID string
	// Identity is the email address or domain, with parameters resolved.
	Identity string
}

func (t *Template) parseEmailIdentity(id string, props *yaml.Node) (EmailIdentity, error) {
	n := field(props, "EmailIdentity")
	if n == nil {
		return EmailIdentity{}, fmt.Errorf("EmailIdentity is missing")
	}
	v, err := t.plain(n, "EmailIdentity")
	if err != nil {
		return EmailIdentity{}, err
	}
	if v == "" {
		return EmailIdentity{}, fmt.Errorf("line %d: EmailIdentity is empty", n.Line)
	}
	return EmailIdentity{LogicalID: id, Identity: v}, nil
}

// plain reads a value that is either written out or a !Ref to one of the
// template's parameters, which resolves to the parameter's default.
func (t *Template) plain(n *yaml.Node, what string) (string, error) {
	if name, ok := refTarget(n); ok {
		v, ok := t.Parameters[name]
		if !ok {
			return "", fmt.Errorf("line %d: %s: !Ref %s is not a parameter of this template", n.Line, what, name)
		}
		return v, nil
	}
	return str(n, what)
}
