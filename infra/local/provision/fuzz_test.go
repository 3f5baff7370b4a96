package provision

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes the template parser panic or hang.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("..", "..", "..", "template.yaml")); err == nil {
		f.Add(data)
	}
	f.Add([]byte("Resources:\n  A: &a {Type: AWS::SQS::Queue}\n  B: *a\n"))
	f.Add([]byte("Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Environment:\n        Variables:\n          X: !Sub [\"${A}\", {A: !Ref F}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = parse(data)
	})
}
