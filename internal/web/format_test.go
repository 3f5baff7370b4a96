package web_test

import (
	"testing"
)

// TestTypedAmountsAndTaxIDs runs format.js in Chromium: amounts typed the
// way people type them become the API's plain decimals (and nothing else
// is changed, so the API still refuses what is wrong), and ABNs print in
// their standard grouping.
func TestTypedAmountsAndTaxIDs(t *testing.T) {
	t.Parallel()
	b := newBrowser(t, newSite(t))
	b.open("/app/login")
	b.waitFor("the page's module", `document.querySelector('script[type=module]')`)
	got := eval[map[string]string](b, `(async () => {
		const src = document.querySelector('script[type=module]').src;
		const { amountInput, taxId } = await import(src.slice(0, src.lastIndexOf('/js/')) + '/js/format.js');
		const out = {};
		for (const s of ['$50', '1,000.00', ' $1,234.5 ', 'A$20', '-$5', '−$5', '50', '5O', 'ABC', '']) out['amount ' + s] = amountInput(s);
		out['abn'] = taxId('ABN', '51824753556');
		out['abn spaced'] = taxId('ABN', '51 824 753 556');
		out['abn short'] = taxId('ABN', '5182475355');
		out['other'] = taxId('GST number', '123456789');
		return out;
	})()`)
	for k, want := range map[string]string{
		"amount $50": "50", "amount 1,000.00": "1000.00", "amount  $1,234.5 ": "1234.5", "amount A$20": "20",
		"amount -$5": "-5", "amount −$5": "-5", "amount 50": "50", "amount 5O": "5O", "amount ABC": "ABC", "amount ": "",
		"abn": "51 824 753 556", "abn spaced": "51 824 753 556", "abn short": "5182475355", "other": "123456789",
	} {
		if got[k] != want {
			t.Errorf("%s → %q, want %q", k, got[k], want)
		}
	}
}
