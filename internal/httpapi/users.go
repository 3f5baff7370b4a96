package httpapi

import (
	"net/http"
	"time"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/member"
)

type userResponse struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"createdAt"`
}

func userJSON(m member.Member) userResponse {
	return userResponse{ID: m.UserID, Email: m.Email, Role: string(m.Role), CreatedAt: m.CreatedAt}
}

type inviteBody struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

type roleBody struct {
	Role string `json:"role"`
}

// userRoutes are the admin's members routes: invite (POST), list, change
// role (PATCH) and remove (DELETE).
func (s *server) userRoutes(v1 router) {
	v1.HandleFunc("POST /v1/users", s.inviteUser)
	v1.HandleFunc("GET /v1/users", s.listUsers)
	v1.HandleFunc("PATCH /v1/users/{id}", s.patchUser)
	v1.HandleFunc("DELETE /v1/users/{id}", s.removeUser)
	v1.HandleFunc("GET /v1/me", s.me)
}

// meResponse is the signed-in member: their role and the actions it
// allows (auth.Action values: view, bill, void, unlock, refund, reverse,
// change_settings, export, manage_users), so pages offer only those.
type meResponse struct {
	UserID      string   `json:"userId"`
	Email       string   `json:"email"`
	Role        string   `json:"role"`
	Permissions []string `json:"permissions"`
}

// me answers GET /v1/me to any member of the org.
func (s *server) me(w http.ResponseWriter, r *http.Request) {
	p := principal(r.Context())
	out := meResponse{UserID: p.UserID, Email: p.Email, Role: string(p.Role), Permissions: []string{}}
	for _, a := range billing.Permissions(p.Role) {
		out.Permissions = append(out.Permissions, string(a))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *server) inviteUser(w http.ResponseWriter, r *http.Request) {
	var b inviteBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.team.Invite(r.Context(), principal(r.Context()), b.Email, auth.Role(b.Role))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/users/"+m.UserID)
	writeJSON(w, http.StatusCreated, userJSON(m))
}

func (s *server) listUsers(w http.ResponseWriter, r *http.Request) {
	ms, err := s.team.Members(r.Context(), principal(r.Context()))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := list[userResponse]{Data: make([]userResponse, 0, len(ms))}
	for _, m := range ms {
		out.Data = append(out.Data, userJSON(m))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *server) patchUser(w http.ResponseWriter, r *http.Request) {
	var b roleBody
	if err := decode(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.team.ChangeRole(r.Context(), principal(r.Context()), r.PathValue("id"), auth.Role(b.Role))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, userJSON(m))
}

func (s *server) removeUser(w http.ResponseWriter, r *http.Request) {
	if err := s.team.Remove(r.Context(), principal(r.Context()), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
