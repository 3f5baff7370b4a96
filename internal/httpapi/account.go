package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/validation"
)

type signupRequest struct {
	OrgName  string `json:"orgName"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

type credentials struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	NewPassword string `json:"newPassword"` // an invited member's own, replacing the temporary one
}

type loginResponse struct {
	Token     string `json:"token"`
	TokenType string `json:"tokenType"`
	ExpiresIn int64  `json:"expiresIn"`
}

func (s *server) signup(w http.ResponseWriter, r *http.Request) {
	var req signupRequest
	if err := decode(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	req.Email = strings.ToLower(strings.TrimSpace(req.Email))
	if err := checkCredentials(req.Email, req.Password); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := auth.CheckPassword(req.Password); err != nil {
		s.writeError(w, r, err)
		return
	}
	o, err := s.billing.Signup(r.Context(), strings.TrimSpace(req.OrgName), req.Email, req.Password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, orgJSON(o))
}

func checkCredentials(email, password string) error {
	if err := validation.Text("email", email, true, 254); err != nil {
		return err
	}
	if !strings.Contains(email, "@") {
		return validation.Errorf("email", "must be an email address")
	}
	return validation.Text("password", password, true, 256)
}

func (s *server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req credentials
	if err := decode(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	req.Email = strings.ToLower(strings.TrimSpace(req.Email))
	if err := checkCredentials(req.Email, req.Password); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.NewPassword != "" {
		if err := auth.CheckPassword(req.NewPassword); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	token, ttl, err := s.login(r.Context(), req.Email, req.Password, req.NewPassword)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	maxAge := int(ttl / time.Second)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode,
	})
	writeJSON(w, http.StatusOK, loginResponse{Token: token, TokenType: "Bearer", ExpiresIn: int64(maxAge)})
}

// logout revokes the session token it is sent (cookie or bearer) until
// it expires, then clears the cookies. A token that is already invalid
// has nothing to revoke.
func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	token := bearer(r)
	if c, err := r.Cookie(sessionCookie); token == "" && err == nil {
		token = c.Value
	}
	if token != "" {
		if p, err := s.admit(r.Context(), token); err == nil {
			if err := s.team.SignOut(r.Context(), p, tokenHash(token)); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, Secure: true, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
}
