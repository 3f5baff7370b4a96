package httpapi_test

import "testing"

// TestClientWithNDISPlan: GET /v1/clients/{id}?include=ndisPlan answers a
// participant without a plan with 200 and no ndisPlan, one with a plan
// with it; any other include is 400, another org's client 404.
func TestClientWithNDISPlan(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Participant Care")
	cid := s.must(201, "POST", "/v1/clients", map[string]any{"name": "Pat", "funding": map[string]any{"type": "self_managed", "ndisNumber": "430000002"}}).str("id")

	r := s.must(200, "GET", "/v1/clients/"+cid+"?include=ndisPlan", nil)
	if _, ok := r.body["ndisPlan"]; ok || r.str("id") != cid {
		t.Fatalf("no plan yet: %s", r.raw)
	}
	s.must(200, "PUT", "/v1/clients/"+cid+"/ndis-plan", map[string]any{"start": "2026-07-01", "end": "2027-06-30", "remoteness": "remote", "budgets": map[string]string{"07": "500.00"}})
	r = s.must(200, "GET", "/v1/clients/"+cid+"?include=ndisPlan", nil)
	if r.str("ndisPlan", "start") != "2026-07-01" || r.str("ndisPlan", "remoteness") != "remote" || r.str("ndisPlan", "budgets", "07") != "500.00" {
		t.Fatalf("plan not included: %s", r.raw)
	}
	if r := s.must(200, "GET", "/v1/clients/"+cid, nil); r.body["ndisPlan"] != nil {
		t.Fatalf("plan included unasked: %s", r.raw)
	}
	if r := s.do("GET", "/v1/clients/"+cid+"?include=tasks", nil); r.status != 400 || r.str("error", "field") != "include" {
		t.Fatalf("unknown include: %d %s", r.status, r.raw)
	}
	a.signup("Other Participant Care").must(404, "GET", "/v1/clients/"+cid+"?include=ndisPlan", nil)
}
