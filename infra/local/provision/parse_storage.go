package provision

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

func parseTable(id string, props *yaml.Node) (Table, error) {
	if props == nil {
		return Table{}, fmt.Errorf("no Properties")
	}
	attrs := map[string]string{}
	defs := field(props, "AttributeDefinitions")
	if defs == nil || defs.Kind != yaml.SequenceNode {
		return Table{}, fmt.Errorf("line %d: AttributeDefinitions: want a list", props.Line)
	}
	for _, d := range defs.Content {
		name, err := required(d, "AttributeName", "AttributeDefinitions")
		if err != nil {
			return Table{}, err
		}
		typ, err := required(d, "AttributeType", "AttributeDefinitions "+name)
		if err != nil {
			return Table{}, err
		}
		if typ != "S" && typ != "N" && typ != "B" {
			return Table{}, fmt.Errorf("line %d: AttributeDefinitions %s: AttributeType %q: want S, N or B", d.Line, name, typ)
		}
		attrs[name] = typ
	}
	t := Table{LogicalID: id, BillingMode: "PROVISIONED"}
	var err error
	if t.HashKey, t.RangeKey, err = keySchema(props, attrs, "KeySchema"); err != nil {
		return Table{}, err
	}
	if t.BillingMode, err = str(field(props, "BillingMode"), "BillingMode"); err != nil {
		return Table{}, err
	}
	if t.BillingMode == "" {
		t.BillingMode = "PROVISIONED"
	}
	provisioned := t.BillingMode == "PROVISIONED"
	if t.ReadCapacity, t.WriteCapacity, err = throughput(props, provisioned); err != nil {
		return Table{}, err
	}
	for _, kind := range []string{"GlobalSecondaryIndexes", "LocalSecondaryIndexes"} {
		list := field(props, kind)
		if list == nil {
			continue
		}
		if list.Kind != yaml.SequenceNode {
			return Table{}, wantErr(list, kind, "a list")
		}
		for _, n := range list.Content {
			ix, err := parseIndex(n, attrs, kind, provisioned && kind == "GlobalSecondaryIndexes")
			if err != nil {
				return Table{}, err
			}
			if kind == "GlobalSecondaryIndexes" {
				t.GSIs = append(t.GSIs, ix)
			} else {
				t.LSIs = append(t.LSIs, ix)
			}
		}
	}
	if ttl := field(props, "TimeToLiveSpecification"); ttl != nil {
		on, err := boolean(field(ttl, "Enabled"), "TimeToLiveSpecification.Enabled", false)
		if err != nil {
			return Table{}, err
		}
		if on {
			if t.TTLAttribute, err = required(ttl, "AttributeName", "TimeToLiveSpecification"); err != nil {
				return Table{}, err
			}
		}
	}
	if s := field(props, "StreamSpecification"); s != nil {
		if t.StreamViewType, err = required(s, "StreamViewType", "StreamSpecification"); err != nil {
			return Table{}, err
		}
	}
	return t, nil
}

func keySchema(parent *yaml.Node, attrs map[string]string, what string) (hash, rng KeyAttr, err error) {
	ks := field(parent, "KeySchema")
	if ks == nil || ks.Kind != yaml.SequenceNode || len(ks.Content) == 0 {
		return hash, rng, fmt.Errorf("line %d: %s: KeySchema: want a list of keys", parent.Line, what)
	}
	for _, k := range ks.Content {
		name, err := required(k, "AttributeName", what+": KeySchema")
		if err != nil {
			return hash, rng, err
		}
		typ, ok := attrs[name]
		if !ok {
			return hash, rng, fmt.Errorf("line %d: %s: key %s is not in AttributeDefinitions", k.Line, what, name)
		}
		kt, err := required(k, "KeyType", what+": KeySchema "+name)
		if err != nil {
			return hash, rng, err
		}
		switch kt {
		case "HASH":
			hash = KeyAttr{Name: name, Type: typ}
		case "RANGE":
			rng = KeyAttr{Name: name, Type: typ}
		default:
			return hash, rng, fmt.Errorf("line %d: %s: KeyType %q: want HASH or RANGE", k.Line, what, kt)
		}
	}
	if hash.Name == "" {
		return hash, rng, fmt.Errorf("line %d: %s: KeySchema has no HASH key", ks.Line, what)
	}
	return hash, rng, nil
}

func throughput(parent *yaml.Node, provisioned bool) (read, write int64, err error) {
	pt := field(parent, "ProvisionedThroughput")
	if !provisioned {
		return 0, 0, nil
	}
	if pt == nil {
		return 0, 0, fmt.Errorf("line %d: ProvisionedThroughput is required without BillingMode PAY_PER_REQUEST", parent.Line)
	}
	if read, err = integer(field(pt, "ReadCapacityUnits"), "ReadCapacityUnits", 0); err != nil {
		return 0, 0, err
	}
	if write, err = integer(field(pt, "WriteCapacityUnits"), "WriteCapacityUnits", 0); err != nil {
		return 0, 0, err
	}
	return read, write, nil
}

func parseIndex(n *yaml.Node, attrs map[string]string, kind string, provisioned bool) (Index, error) {
	name, err := required(n, "IndexName", kind)
	if err != nil {
		return Index{}, err
	}
	ix := Index{Name: name}
	if ix.HashKey, ix.RangeKey, err = keySchema(n, attrs, kind+" "+name); err != nil {
		return Index{}, err
	}
	proj := field(n, "Projection")
	if ix.Projection, err = str(field(proj, "ProjectionType"), kind+" "+name+": ProjectionType"); err != nil {
		return Index{}, err
	}
	if ix.Projection == "" {
		return Index{}, fmt.Errorf("line %d: %s %s: Projection.ProjectionType is missing", n.Line, kind, name)
	}
	if ix.NonKeyAttributes, err = strList(field(proj, "NonKeyAttributes"), kind+" "+name+": NonKeyAttributes"); err != nil {
		return Index{}, err
	}
	if ix.ReadCapacity, ix.WriteCapacity, err = throughput(n, provisioned); err != nil {
		return Index{}, err
	}
	return ix, nil
}

// queueAttributes are the AWS::SQS::Queue properties that are SQS queue
// attributes of the same name.
var queueAttributes = []string{
	"ContentBasedDeduplication", "DeduplicationScope", "DelaySeconds", "FifoQueue",
	"FifoThroughputLimit", "KmsDataKeyReusePeriodSeconds", "KmsMasterKeyId",
	"MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
	"SqsManagedSseEnabled", "VisibilityTimeout",
}

func (t *Template) parseQueue(id string, props *yaml.Node) (Queue, error) {
	q := Queue{LogicalID: id, VisibilityTimeout: defaultVisibilityTimeout, Attributes: map[string]string{}}
	for _, name := range queueAttributes {
		n := field(props, name)
		if n == nil {
			continue
		}
		v, err := str(n, name)
		if err != nil {
			return Queue{}, err
		}
		q.Attributes[name] = v
	}
	var err error
	if q.FIFO, err = boolean(field(props, "FifoQueue"), "FifoQueue", false); err != nil {
		return Queue{}, err
	}
	if q.VisibilityTimeout, err = integer(field(props, "VisibilityTimeout"), "VisibilityTimeout", defaultVisibilityTimeout); err != nil {
		return Queue{}, err
	}
	rp := field(props, "RedrivePolicy")
	if rp == nil {
		return q, nil
	}
	if rp.Kind != yaml.MappingNode {
		return Queue{}, wantErr(rp, "RedrivePolicy", "a mapping with deadLetterTargetArn and maxReceiveCount")
	}
	target := field(rp, "deadLetterTargetArn")
	dlq, attr, ok := getAttTarget(target)
	if target == nil || !ok || attr != "Arn" || t.types[dlq] != typeQueue {
		return Queue{}, fmt.Errorf("line %d: RedrivePolicy: deadLetterTargetArn must be !GetAtt <Queue>.Arn of a queue in this template", rp.Line)
	}
	if dlq == id {
		return Queue{}, fmt.Errorf("line %d: RedrivePolicy: a queue cannot be its own dead-letter queue", rp.Line)
	}
	q.DeadLetterQueue = dlq
	// maxReceiveCount may be a !Ref to a parameter the function that reads
	// the queue also gets, so the two cannot disagree.
	mrc := field(rp, "maxReceiveCount")
	if mrc != nil {
		v, err := t.plain(mrc, "RedrivePolicy.maxReceiveCount")
		if err != nil {
			return Queue{}, err
		}
		mrc = scalar(v, mrc.Line)
	}
	if q.MaxReceiveCount, err = integer(mrc, "RedrivePolicy.maxReceiveCount", 0); err != nil {
		return Queue{}, err
	}
	if q.MaxReceiveCount < 1 {
		return Queue{}, fmt.Errorf("line %d: RedrivePolicy: maxReceiveCount must be at least 1", rp.Line)
	}
	return q, nil
}
