package main

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"regexp"

	"rsc.io/qr"

	"github.com/carebill/carebill/internal/pdf"
)

//go:embed invoice.html.tmpl
var invoiceHTML string

var invoiceTmpl = template.Must(template.New("invoice").Parse(invoiceHTML))

var hexColour = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// htmlView is a pdf.Document as the template needs it: the colour checked
// (html/template would neutralise a bad one as ZgotmplZ) and the logo as a
// data URL.
type htmlView struct {
	pdf.Document
	Colour template.CSS
	Logo   template.URL
	QR     template.URL // the pay link as a QR code PNG
}

// renderHTML builds the HTML Chromium prints, and the footer template it
// repeats on every page: the same content and much the same layout as
// internal/pdf draws.
func renderHTML(d pdf.Document) (page, footer string, err error) {
	v := htmlView{Document: d, Colour: "#2B6CB0"}
	if d.Colour != "" {
		if !hexColour.MatchString(d.Colour) {
			return "", "", fmt.Errorf("bad colour %q", d.Colour)
		}
		v.Colour = template.CSS(d.Colour)
	}
	if len(d.LogoPNG) > 0 {
		v.Logo = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(d.LogoPNG))
	}
	if d.PayLink != "" {
		code, err := qr.Encode(d.PayLink, qr.M)
		if err != nil {
			return "", "", fmt.Errorf("qr code: %w", err)
		}
		v.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(code.PNG()))
	}
	var p, f bytes.Buffer
	if err := invoiceTmpl.ExecuteTemplate(&p, "page", v); err != nil {
		return "", "", fmt.Errorf("invoice template: %w", err)
	}
	if err := invoiceTmpl.ExecuteTemplate(&f, "footer", v); err != nil {
		return "", "", fmt.Errorf("footer template: %w", err)
	}
	return p.String(), f.String(), nil
}
