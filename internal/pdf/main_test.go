package pdf_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/carebill/carebill/internal/pdf/pdftest"
)

func TestMain(m *testing.M) {
	if err := pdftest.UseRepoFonts(); err != nil {
		fmt.Fprintln(os.Stderr, "pdf tests:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
