package payments_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/teststack"
	"github.com/carebill/carebill/internal/wire"
	"github.com/carebill/carebill/internal/wire/payments"
)

var moto *testenv.Moto

func TestMain(m *testing.M) { testenv.MainWithMoto(m, &moto) }

// TestStripeCredentialsReadAtFirstCardUse: the function starts without
// reading SSM (its cold start makes no AWS call); a webhook that arrives
// while the secrets are missing gets a 503, so Stripe retries, and an
// error an operator sees; once they exist, the next delivery reads them
// and is judged on its signature.
func TestStripeCredentialsReadAtFirstCardUse(t *testing.T) {
	ctx := context.Background()
	st := teststack.New(t, moto)
	env := st.Env(t, "PaymentsFunction")
	var logs bytes.Buffer
	h, err := payments.New(ctx, env, st.AWSFor("PaymentsFunction"), wire.LoggerTo(&logs, env))
	if err != nil {
		t.Fatalf("payments.New without the Stripe secrets in SSM: %v", err)
	}
	deliver := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/webhooks/stripe", strings.NewReader(`{"id":"evt_1","type":"charge.refunded"}`))
		req.Header.Set("Stripe-Signature", "t=1700000000,v1=0000")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	rec := deliver()
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "card_payments_unavailable") {
		t.Fatalf("webhook with no secrets in SSM: %d %s, want 503 card_payments_unavailable", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), `"level":"ERROR","msg":"stripe credentials"`) || !strings.Contains(logs.String(), env("STRIPE_KEY_PARAM")) {
		t.Errorf("no error naming the missing parameter logged:\n%s", logs.String())
	}

	if err := provision.PutSecureStrings(ctx, st.AWS, map[string]string{
		env("STRIPE_KEY_PARAM"): "sk_test_carebill", env("STRIPE_WEBHOOK_SECRET_PARAM"): "whsec_carebill",
	}); err != nil {
		t.Fatal(err)
	}
	rec = deliver()
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "invalid_signature") {
		t.Fatalf("webhook with a forged signature once the secrets exist: %d %s, want 400 invalid_signature", rec.Code, rec.Body)
	}
}
