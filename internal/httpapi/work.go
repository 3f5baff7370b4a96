package httpapi

import "net/http"

// workRoutes are the routes of billable work: sessions and their
// attendance.
func (s *server) workRoutes(v1 *http.ServeMux) {
	v1.HandleFunc("POST /v1/sessions", s.createSession)
	v1.HandleFunc("GET /v1/sessions", s.listSessions)
	v1.HandleFunc("GET /v1/sessions/{id}", s.getSession)
	v1.HandleFunc("POST /v1/sessions/{id}/attendance", s.markAttendance)
}
