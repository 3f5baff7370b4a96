package pdftest

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/carebill/carebill/internal/pdf"
)

// UseRepoFonts points the pdf package at the repository's .fonts directory
// (where scripts/fetch-fonts.sh, run by `make test`, puts the CJK fonts)
// unless CAREBILL_FONT_DIR is already set, and fails clearly when the fonts
// are not there. Call it from TestMain before anything renders.
func UseRepoFonts() error {
	dir := os.Getenv(pdf.FontDirEnv)
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				dir = filepath.Join(d, ".fonts")
				break
			}
			if filepath.Dir(d) == d {
				return fmt.Errorf("no go.mod above %s", wd)
			}
		}
		if err := os.Setenv(pdf.FontDirEnv, dir); err != nil {
			return err
		}
	}
	for _, name := range pdf.LargeFonts {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("font %s missing from %s: run scripts/fetch-fonts.sh (make test does): %w", name, dir, err)
		}
	}
	return nil
}
