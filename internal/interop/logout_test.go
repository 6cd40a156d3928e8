package interop_test

import (
	"io"
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2"
)

// signedInTokens signs a new browser in through client id's code flow and
// returns the browser and the tokens.
func (s *codeFlowSite) signedInTokens(t *testing.T, id, secret string) (*http.Client, *oauth2.Token) {
	t.Helper()
	conf := s.config(id, secret)
	v := oauth2.GenerateVerifier()
	b := s.newBrowser(t)
	tok, err := conf.Exchange(t.Context(), s.authorize(t, b, conf.AuthCodeURL("st", oauth2.S256ChallengeOption(v))).Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return b, tok
}

func (s *codeFlowSite) get(t *testing.T, b *http.Client, path string, q url.Values) *http.Response {
	t.Helper()
	r, err := b.Get(s.ts.URL + path + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, r.Body)
	r.Body.Close()
	return r
}

// signedIn reports whether b's sign-in still gives spa a code silently.
func (s *codeFlowSite) signedIn(t *testing.T, b *http.Client) bool {
	t.Helper()
	r, err := b.Get(s.config("spa", "").AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("prompt", "none")))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	u, _ := url.Parse(r.Header.Get("Location"))
	return u.Query().Get("code") != ""
}

// TestRPInitiatedLogout: a verified id_token_hint and a registered
// post_logout_redirect_uri end the browser sign-in and redirect with
// state; the client with logout_ends_sessions also ends the sessions born
// from that sign-in, the other keeps them. A forged hint or an unregistered
// URI gets the error page and ends nothing.
func TestRPInitiatedLogout(t *testing.T) {
	s := startCodeFlowSite(t)
	for _, tt := range []struct {
		client, secret string
		endsSessions   bool
	}{{"spa", "", true}, {"svc", "", false}} {
		t.Run(tt.client, func(t *testing.T) {
			secret := tt.secret
			if tt.client == "svc" {
				secret = s.svcSecret
			}
			b, tok := s.signedInTokens(t, tt.client, secret)
			hint, _ := tok.Extra("id_token").(string)
			for _, bad := range []url.Values{
				{"id_token_hint": {hint}, "post_logout_redirect_uri": {spaLoggedOut + "/"}},
				{"id_token_hint": {hint[:len(hint)-4] + "AAAA"}, "post_logout_redirect_uri": {spaLoggedOut}},
				{"client_id": {"nobody"}, "post_logout_redirect_uri": {spaLoggedOut}},
			} {
				if r := s.get(t, b, "/oauth/logout", bad); r.StatusCode != http.StatusBadRequest || r.Header.Get("Location") != "" {
					t.Errorf("logout %v: %d to %q, want the error page", bad, r.StatusCode, r.Header.Get("Location"))
				}
			}
			if !s.signedIn(t, b) {
				t.Fatal("a refused logout ended the sign-in")
			}
			r := s.get(t, b, "/oauth/logout", url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {spaLoggedOut}, "state": {"bye-1"}})
			if r.StatusCode != http.StatusFound || r.Header.Get("Location") != spaLoggedOut+"?state=bye-1" {
				t.Fatalf("logout: %d to %q, want %s?state=bye-1", r.StatusCode, r.Header.Get("Location"), spaLoggedOut)
			}
			if s.signedIn(t, b) {
				t.Error("the browser is still signed in after logout")
			}
			_, err := s.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
			if ended := err != nil; ended != tt.endsSessions {
				t.Errorf("client session ended: %v, want %v", ended, tt.endsSessions)
			}
		})
	}
	// Without a hint any site could have sent it: a signed-in browser is
	// asked, and stays signed in until it answers (internal/web's
	// TestLogoutWithoutHintAsks posts the answer).
	b, _ := s.signedInTokens(t, "spa", "")
	if r := s.get(t, b, "/oauth/logout", url.Values{}); r.StatusCode != http.StatusOK || !s.signedIn(t, b) {
		t.Errorf("bare logout: %d, signed in %v; want the question and the sign-in kept", r.StatusCode, s.signedIn(t, b))
	}
}
