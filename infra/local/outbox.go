package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/carebill/carebill/internal/email"
)

// outbox serves /dev/outbox: the emails and texts moto captured instead of
// sending them, newest first, with their links clickable, so a person can
// follow an invoice from "send" to its pay page. Each email's HTML body and
// attachments open from the page too.
type outbox struct {
	moto string // moto's endpoint; it keeps what it captured at /moto-api/data.json
	http *http.Client
}

//go:embed outbox.html
var outboxHTML string

var outboxPage = template.Must(template.New("outbox").Parse(outboxHTML))

// captured is the part of moto's data.json that holds sent mail and texts.
type captured struct {
	SES struct {
		RawMessage []struct {
			ID      string `json:"id"`
			RawData string `json:"raw_data"`
		} `json:"RawMessage"`
	} `json:"ses"`
	SNS struct {
		SMS []struct {
			PhoneNumber string `json:"phone_number"`
			Message     string `json:"message"`
		} `json:"SMS"`
	} `json:"sns"`
}

// mailView is one email as the page shows it.
type mailView struct {
	ID          string
	From        string
	To          string
	ReplyTo     string
	Subject     string
	Date        string
	Text        []segment
	HasHTML     bool
	Attachments []attachmentView
	Problem     string // why the message could not be read
}

type attachmentView struct {
	Index int
	Name  string
	Size  string
}

type textView struct {
	To   string
	Body []segment
}

// segment is a run of text, or a link when URL is set.
type segment struct {
	Text string
	URL  string
}

// outboxShown is how many of the newest emails, and of the newest texts,
// the page shows.
const outboxShown = 50

var linkRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkify splits s into text and links.
func linkify(s string) []segment {
	var out []segment
	for {
		loc := linkRE.FindStringIndex(s)
		if loc == nil {
			return append(out, segment{Text: s})
		}
		url := strings.TrimRight(s[loc[0]:loc[1]], ".,;:)")
		out = append(out, segment{Text: s[:loc[0]]}, segment{Text: url, URL: url})
		s = s[loc[0]+len(url):]
	}
}

func (o *outbox) captured(ctx context.Context) (captured, error) {
	var c captured
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.moto+"/moto-api/data.json", nil)
	if err != nil {
		return c, err
	}
	res, err := o.http.Do(req)
	if err != nil {
		return c, fmt.Errorf("read moto's captured messages: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return c, fmt.Errorf("read moto's captured messages: %s", res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(&c); err != nil {
		return c, fmt.Errorf("read moto's captured messages: %w", err)
	}
	return c, nil
}

func joinAddresses(list []mail.Address) string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.String()
	}
	return strings.Join(out, ", ")
}

func (o *outbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := o.captured(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var page struct {
		Mails      []mailView
		Texts      []textView
		MailsTotal int
		TextsTotal int
		Shown      int
	}
	page.MailsTotal, page.TextsTotal, page.Shown = len(c.SES.RawMessage), len(c.SNS.SMS), outboxShown
	// Only the newest messages are read: MIME-parsing thousands of
	// captured emails (PDFs and all) is what made the page time out.
	for _, raw := range slices.Backward(c.SES.RawMessage[max(0, len(c.SES.RawMessage)-outboxShown):]) {
		v := mailView{ID: raw.ID}
		m, err := email.Read([]byte(raw.RawData))
		if err != nil {
			v.Problem, v.Text = err.Error(), linkify(raw.RawData)
			page.Mails = append(page.Mails, v)
			continue
		}
		v.From, v.To, v.ReplyTo, v.Subject = m.From.String(), joinAddresses(m.To), joinAddresses(m.ReplyTo), m.Subject
		if !m.Date.IsZero() {
			v.Date = m.Date.Format("Mon 2 Jan 2006 15:04:05 MST")
		}
		v.Text, v.HasHTML = linkify(m.Text), m.HTML != ""
		for i, a := range m.Attachments {
			v.Attachments = append(v.Attachments, attachmentView{Index: i, Name: a.Name, Size: strconv.Itoa((len(a.Data)+1023)/1024) + " KB"})
		}
		page.Mails = append(page.Mails, v)
	}
	for _, sms := range slices.Backward(c.SNS.SMS[max(0, len(c.SNS.SMS)-outboxShown):]) {
		page.Texts = append(page.Texts, textView{To: sms.PhoneNumber, Body: linkify(sms.Message)})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	if err := outboxPage.Execute(w, page); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// message finds a captured email by moto's id.
func (o *outbox) message(w http.ResponseWriter, r *http.Request) (email.Message, bool) {
	c, err := o.captured(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return email.Message{}, false
	}
	for _, raw := range c.SES.RawMessage {
		if raw.ID == r.PathValue("id") {
			m, err := email.Read([]byte(raw.RawData))
			if err != nil {
				http.Error(w, err.Error(), http.StatusUnprocessableEntity)
				return email.Message{}, false
			}
			return m, true
		}
	}
	http.NotFound(w, r)
	return email.Message{}, false
}

// serveHTML shows an email's HTML body as a mail client would: no scripts,
// no frames, no requests anywhere but for images.
func (o *outbox) serveHTML(w http.ResponseWriter, r *http.Request) {
	m, ok := o.message(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; sandbox allow-popups allow-top-navigation-by-user-activation")
	_, _ = w.Write([]byte(m.HTML))
}

// serveAttachment downloads one of an email's attachments.
func (o *outbox) serveAttachment(w http.ResponseWriter, r *http.Request) {
	m, ok := o.message(w, r)
	if !ok {
		return
	}
	i, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || i < 0 || i >= len(m.Attachments) {
		http.NotFound(w, r)
		return
	}
	a := m.Attachments[i]
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Disposition", `inline; filename="`+strings.NewReplacer(`"`, "", "\r", "", "\n", "").Replace(a.Name)+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(a.Data)
}

// routes mounts the outbox under /dev/outbox.
func (o *outbox) routes(mux *http.ServeMux) {
	mux.Handle("GET /dev/outbox", o)
	mux.HandleFunc("GET /dev/outbox/{id}/html", o.serveHTML)
	mux.HandleFunc("GET /dev/outbox/{id}/attachments/{n}", o.serveAttachment)
}
