package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/cycle"
	"github.com/carebill/carebill/internal/org"
)

// A period_closed refusal carries the closed cycle's id in cycleId, and
// only there: the sentence a person reads names the cycle by its dates.
func TestPeriodClosedCarriesCycleID(t *testing.T) {
	per := cycle.Period{Start: calendar.MustParse("2026-10-01"), End: calendar.MustParse("2026-10-31")}
	err := fmt.Errorf("record payment: %w", &org.PeriodClosedError{Date: calendar.MustParse("2026-10-25"), Cycle: per, Checked: true, HasStatement: true})
	rec := httptest.NewRecorder()
	(&server{}).writeError(rec, httptest.NewRequest(http.MethodPost, "/v1/payments", nil), err)
	var body struct {
		Error struct{ Code, Message, CycleID string }
	}
	if jerr := json.Unmarshal(rec.Body.Bytes(), &body); jerr != nil || rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("%d %s %v", rec.Code, rec.Body, jerr)
	}
	e := body.Error
	if e.Code != "period_closed" || e.CycleID != "cyc_20261001" || strings.Contains(e.Message, "cyc_") ||
		!strings.HasPrefix(e.Message, "25 Oct 2026 falls in the billing cycle 1–31 Oct 2026, which is closed") {
		t.Fatalf("period_closed body %s", rec.Body)
	}
}
