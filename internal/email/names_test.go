package email_test

import (
	"encoding/json"
	"net/mail"
	"os/exec"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/testenv"
)

// TestNonASCIINamesSurviveMIME writes a message whose sender, subject,
// bodies and attachment file name carry names in several scripts and
// reads it with Python's email package, a reader independent of Go's:
// headers are RFC 2047 encoded words, the file name an RFC 2231
// parameter, and everything comes back as written.
func TestNonASCIINamesSurviveMIME(t *testing.T) {
	testenv.Require(t, "python3")
	t.Parallel()
	names := "Nguyễn Thị Hằng, 陈小明, 김민준, Σοφία, Олена, محمد الأحمد, דוד כהן"
	m := sample()
	m.From = mail.Address{Name: "Chăm sóc Hằng & 陈 Care", Address: "invoices@carebill.example"}
	m.Subject = "Hóa đơn for " + names + ", a subject long enough to be folded over several encoded words"
	m.Text = "Hello " + names + "\n"
	m.HTML = "<p>Hello " + names + "</p>"
	m.Attachments[0].Name = "Hóa đơn 陈小明 INV-00001.pdf"
	raw, err := m.MIME()
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	if strings.Contains(head, "Hóa") || strings.Contains(head, "陈") {
		t.Fatalf("raw UTF-8 in the header:\n%s", head)
	}
	if !strings.Contains(string(raw), "filename*=") {
		t.Errorf("attachment file name not an RFC 2231 parameter:\n%s", raw)
	}
	py := exec.Command("python3", "-c", `
import email, email.policy, json, sys
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
out = {"subject": str(m["Subject"]), "from": m["From"].addresses[0].display_name, "files": []}
for part in m.walk():
    if part.get_filename():
        out["files"].append(part.get_filename())
    elif part.get_content_type() in ("text/plain", "text/html"):
        out[part.get_content_type()] = part.get_content()
print(json.dumps(out))
`)
	py.Stdin = strings.NewReader(string(raw))
	out, err := py.Output()
	if err != nil {
		t.Fatalf("python email parser: %v", err)
	}
	var got struct {
		Subject, From string
		Files         []string
		Text          string `json:"text/plain"`
		HTML          string `json:"text/html"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if got.Subject != m.Subject || got.From != m.From.Name || len(got.Files) != 1 || got.Files[0] != m.Attachments[0].Name ||
		!strings.Contains(got.Text, names) || !strings.Contains(got.HTML, names) {
		t.Errorf("Python reads %+v", got)
	}
}
