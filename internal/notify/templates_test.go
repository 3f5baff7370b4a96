package notify

import "testing"

// TestEveryLetterParses parses each email's templates, which the package
// leaves to the first letter written, so a broken template fails here.
func TestEveryLetterParses(t *testing.T) {
	t.Parallel()
	for _, l := range []*letterTemplates{invoiceTemplates, receiptTemplates, statementTemplates} {
		html, text := func() (h, x bool) {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: %v", l.name, r)
				}
			}()
			ht, tt := l.get()
			return ht.Lookup(l.name+".html") != nil, tt.Lookup(l.name+".txt") != nil
		}()
		if !html || !text {
			t.Errorf("%s: html template found %v, text template found %v", l.name, html, text)
		}
	}
}
