package testkit

import (
	"encoding/json"
	"net/http"
	"testing"
)

// Outbox is what moto's /moto-api/data.json holds of the email SES and the
// text messages SNS accepted, across every test sharing the server.
type Outbox struct {
	SES struct {
		RawMessage []struct {
			ID           string   `json:"id"`
			Source       string   `json:"source"`
			Destinations []string `json:"destinations"`
			RawData      string   `json:"raw_data"`
		} `json:"RawMessage"`
	} `json:"ses"`
	SNS struct {
		SMS []struct {
			MessageID   string `json:"message_id"`
			PhoneNumber string `json:"phone_number"`
			Message     string `json:"message"`
		} `json:"SMS"`
	} `json:"sns"`
}

// ReadOutbox reads the outbox of the moto server at endpoint.
func ReadOutbox(t testing.TB, endpoint string) Outbox {
	t.Helper()
	res, err := http.Get(endpoint + "/moto-api/data.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var o Outbox
	if err := json.NewDecoder(res.Body).Decode(&o); err != nil {
		t.Fatalf("moto's data.json: %v", err)
	}
	return o
}

// TextsTo is the text of each SMS sent to phone, oldest first.
func (o Outbox) TextsTo(phone string) []string {
	var out []string
	for _, m := range o.SNS.SMS {
		if m.PhoneNumber == phone {
			out = append(out, m.Message)
		}
	}
	return out
}
