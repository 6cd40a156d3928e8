package interop_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

const (
	spaRedirect  = "https://spa.example/cb"
	spaLoggedOut = "https://spa.example/bye"
)

// codeFlowSite is a Tessera with a signed-up user and OAuth clients: the
// public first-party "spa", another public "other", and the confidential
// "svc" whose secret is kept.
type codeFlowSite struct {
	ts        *servertest.TestServer
	provider  *oidc.Provider
	svcSecret string
}

func startCodeFlowSite(t *testing.T) *codeFlowSite {
	t.Helper()
	// Plain-http cookies: Go's jar keeps Secure ones away from http://.
	ts := servertest.Start(t, sqltest.NewSQLite(t), func(c *config.Config) { c.CookieSecure = false })
	register(t, ts, "ada@example.com")
	site := &codeFlowSite{ts: ts}
	for _, c := range []struct {
		id, typ string
	}{{"spa", "public"}, {"other", "public"}, {"svc", "confidential"}} {
		name, first, typ, ends := "App "+c.id, true, c.typ, c.id == "spa"
		_, secret, err := ts.Auth.AdminCreateClient(t.Context(), auth.Actor{}, auth.ClientInput{
			ID: c.id, Name: &name, RedirectURIs: []string{spaRedirect}, FirstParty: &first, Type: &typ,
			PostLogoutRedirectURIs: []string{spaLoggedOut}, LogoutEndsSessions: &ends,
		})
		if err != nil {
			t.Fatalf("create client %s: %v", c.id, err)
		}
		if c.id == "svc" {
			site.svcSecret = secret
		}
	}
	var err error
	if site.provider, err = oidc.NewProvider(t.Context(), ts.URL); err != nil {
		t.Fatalf("NewProvider: %v", err)
	}
	return site
}

func (s *codeFlowSite) config(id, secret string) *oauth2.Config {
	return &oauth2.Config{ClientID: id, ClientSecret: secret, Endpoint: s.provider.Endpoint(),
		RedirectURL: spaRedirect, Scopes: []string{oidc.ScopeOpenID, "email"}}
}

// newBrowser is a cookie jar that follows redirects on Tessera and stops
// at the one to the client.
func (s *codeFlowSite) newBrowser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if !strings.HasPrefix(r.URL.String(), s.ts.URL) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

var formField = regexp.MustCompile(`name="(csrf_token|return_to)" value="([^"]*)"`)

// authorize runs authURL in browser, signing in on the hosted page when it
// is shown, and returns the query of the redirect to the client.
func (s *codeFlowSite) authorize(t *testing.T, browser *http.Client, authURL string) url.Values {
	t.Helper()
	r, err := browser.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode == http.StatusOK {
		form := url.Values{"identifier": {"ada@example.com"}, "password": {testPassword}}
		for _, m := range formField.FindAllSubmatch(body, -1) {
			form.Set(string(m[1]), html.UnescapeString(string(m[2])))
		}
		if r, err = browser.PostForm(s.ts.URL+"/signin", form); err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
	}
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(r.Header.Get("Location"), spaRedirect+"?") {
		t.Fatalf("authorization ended with %d at %q, want a redirect to the client:\n%s", r.StatusCode, r.Header.Get("Location"), body)
	}
	u, _ := url.Parse(r.Header.Get("Location"))
	return u.Query()
}

// TestCodeFlowWithGoOIDC: x/oauth2 and go-oidc sign in through the hosted
// page with PKCE and a nonce; the ID token verifies, names its access
// token (at_hash), userinfo gives the e-mail, refresh rotates and keeps
// the scope; the same code a second time is invalid_grant and ends the
// session the first exchange made.
func TestCodeFlowWithGoOIDC(t *testing.T) {
	s := startCodeFlowSite(t)
	ctx := t.Context()
	conf := s.config("spa", "")
	verifier := oauth2.GenerateVerifier()
	browser := s.newBrowser(t)
	q := s.authorize(t, browser, conf.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier), oidc.Nonce("nonce-1")))
	if q.Get("state") != "state-1" || q.Get("iss") != s.ts.URL {
		t.Fatalf("redirect query %v: want state-1 and iss %s", q, s.ts.URL)
	}
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := s.provider.Verifier(&oidc.Config{ClientID: "spa", Now: s.ts.Clock.Now}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	if idt.Nonce != "nonce-1" {
		t.Errorf("nonce %q, want nonce-1", idt.Nonce)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	var claims struct {
		Email    string   `json:"email"`
		SID      string   `json:"sid"`
		AMR      []string `json:"amr"`
		AuthTime int64    `json:"auth_time"`
	}
	if err := idt.Claims(&claims); err != nil || claims.Email != "ada@example.com" || claims.SID == "" || len(claims.AMR) != 1 || claims.AuthTime == 0 {
		t.Errorf("ID token claims %+v (%v)", claims, err)
	}
	ui, err := s.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || ui.Subject != idt.Subject || ui.Email != "ada@example.com" {
		t.Fatalf("userinfo %+v (%v), want %s with the e-mail", ui, err, idt.Subject)
	}

	stale := &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}
	next, err := conf.TokenSource(ctx, stale).Token()
	if err != nil || next.AccessToken == tok.AccessToken || next.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh: %v; want a new pair", err)
	}
	if ui, err := s.provider.UserInfo(ctx, oauth2.StaticTokenSource(next)); err != nil || ui.Email != "ada@example.com" {
		t.Fatalf("userinfo after refresh %+v (%v): the scope was lost", ui, err)
	}

	_, err = conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	wantOAuthError(t, "replayed code", err, "invalid_grant")
	if _, err := s.provider.UserInfo(ctx, oauth2.StaticTokenSource(next)); err == nil {
		t.Fatal("the session of a replayed code still works")
	}

	// The browser is signed in now: another code needs no page.
	q = s.authorize(t, browser, conf.AuthCodeURL("state-2", oauth2.S256ChallengeOption(verifier)))
	if q.Get("state") != "state-2" {
		t.Errorf("state %q, want state-2", q.Get("state"))
	}
}

// TestCodeFlowRefusals: a code is bound to its client, its redirect URI
// and its PKCE verifier; a confidential client must prove its secret, and
// a wrong one tried with HTTP Basic is 401 with a Basic challenge.
func TestCodeFlowRefusals(t *testing.T) {
	s := startCodeFlowSite(t)
	ctx := t.Context()
	browser := s.newBrowser(t)
	spa := s.config("spa", "")
	verifier := oauth2.GenerateVerifier()
	code := func() string {
		return s.authorize(t, browser, spa.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier))).Get("code")
	}
	_, err := s.config("other", "").Exchange(ctx, code(), oauth2.VerifierOption(verifier))
	wantOAuthError(t, "another client", err, "invalid_grant")
	_, err = spa.Exchange(ctx, code(), oauth2.VerifierOption(oauth2.GenerateVerifier()))
	wantOAuthError(t, "wrong verifier", err, "invalid_grant")
	_, err = spa.Exchange(ctx, code())
	wantOAuthError(t, "no verifier", err, "invalid_grant")
	wrongRedirect := *spa
	wrongRedirect.RedirectURL = spaRedirect + "/"
	_, err = wrongRedirect.Exchange(ctx, code(), oauth2.VerifierOption(verifier))
	wantOAuthError(t, "other redirect_uri", err, "invalid_grant")

	svc := s.config("svc", s.svcSecret)
	svc.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	svcCode := s.authorize(t, browser, svc.AuthCodeURL("st")).Get("code")
	bad := *svc
	bad.ClientSecret = "tcs_wrong"
	_, err = bad.Exchange(ctx, svcCode)
	wantOAuthError(t, "wrong secret", err, "invalid_client")
	var re *oauth2.RetrieveError
	if !asRetrieve(err, &re) || re.Response.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(re.Response.Header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("wrong Basic secret: %v; want 401 with a Basic challenge", err)
	}
	svcCode = s.authorize(t, browser, svc.AuthCodeURL("st")).Get("code")
	tok, err := svc.Exchange(ctx, svcCode)
	if err != nil || tok.Extra("id_token") == nil {
		t.Fatalf("confidential exchange: %v", err)
	}
	post := *svc
	post.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	if _, err := post.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Errorf("refresh with client_secret_post: %v", err)
	}
	// A confidential client's refresh token needs its secret.
	r := s.ts.NewClient(t).Do("POST", "/oauth/token", "grant_type=refresh_token&client_id=svc&refresh_token="+url.QueryEscape(tok.RefreshToken),
		"Content-Type: application/x-www-form-urlencoded")
	r.WantError(t, http.StatusBadRequest, "invalid_client")
	// A public client cannot pass as confidential, nor the reverse.
	_, err = s.config("spa", "tcs_made_up").Exchange(ctx, code(), oauth2.VerifierOption(verifier))
	wantOAuthError(t, "public client with a secret", err, "invalid_client")
}

// TestCodeFlowPromptNone: a browser that is not signed in gets
// login_required with its state, and never a page.
func TestCodeFlowPromptNone(t *testing.T) {
	s := startCodeFlowSite(t)
	r, err := s.newBrowser(t).Get(s.config("spa", "").AuthCodeURL("st-n", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
		oauth2.SetAuthURLParam("prompt", "none")))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	u, _ := url.Parse(r.Header.Get("Location"))
	if r.StatusCode != http.StatusFound || u.Query().Get("error") != "login_required" || u.Query().Get("state") != "st-n" {
		t.Fatalf("prompt=none without a sign-in: %d to %s; want login_required with the state", r.StatusCode, u)
	}
}

func asRetrieve(err error, re **oauth2.RetrieveError) bool {
	e, ok := err.(*oauth2.RetrieveError)
	if ok {
		*re = e
	}
	return ok
}

// wantOAuthError fails unless err is a token endpoint error with code.
func wantOAuthError(t *testing.T, what string, err error, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !asRetrieve(err, &re) || re.ErrorCode != code {
		t.Errorf("%s: %v; want %s", what, err, code)
	}
}
