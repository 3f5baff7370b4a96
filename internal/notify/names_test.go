package notify_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/pdf/pdftest"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/testkit"
)

// names are clients' names in the scripts carebill's users bill.
var names = []string{"Nguyễn Thị Hằng", "Trần Văn Đức", "陈小明", "김민준", "Σοφία", "Олена", "محمد الأحمد", "דוד כהן"}

// pyMail parses a raw message with Python's email package, a MIME reader
// independent of Go's, and prints what a mail client would show.
const pyMail = `
import email, email.policy, json, sys
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
out = {"subject": str(m["Subject"]), "from": m["From"].addresses[0].display_name, "files": []}
for part in m.walk():
    if part.get_filename():
        out["files"].append(part.get_filename())
    elif part.get_content_type() in ("text/plain", "text/html"):
        out[part.get_content_type()] = part.get_content()
print(json.dumps(out))
`

// TestNamesInEveryScriptByEmail sends invoices to clients named in each
// script, from an org whose name is not ASCII either, and reads the
// emails moto captured: headers stay 7-bit (RFC 2047 words), Go's and
// Python's MIME readers both get the subject, sender, text and HTML back
// with the name intact, the attached PDF prints it, and the pay link's
// page shows it.
func TestNamesInEveryScriptByEmail(t *testing.T) {
	testenv.Require(t, "qpdf", "pdftotext", "python3")
	if err := pdftest.UseRepoFonts(); err != nil {
		t.Fatal(err)
	}
	t.Parallel()
	org := "Chăm sóc Hằng & 陈 Care"
	h := newHarness(t, org)
	for _, name := range names {
		addr := "client-" + unique() + "@example.com"
		cid := h.client(map[string]any{"name": name, "contacts": []map[string]any{{"name": name, "email": addr}}})
		iid := h.draft(cid)
		subject := "Hóa đơn – " + name
		h.must(200, "POST", "/v1/invoices/"+iid+"/send", map[string]any{"channels": []string{"email"}, "email": map[string]any{"subject": subject}})
		// Handled messages stay hidden for the whole test, however slow.
		if failed := handle(t, h.notifier(nil), h.receive(1, 3600)); len(failed) != 0 {
			t.Fatalf("%s: batch item failures: %v", name, failed)
		}
		mails := mailsTo(t, addr)
		if len(mails) != 1 {
			t.Fatalf("%s: %d emails", name, len(mails))
		}
		m := mails[0]
		if m.Subject != subject || m.From.Name != org {
			t.Errorf("%s: Subject %q, From %q", name, m.Subject, m.From.Name)
		}
		if !strings.Contains(m.Text, name) || !strings.Contains(m.HTML, name) {
			t.Errorf("%s: not in the bodies:\n%s\n%s", name, m.Text, m.HTML)
		}
		var number string
		for file, pdf := range m.Attachments {
			number = strings.TrimSuffix(file, ".pdf")
			if txt := stripMarks(testkit.PDFText(t, pdf)); !strings.Contains(txt, name) {
				t.Errorf("%s: attached PDF does not print the name:\n%s", name, txt)
			}
		}

		raw := rawMailTo(t, addr)
		head, _, _ := strings.Cut(raw, "\r\n\r\n")
		for _, r := range head {
			if r > 126 {
				t.Fatalf("%s: header is not 7-bit:\n%s", name, head)
			}
		}
		py := exec.Command("python3", "-c", pyMail)
		py.Stdin = strings.NewReader(raw)
		out, err := py.Output()
		if err != nil {
			t.Fatalf("python email parser: %v", err)
		}
		var got map[string]any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		if got["subject"] != subject || got["from"] != org || !strings.Contains(got["text/plain"].(string), name) || !strings.Contains(got["text/html"].(string), name) {
			t.Errorf("%s: Python reads %v", name, got)
		}
		if files, _ := got["files"].([]any); len(files) != 1 || files[0] != number+".pdf" {
			t.Errorf("%s: Python reads attachments %v", name, got["files"])
		}

		link := payLinkRE.FindString(m.Text)
		if status, page := h.openLink(link); status != 200 || !strings.Contains(page, name) || !strings.Contains(page, `charset="utf-8"`) && !strings.Contains(page, "charset=utf-8") {
			t.Errorf("%s: pay page %d:\n%s", name, status, page)
		}
	}
}

// rawMailTo is the one raw message moto captured for addr.
func rawMailTo(t *testing.T, addr string) string {
	t.Helper()
	for _, m := range outbox(t).SES.RawMessage {
		for _, a := range testkit.ParseMail(t, m.RawData).To {
			if a.Address == addr {
				return m.RawData
			}
		}
	}
	t.Fatalf("no email to %s", addr)
	return ""
}

// stripMarks drops the bidi embedding marks pdftotext wraps right-to-left
// text in.
func stripMarks(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069' || r == '\u200E' || r == '\u200F' {
			return -1
		}
		return r
	}, s)
}
