package oidc_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/tessera-id/tessera/internal/oidc"
)

// FuzzParseAuthorizationRequest: parsing never panics; an error that
// redirects names a registered redirect URI (no open redirect, whatever
// the input); anything accepted round-trips through Values.
func FuzzParseAuthorizationRequest(f *testing.F) {
	f.Add(authQuery().Encode())
	f.Add("response_type=code&client_id=spa&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&prompt=none+login")
	f.Add("response_type=code&client_id=grafana&redirect_uri=https%3A%2F%2Fgrafana.example.net%2Flogin%2Fgeneric_oauth&max_age=0&scope=openid+email+openid")
	f.Add("client_id=spa&client_id=spa&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb%2F")
	f.Add("response_type=code&client_id=spa&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&state=%FF&code_challenge_method=plain")
	clients := map[string]*oidc.Client{"spa": spa(), "grafana": grafana()}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		c := clients[q.Get("client_id")]
		r, err := oidc.ParseAuthorizationRequest(q, c)
		var re *oidc.RedirectError
		var pe *oidc.PageError
		switch {
		case errors.As(err, &re):
			if c == nil || !oidc.MatchRedirectURI(c.RedirectURIs, re.RedirectURI) {
				t.Fatalf("redirect error to unregistered %q", re.RedirectURI)
			}
			if _, err := re.Location("https://id.example.com"); err != nil {
				t.Fatalf("Location: %v", err)
			}
			return
		case errors.As(err, &pe):
			return
		case err != nil:
			t.Fatalf("error of no kind: %v", err)
		}
		if !c.Confidential() && oidc.ValidateCodeChallenge(r.CodeChallenge, oidc.PKCEMethodS256) != nil {
			t.Fatal("public client accepted without PKCE")
		}
		again, err := oidc.ParseAuthorizationRequest(r.Values(), c)
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("%q: accepted %+v, its Values give %+v, %v", raw, r, again, err)
		}
		if _, err := oidc.SuccessRedirect(r.RedirectURI, "https://id.example.com", "c", r.State); err != nil {
			t.Fatalf("SuccessRedirect: %v", err)
		}
	})
}

// FuzzClientAuth: parsing never panics; anything accepted is re-encoded in
// its own method and parses back to the same credentials.
func FuzzClientAuth(f *testing.F) {
	f.Add(basic("grafana", "s3cret"), "")
	f.Add(basic("my%3Aapp", "a+b%2Bc%3A%25"), "client_id=my%3Aapp")
	f.Add("", "client_id=grafana&client_secret=s3cret")
	f.Add("", "client_id=spa")
	f.Add(basic("grafana", "s"), "client_secret=s")
	f.Add("Basic ZzpzMR==", "")
	f.Fuzz(func(t *testing.T, authz, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		h := http.Header{}
		if authz != "" {
			h.Set("Authorization", authz)
		}
		cc, err := oidc.ParseClientAuth(h, form)
		if err != nil {
			var pe *oidc.PageError
			if !errors.As(err, &pe) {
				t.Fatalf("error of no kind: %v", err)
			}
			return
		}
		if cc.ID == "" || (cc.Method != oidc.AuthNone) == (cc.Secret == "") {
			t.Fatalf("accepted %+v", cc)
		}
		h2, form2 := http.Header{}, url.Values{}
		switch cc.Method {
		case oidc.AuthClientSecretBasic:
			cred := url.QueryEscape(cc.ID) + ":" + url.QueryEscape(cc.Secret)
			h2.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
		case oidc.AuthClientSecretPost:
			form2.Set("client_id", cc.ID)
			form2.Set("client_secret", cc.Secret)
		default:
			form2.Set("client_id", cc.ID)
		}
		if len(h2.Get("Authorization")) > len("Basic ")+1024 {
			return // the canonical encoding can outgrow the bound the original fitted in
		}
		again, err := oidc.ParseClientAuth(h2, form2)
		if err != nil || *again != *cc {
			t.Fatalf("accepted %+v, re-encoded gives %+v, %v", cc, again, err)
		}
	})
}
