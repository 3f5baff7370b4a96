package pdf_test

import (
	"regexp"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/carebill/carebill/internal/pdf/pdftest"
)

// TestPayLinkQRCode reads the QR code on the rendered page with a QR
// decoder (ZXing's port): it must carry the pay link exactly.
func TestPayLinkQRCode(t *testing.T) {
	t.Parallel()
	d := pdftest.Invoice(2)
	img := raster(t, render(t, d), 150)
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code found on the page: %v", err)
	}
	if res.GetText() != pdftest.PayLink {
		t.Errorf("QR code reads %q, want %q", res.GetText(), pdftest.PayLink)
	}

	d.PayLink = "javascript:alert(1)"
	bmp, err = gozxing.NewBinaryBitmapFromImage(raster(t, render(t, d), 150))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}); err == nil {
		t.Error("a link that is not http(s) got a QR code")
	}
}

// TestBankTransferDetails prints the transfer rows under the pay link.
func TestBankTransferDetails(t *testing.T) {
	t.Parallel()
	text := render(t, pdftest.Invoice(1)).text()
	contains(t, "text", text, "PAY BY BANK TRANSFER")
	for _, f := range pdftest.Invoice(1).Transfer {
		if !regexp.MustCompile(regexp.QuoteMeta(f.Label) + `\s+` + regexp.QuoteMeta(f.Value)).MatchString(text) {
			t.Errorf("%s %s not on one line:\n%s", f.Label, f.Value, grep(text, f.Label))
		}
	}
}
