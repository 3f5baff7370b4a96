package portal

import (
	"errors"
	"log/slog"
	"net"
	"net/http"

	"github.com/carebill/carebill/internal/clientauth"
	"github.com/carebill/carebill/internal/org"
)

// sessionCookie holds a portal session's secret, scoped to one org's
// portal by its path.
const sessionCookie = "carebill_portal"

// signInView is the sign-in form.
type signInView struct {
	OrgID     string
	Email     string
	Error     string
	SignedOut bool
}

// signInPage asks for an email; a client already signed in goes straight
// to their invoices.
func (s *server) signInPage(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orgOf(w, r)
	if !ok {
		return
	}
	if _, _, err := s.session(r, o.ID); err == nil {
		http.Redirect(w, r, "/portal/"+o.ID+"/invoices", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "Sign in", o, signInPage(signInView{OrgID: o.ID, SignedOut: r.URL.Query().Has("signedout")}))
}

// orgOf loads the org of the path's portal, answering the not-valid page
// for an id that is no org's.
func (s *server) orgOf(w http.ResponseWriter, r *http.Request) (*org.Org, bool) {
	o, err := s.Access.Org(r.Context(), r.PathValue("org"))
	if errors.Is(err, org.ErrNotFound) {
		s.notFound(w, r, nil)
		return nil, false
	}
	if err != nil {
		s.failPage(w, r, nil, err)
		return nil, false
	}
	return o, true
}

// requestLink queues a sign-in email (the notifier sends it if the email
// is on file) and says the same either way, after the same work, so the
// form cannot tell anyone whose email is.
func (s *server) requestLink(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orgOf(w, r)
	if !ok {
		return
	}
	email := r.PostFormValue("email")
	err := s.Access.RequestLink(r.Context(), o.ID, email, sourceOf(r), s.publicBase(r))
	switch {
	case errors.Is(err, clientauth.ErrBadEmail):
		s.render(w, r, http.StatusBadRequest, "Sign in", o, signInPage(signInView{OrgID: o.ID, Email: email, Error: clientauth.ErrBadEmail.Error()}))
		return
	case errors.Is(err, clientauth.ErrThrottled):
		s.Log.WarnContext(r.Context(), "sign-in links throttled", slog.String("org", o.ID))
	case err != nil:
		// A request that could not be stored or queued (an outage) is
		// logged, never shown; it fails alike for every address.
		s.Log.ErrorContext(r.Context(), "sign-in request not queued", slog.String("org", o.ID), slog.String("error", err.Error()))
	}
	s.render(w, r, http.StatusOK, "Check your email", o, checkEmailPage(signInView{OrgID: o.ID}))
}

// sourceOf is the network address a request came from: API Gateway's
// source IP, which the Lambda adapter puts in RemoteAddr.
func sourceOf(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// redeem uses a sign-in link: one use starts a session and goes to the
// client's invoices; any other use gets a page saying the link is spent.
func (s *server) redeem(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orgOf(w, r)
	if !ok {
		return
	}
	sess, secret, err := s.Access.Redeem(r.Context(), o.ID, r.PathValue("token"))
	if errors.Is(err, clientauth.ErrInvalidLink) {
		s.render(w, r, http.StatusNotFound, "Sign-in link not valid", o, messagePage(message{
			Heading: "This sign-in link is not valid",
			Text:    "Sign-in links work once, for 15 minutes. It may have expired or been used already. Ask for a new one below.",
			Action:  &action{Label: "Email me a new link", Href: "/portal/" + o.ID},
		}))
		return
	}
	if err != nil {
		s.failPage(w, r, o, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: secret, Path: "/portal/" + o.ID, Expires: sess.ExpiresAt,
		MaxAge: int(clientauth.SessionTTL.Seconds()), HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, "/portal/"+o.ID+"/invoices", http.StatusSeeOther)
}

// session is the request's live portal session of orgID and its secret.
func (s *server) session(r *http.Request, orgID string) (clientauth.Session, string, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return clientauth.Session{}, "", clientauth.ErrNoSession
	}
	sess, err := s.Access.Session(r.Context(), orgID, c.Value)
	return sess, c.Value, err
}

// signedIn answers for a request without a live session, sending a person
// to sign in; ok is false when it has answered.
func (s *server) signedIn(w http.ResponseWriter, r *http.Request, o *org.Org) (clientauth.Session, string, bool) {
	sess, secret, err := s.session(r, o.ID)
	if errors.Is(err, clientauth.ErrNoSession) {
		http.Redirect(w, r, "/portal/"+o.ID, http.StatusSeeOther)
		return clientauth.Session{}, "", false
	}
	if err != nil {
		s.failPage(w, r, o, err)
		return clientauth.Session{}, "", false
	}
	return sess, secret, true
}

// logout ends the session; the form must carry the session's CSRF token.
func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orgOf(w, r)
	if !ok {
		return
	}
	sess, secret, ok := s.signedIn(w, r, o)
	if !ok {
		return
	}
	if !clientauth.CheckCSRF(secret, r.PostFormValue("csrf")) {
		s.render(w, r, http.StatusForbidden, "Request refused", o, messagePage(message{
			Heading: "This request was refused",
			Text:    "It did not come from your portal page. Go back to your invoices and try again.",
			Action:  &action{Label: "Your invoices", Href: "/portal/" + o.ID + "/invoices"},
		}))
		return
	}
	if err := s.Access.SignOut(r.Context(), sess); err != nil {
		s.failPage(w, r, o, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/portal/" + o.ID, MaxAge: -1,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, "/portal/"+o.ID+"?signedout", http.StatusSeeOther)
}
