package main

import (
	"bytes"
	"io"
	"net/http"
)

// pdf downloads a PDF route with the coordinator's token through the
// stack's router, as the UI's download links do, and fails unless it is
// a PDF: the documents function must be mounted where template.yaml
// routes it.
func (l *localStack) pdf(path string) []byte {
	l.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, l.api.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+l.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF-")) {
		l.t.Fatalf("GET %s = %d %s %.200q, want a PDF", path, res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	return body
}
