package portal

import "testing"

// TestEveryPageParses parses each page, which New leaves to the page's
// first request, so a broken template fails here.
func TestEveryPageParses(t *testing.T) {
	t.Parallel()
	for _, name := range pageNames {
		tmpl, err := parsePage(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if tmpl.Lookup("layout") == nil {
			t.Errorf("%s: no layout template", name)
		}
	}
}
