package oidc_test

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/oidc"
)

func spa() *oidc.Client {
	return &oidc.Client{
		ID: "spa", Type: oidc.ClientPublic,
		RedirectURIs:           []string{"https://app.example.com/cb"},
		PostLogoutRedirectURIs: []string{"https://app.example.com/bye"},
		Scopes:                 []string{"openid", "profile", "email", "offline_access"},
		GrantTypes:             []string{"authorization_code", "refresh_token"},
	}
}

func grafana() *oidc.Client {
	c := spa()
	c.ID, c.Type, c.Scopes = "grafana", oidc.ClientConfidential, []string{"openid", "email"}
	c.RedirectURIs = []string{"https://grafana.example.net/login/generic_oauth"}
	return c
}

// authQuery is a valid request from spa.
func authQuery() url.Values {
	return url.Values{
		"response_type": {"code"}, "client_id": {"spa"}, "redirect_uri": {"https://app.example.com/cb"},
		"scope": {"openid email"}, "state": {"af0ifjsldkj"}, "nonce": {"n-0S6_WzA2Mj"},
		"code_challenge": {rfcChallenge}, "code_challenge_method": {"S256"},
	}
}

// TestParseAuthorizationRequestAccepts: what a valid request becomes.
func TestParseAuthorizationRequestAccepts(t *testing.T) {
	tests := []struct {
		name   string
		client *oidc.Client
		edit   func(url.Values)
		check  func(*oidc.AuthorizationRequest) bool
	}{
		{"the full request", spa(), func(url.Values) {}, func(r *oidc.AuthorizationRequest) bool {
			return r.ClientID == "spa" && r.RedirectURI == "https://app.example.com/cb" && r.State == "af0ifjsldkj" &&
				r.Nonce == "n-0S6_WzA2Mj" && r.CodeChallenge == rfcChallenge && r.OpenID() &&
				reflect.DeepEqual(r.Scopes, []string{"openid", "email"})
		}},
		{"unknown scopes dropped, duplicates once", spa(), func(q url.Values) { q.Set("scope", "openid  groups email openid address") },
			func(r *oidc.AuthorizationRequest) bool {
				return reflect.DeepEqual(r.Scopes, []string{"openid", "email"})
			}},
		{"no openid: OAuth only", spa(), func(q url.Values) { q.Set("scope", "email") },
			func(r *oidc.AuthorizationRequest) bool { return !r.OpenID() }},
		{"no scope", spa(), func(q url.Values) { q.Del("scope") },
			func(r *oidc.AuthorizationRequest) bool { return len(r.Scopes) == 0 }},
		{"prompt login create", spa(), func(q url.Values) { q.Set("prompt", "login create") },
			func(r *oidc.AuthorizationRequest) bool { return r.Prompt == oidc.Prompt{Login: true, Create: true} }},
		{"prompt none", spa(), func(q url.Values) { q.Set("prompt", "none") },
			func(r *oidc.AuthorizationRequest) bool { return r.Prompt == oidc.Prompt{None: true} }},
		{"prompt select_account ignored", spa(), func(q url.Values) { q.Set("prompt", "select_account consent") },
			func(r *oidc.AuthorizationRequest) bool { return r.Prompt == oidc.Prompt{Consent: true} }},
		{"max_age 0", spa(), func(q url.Values) { q.Set("max_age", "0") },
			func(r *oidc.AuthorizationRequest) bool { return r.MaxAgeSet && r.MaxAge == 0 }},
		{"max_age 3600", spa(), func(q url.Values) { q.Set("max_age", "3600") },
			func(r *oidc.AuthorizationRequest) bool { return r.MaxAgeSet && r.MaxAge == time.Hour }},
		{"no max_age", spa(), func(url.Values) {}, func(r *oidc.AuthorizationRequest) bool { return !r.MaxAgeSet }},
		{"max_age empty is omitted", spa(), func(q url.Values) { q.Set("max_age", "") },
			func(r *oidc.AuthorizationRequest) bool { return !r.MaxAgeSet }},
		{"request empty is omitted", spa(), func(q url.Values) { q.Set("request", ""); q.Set("request_uri", "") },
			func(r *oidc.AuthorizationRequest) bool { return r.ClientID == "spa" }},
		{"login_hint", spa(), func(q url.Values) { q.Set("login_hint", "ada@example.com") },
			func(r *oidc.AuthorizationRequest) bool { return r.LoginHint == "ada@example.com" }},
		{"confidential without PKCE", grafana(), func(q url.Values) {
			q.Set("client_id", "grafana")
			q.Set("redirect_uri", "https://grafana.example.net/login/generic_oauth")
			q.Del("code_challenge")
			q.Del("code_challenge_method")
		}, func(r *oidc.AuthorizationRequest) bool { return r.CodeChallenge == "" }},
		{"response_mode query", spa(), func(q url.Values) { q.Set("response_mode", "query") },
			func(r *oidc.AuthorizationRequest) bool { return true }},
		{"unknown parameters ignored, even repeated", spa(), func(q url.Values) { q["display"] = []string{"page", "popup"} },
			func(r *oidc.AuthorizationRequest) bool { return true }},
		{"no state, no nonce", spa(), func(q url.Values) { q.Del("state"); q.Del("nonce") },
			func(r *oidc.AuthorizationRequest) bool { return r.State == "" && r.Nonce == "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := authQuery()
			tt.edit(q)
			r, err := oidc.ParseAuthorizationRequest(q, tt.client)
			if err != nil {
				t.Fatalf("ParseAuthorizationRequest: %v", err)
			}
			if !tt.check(r) {
				t.Errorf("request %+v", r)
			}
			again, err := oidc.ParseAuthorizationRequest(r.Values(), tt.client)
			if err != nil || !reflect.DeepEqual(again, r) {
				t.Errorf("Values does not round-trip: %+v, %v", again, err)
			}
		})
	}
}

// TestParseAuthorizationRequestRefuses: a bad client or redirect URI is a
// page error, never a redirect; everything else redirects to the
// registered URI with the OAuth error code and the state.
func TestParseAuthorizationRequestRefuses(t *testing.T) {
	const page, redirect = "page", "redirect"
	tests := []struct {
		name       string
		client     *oidc.Client
		edit       func(url.Values)
		kind       string
		code       string
		keepsState bool
	}{
		{"unknown client", nil, func(url.Values) {}, page, "invalid_client", false},
		{"client_id of another client", grafana(), func(url.Values) {}, page, "invalid_client", false},
		{"no client_id", spa(), func(q url.Values) { q.Del("client_id") }, page, "invalid_request", false},
		{"repeated client_id", spa(), func(q url.Values) { q.Add("client_id", "spa") }, page, "invalid_request", false},
		{"no redirect_uri", spa(), func(q url.Values) { q.Del("redirect_uri") }, page, "invalid_request", false},
		{"repeated redirect_uri", spa(), func(q url.Values) { q.Add("redirect_uri", "https://app.example.com/cb") }, page, "invalid_request", false},
		{"redirect_uri trailing slash", spa(), func(q url.Values) { q.Set("redirect_uri", "https://app.example.com/cb/") }, page, "invalid_request", false},
		{"redirect_uri upper case", spa(), func(q url.Values) { q.Set("redirect_uri", "https://APP.example.com/cb") }, page, "invalid_request", false},
		{"redirect_uri extra query", spa(), func(q url.Values) { q.Set("redirect_uri", "https://app.example.com/cb?x=1") }, page, "invalid_request", false},
		{"redirect_uri fragment", spa(), func(q url.Values) { q.Set("redirect_uri", "https://app.example.com/cb#x") }, page, "invalid_request", false},
		{"redirect_uri elsewhere", spa(), func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") }, page, "invalid_request", false},
		{"no response_type", spa(), func(q url.Values) { q.Del("response_type") }, redirect, "invalid_request", true},
		{"response_type token", spa(), func(q url.Values) { q.Set("response_type", "token") }, redirect, "unsupported_response_type", true},
		{"response_type code id_token", spa(), func(q url.Values) { q.Set("response_type", "code id_token") }, redirect, "unsupported_response_type", true},
		{"response_mode fragment", spa(), func(q url.Values) { q.Set("response_mode", "fragment") }, redirect, "invalid_request", true},
		{"response_mode form_post", spa(), func(q url.Values) { q.Set("response_mode", "form_post") }, redirect, "invalid_request", true},
		{"repeated scope", spa(), func(q url.Values) { q.Add("scope", "openid") }, redirect, "invalid_request", true},
		{"repeated state", spa(), func(q url.Values) { q.Add("state", "other") }, redirect, "invalid_request", false},
		{"repeated code_challenge", spa(), func(q url.Values) { q.Add("code_challenge", rfcChallenge) }, redirect, "invalid_request", true},
		{"repeated response_type", spa(), func(q url.Values) { q.Add("response_type", "code") }, redirect, "invalid_request", true},
		{"client without the code grant", func() *oidc.Client { c := spa(); c.GrantTypes = []string{"refresh_token"}; return c }(),
			func(url.Values) {}, redirect, "unauthorized_client", true},
		{"scope the client may not ask for", grafana(), func(q url.Values) {
			q.Set("client_id", "grafana")
			q.Set("redirect_uri", "https://grafana.example.net/login/generic_oauth")
			q.Set("scope", "openid offline_access")
		}, redirect, "invalid_scope", true},
		{"scope with a quote", spa(), func(q url.Values) { q.Set("scope", `openid "email"`) }, redirect, "invalid_scope", true},
		{"scope with a tab", spa(), func(q url.Values) { q.Set("scope", "openid\temail") }, redirect, "invalid_scope", true},
		{"prompt none login", spa(), func(q url.Values) { q.Set("prompt", "none login") }, redirect, "invalid_request", true},
		{"prompt none with unknown", spa(), func(q url.Values) { q.Set("prompt", "select_account none") }, redirect, "invalid_request", true},
		{"max_age negative", spa(), func(q url.Values) { q.Set("max_age", "-1") }, redirect, "invalid_request", true},
		{"max_age plus sign", spa(), func(q url.Values) { q.Set("max_age", "+5") }, redirect, "invalid_request", true},
		{"max_age fraction", spa(), func(q url.Values) { q.Set("max_age", "1.5") }, redirect, "invalid_request", true},
		{"max_age overflow", spa(), func(q url.Values) { q.Set("max_age", "99999999999999999999") }, redirect, "invalid_request", true},
		{"max_age 2^31", spa(), func(q url.Values) { q.Set("max_age", "2147483648") }, redirect, "invalid_request", true},
		{"state with a newline", spa(), func(q url.Values) { q.Set("state", "a\nb") }, redirect, "invalid_request", false},
		{"state not ASCII", spa(), func(q url.Values) { q.Set("state", "é") }, redirect, "invalid_request", false},
		{"state too long", spa(), func(q url.Values) { q.Set("state", strings.Repeat("s", 2049)) }, redirect, "invalid_request", false},
		{"nonce not UTF-8", spa(), func(q url.Values) { q.Set("nonce", "\xff") }, redirect, "invalid_request", true},
		{"nonce too long", spa(), func(q url.Values) { q.Set("nonce", strings.Repeat("n", 513)) }, redirect, "invalid_request", true},
		{"login_hint with NUL", spa(), func(q url.Values) { q.Set("login_hint", "ada\x00") }, redirect, "invalid_request", true},
		{"public client without PKCE", spa(), func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, redirect, "invalid_request", true},
		{"PKCE plain", spa(), func(q url.Values) { q.Set("code_challenge_method", "plain") }, redirect, "invalid_request", true},
		{"PKCE without method (plain)", spa(), func(q url.Values) { q.Del("code_challenge_method") }, redirect, "invalid_request", true},
		{"PKCE method without challenge", spa(), func(q url.Values) { q.Del("code_challenge") }, redirect, "invalid_request", true},
		{"PKCE challenge malformed", spa(), func(q url.Values) { q.Set("code_challenge", rfcChallenge[:40]+"+/=") }, redirect, "invalid_request", true},
		{"confidential with PKCE plain", grafana(), func(q url.Values) {
			q.Set("client_id", "grafana")
			q.Set("redirect_uri", "https://grafana.example.net/login/generic_oauth")
			q.Set("code_challenge_method", "plain")
		}, redirect, "invalid_request", true},
		{"request object", spa(), func(q url.Values) { q.Set("request", "eyJ...") }, redirect, "request_not_supported", true},
		{"request_uri", spa(), func(q url.Values) { q.Set("request_uri", "urn:x") }, redirect, "request_uri_not_supported", true},
		{"registration", spa(), func(q url.Values) { q.Set("registration", "{}") }, redirect, "registration_not_supported", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := authQuery()
			tt.edit(q)
			r, err := oidc.ParseAuthorizationRequest(q, tt.client)
			if r != nil {
				t.Fatalf("accepted %+v", r)
			}
			var pe *oidc.PageError
			var re *oidc.RedirectError
			switch {
			case tt.kind == page && errors.As(err, &pe):
				if pe.Code != tt.code {
					t.Errorf("page error %q, want %q", pe.Code, tt.code)
				}
			case tt.kind == redirect && errors.As(err, &re):
				if re.Code != tt.code || re.RedirectURI != q.Get("redirect_uri") {
					t.Errorf("redirect error %+v, want %q", re, tt.code)
				}
				if want := map[bool]string{true: "af0ifjsldkj"}[tt.keepsState]; re.State != want {
					t.Errorf("state %q, want %q", re.State, want)
				}
			default:
				t.Fatalf("error %#v, want a %s error %q", err, tt.kind, tt.code)
			}
		})
	}
}

// TestAuthorizationClientID: read once, required, never repeated.
func TestAuthorizationClientID(t *testing.T) {
	tests := []struct {
		name string
		q    url.Values
		want string
		ok   bool
	}{
		{"present", url.Values{"client_id": {"spa"}}, "spa", true},
		{"absent", url.Values{}, "", false},
		{"empty", url.Values{"client_id": {""}}, "", false},
		{"repeated", url.Values{"client_id": {"spa", "evil"}}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := oidc.AuthorizationClientID(tt.q)
			var pe *oidc.PageError
			if id != tt.want || (err == nil) != tt.ok || (err != nil && !errors.As(err, &pe)) {
				t.Errorf("AuthorizationClientID = %q, %v", id, err)
			}
		})
	}
}
