package provision

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

func parseUserPool(id string, props *yaml.Node) (UserPool, error) {
	p := UserPool{LogicalID: id}
	var err error
	if p.UsernameAttributes, err = strList(field(props, "UsernameAttributes"), "UsernameAttributes"); err != nil {
		return UserPool{}, err
	}
	if p.AutoVerifiedAttributes, err = strList(field(props, "AutoVerifiedAttributes"), "AutoVerifiedAttributes"); err != nil {
		return UserPool{}, err
	}
	if p.AdminCreateUserOnly, err = boolean(path(props, "AdminCreateUserConfig", "AllowAdminCreateUserOnly"),
		"AdminCreateUserConfig.AllowAdminCreateUserOnly", false); err != nil {
		return UserPool{}, err
	}
	if schema := field(props, "Schema"); schema != nil {
		if schema.Kind != yaml.SequenceNode {
			return UserPool{}, wantErr(schema, "Schema", "a list")
		}
		for _, n := range schema.Content {
			a, err := parseSchemaAttribute(n)
			if err != nil {
				return UserPool{}, err
			}
			p.Schema = append(p.Schema, a)
		}
	}
	if pp := path(props, "Policies", "PasswordPolicy"); pp != nil {
		var pol PasswordPolicy
		if pol.MinimumLength, err = integer(field(pp, "MinimumLength"), "PasswordPolicy.MinimumLength", 8); err != nil {
			return UserPool{}, err
		}
		for name, dst := range map[string]*bool{
			"RequireLowercase": &pol.RequireLowercase, "RequireUppercase": &pol.RequireUppercase,
			"RequireNumbers": &pol.RequireNumbers, "RequireSymbols": &pol.RequireSymbols,
		} {
			if *dst, err = boolean(field(pp, name), "PasswordPolicy."+name, false); err != nil {
				return UserPool{}, err
			}
		}
		if pol.TemporaryPasswordValidityDays, err = integer(field(pp, "TemporaryPasswordValidityDays"),
			"PasswordPolicy.TemporaryPasswordValidityDays", 7); err != nil {
			return UserPool{}, err
		}
		p.Password = &pol
	}
	return p, nil
}

func parseSchemaAttribute(n *yaml.Node) (SchemaAttribute, error) {
	name, err := required(n, "Name", "Schema")
	if err != nil {
		return SchemaAttribute{}, err
	}
	what := "Schema " + name
	a := SchemaAttribute{Name: name}
	if a.DataType, err = str(field(n, "AttributeDataType"), what+": AttributeDataType"); err != nil {
		return SchemaAttribute{}, err
	}
	if a.DataType == "" {
		a.DataType = "String"
	}
	switch a.DataType {
	case "String", "Number", "DateTime", "Boolean":
	default:
		return SchemaAttribute{}, fmt.Errorf("line %d: %s: AttributeDataType %q: want String, Number, DateTime or Boolean", n.Line, what, a.DataType)
	}
	if a.Mutable, err = boolean(field(n, "Mutable"), what+": Mutable", true); err != nil {
		return SchemaAttribute{}, err
	}
	if a.Required, err = boolean(field(n, "Required"), what+": Required", false); err != nil {
		return SchemaAttribute{}, err
	}
	sc := field(n, "StringAttributeConstraints")
	if a.MinLength, err = str(field(sc, "MinLength"), what+": MinLength"); err != nil {
		return SchemaAttribute{}, err
	}
	if a.MaxLength, err = str(field(sc, "MaxLength"), what+": MaxLength"); err != nil {
		return SchemaAttribute{}, err
	}
	nc := field(n, "NumberAttributeConstraints")
	if a.MinValue, err = str(field(nc, "MinValue"), what+": MinValue"); err != nil {
		return SchemaAttribute{}, err
	}
	if a.MaxValue, err = str(field(nc, "MaxValue"), what+": MaxValue"); err != nil {
		return SchemaAttribute{}, err
	}
	return a, nil
}

// defaultUnits are CloudFormation's TokenValidityUnits when a template omits them.
var defaultUnits = map[string]string{"IdToken": "hours", "AccessToken": "hours", "RefreshToken": "days"}

func (t *Template) parseClient(id string, props *yaml.Node) (UserPoolClient, error) {
	c := UserPoolClient{LogicalID: id}
	var err error
	if c.UserPool, err = t.refOfType(field(props, "UserPoolId"), "UserPoolId", typeUserPool); err != nil {
		return UserPoolClient{}, err
	}
	if c.GenerateSecret, err = boolean(field(props, "GenerateSecret"), "GenerateSecret", false); err != nil {
		return UserPoolClient{}, err
	}
	if c.ExplicitAuthFlows, err = strList(field(props, "ExplicitAuthFlows"), "ExplicitAuthFlows"); err != nil {
		return UserPoolClient{}, err
	}
	if c.ReadAttributes, err = strList(field(props, "ReadAttributes"), "ReadAttributes"); err != nil {
		return UserPoolClient{}, err
	}
	if c.WriteAttributes, err = strList(field(props, "WriteAttributes"), "WriteAttributes"); err != nil {
		return UserPoolClient{}, err
	}
	if c.PreventUserExistenceErrors, err = str(field(props, "PreventUserExistenceErrors"), "PreventUserExistenceErrors"); err != nil {
		return UserPoolClient{}, err
	}
	units := field(props, "TokenValidityUnits")
	for _, v := range []struct {
		prop, unit string
		dst        *Validity
	}{
		{"IdTokenValidity", "IdToken", &c.IDTokenValidity},
		{"AccessTokenValidity", "AccessToken", &c.AccessTokenValidity},
		{"RefreshTokenValidity", "RefreshToken", &c.RefreshTokenValidity},
	} {
		if v.dst.Value, err = integer(field(props, v.prop), v.prop, 0); err != nil {
			return UserPoolClient{}, err
		}
		if v.dst.Value == 0 {
			continue
		}
		if v.dst.Unit, err = str(field(units, v.unit), "TokenValidityUnits."+v.unit); err != nil {
			return UserPoolClient{}, err
		}
		switch v.dst.Unit {
		case "":
			v.dst.Unit = defaultUnits[v.unit]
		case "seconds", "minutes", "hours", "days":
		default:
			return UserPoolClient{}, fmt.Errorf("TokenValidityUnits.%s %q: want seconds, minutes, hours or days", v.unit, v.dst.Unit)
		}
	}
	return c, nil
}

func (t *Template) parseGroup(id string, props *yaml.Node) (UserPoolGroup, error) {
	g := UserPoolGroup{LogicalID: id}
	var err error
	if g.UserPool, err = t.refOfType(field(props, "UserPoolId"), "UserPoolId", typeUserPool); err != nil {
		return UserPoolGroup{}, err
	}
	if g.Name, err = str(field(props, "GroupName"), "GroupName"); err != nil {
		return UserPoolGroup{}, err
	}
	if g.Name == "" {
		g.Name = id
	}
	if g.Description, err = str(field(props, "Description"), "Description"); err != nil {
		return UserPoolGroup{}, err
	}
	if n := field(props, "Precedence"); n != nil {
		p, err := integer(n, "Precedence", 0)
		if err != nil {
			return UserPoolGroup{}, err
		}
		g.Precedence = &p
	}
	return g, nil
}
