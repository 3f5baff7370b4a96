package httpapi_test

import (
	"fmt"
	"testing"
)

// TestDraftsAnswerTheirKind is from a new user's trial: a draft made by
// re-issuing (like those sessions and cases make) answered documentKind
// "", so pages had nothing to title it with. Every draft now answers the
// kind it will have, by the one rule the finalized invoice uses.
func TestDraftsAnswerTheirKind(t *testing.T) {
	t.Parallel()
	s := newAPI(t).signup("Kind Care")
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Kai"}).str("id")
	draft := s.must(201, "POST", "/v1/invoices", fmt.Sprintf(novemberInvoice, cid))
	if draft.str("documentKind") != "Invoice" {
		t.Fatalf("a new draft answers documentKind %q", draft.str("documentKind"))
	}
	s.must(200, "POST", "/v1/invoices/"+draft.str("id")+"/finalize", nil)
	re := s.must(201, "POST", "/v1/invoices/"+draft.str("id")+"/reissue", map[string]any{"reason": "wrong rate"})
	if re.str("status") != "draft" || re.str("documentKind") != "Invoice" {
		t.Fatalf("the re-issued draft answers status %q, documentKind %q", re.str("status"), re.str("documentKind"))
	}
	if got := s.must(200, "GET", "/v1/invoices/"+re.str("id"), nil).str("documentKind"); got != "Invoice" {
		t.Fatalf("GET of the re-issued draft: documentKind %q", got)
	}
}
