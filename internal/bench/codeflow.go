package bench

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/tessera-id/tessera/internal/store"
)

// ScenarioCodeFlow is the OpenID authorization-code flow of a browser
// already signed in to Tessera: one operation is GET /oauth/authorize with
// the sign-in cookie and a fresh PKCE challenge (answered by a redirect
// carrying a code) and POST /oauth/token exchanging that code.
const ScenarioCodeFlow = "authorization-code"

// codeClient is the first-party public client the scenario uses; as first
// party it needs no consent, so every authorize answers a code at once.
const (
	codeClient   = "bench-code"
	codeRedirect = "http://127.0.0.1/bench-callback"
)

// csrfField finds the CSRF value of a hosted page's form.
var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// signInBrowsers registers the code client and signs every client's
// browser in through the hosted sign-in page (one hash each).
func (r *runner) signInBrowsers(ctx context.Context) error {
	if r.browsers != nil {
		return nil
	}
	if r.db == nil {
		return errors.New("authorization-code: needs the database to register its client")
	}
	now := time.Now().UTC()
	c := &store.Client{
		ID: codeClient, Name: "tessera-bench code flow", AllowedDelivery: []string{"body"},
		Type: store.ClientPublic, FirstParty: true, RedirectURIs: []string{codeRedirect},
		GrantTypes: []string{store.GrantAuthorizationCode, store.GrantRefreshToken},
		Scopes:     []string{store.ScopeOpenID, store.ScopeEmail}, CreatedAt: now, UpdatedAt: now,
	}
	var conflict *store.ConflictError
	if err := r.db.DB.CreateClient(ctx, c); err != nil && !errors.As(err, &conflict) {
		return fmt.Errorf("authorization-code: create client: %w", err)
	}
	r.logf("signing %d browsers in", r.cfg.Clients)
	devs := make([]cookieDevice, r.cfg.Clients)
	err := parallel(len(devs), func(i int) error {
		devs[i] = cookieDevice{cookies: map[string]string{}}
		return r.signInBrowser(ctx, &devs[i], r.emails[i%len(r.emails)])
	})
	if err != nil {
		return fmt.Errorf("sign browsers in: %w", err)
	}
	r.browsers = devs
	return nil
}

// signInBrowser fetches the sign-in page for its form cookie and CSRF
// value, then posts the form, keeping the sign-in cookie it sets.
func (r *runner) signInBrowser(ctx context.Context, d *cookieDevice, email string) error {
	var (
		page []byte
		set  []*http.Cookie
	)
	if err := r.ep.do(ctx, call{Method: http.MethodGet, Path: "/signin", Cookies: &set, Raw: &page}); err != nil {
		return err
	}
	d.keep(set)
	m := csrfField.FindSubmatch(page)
	if m == nil {
		return errors.New("sign-in page without a csrf_token field")
	}
	form := url.Values{"identifier": {email}, "password": {benchPassword}, "csrf_token": {string(m[1])}}
	err := r.ep.doPatiently(ctx, call{Method: http.MethodPost, Path: "/signin", Form: form, Want: http.StatusSeeOther,
		Cookies: &set, Header: map[string]string{"Cookie": d.header()}})
	if err != nil {
		return err
	}
	d.keep(set)
	return nil
}

// opCodeFlow runs one authorize and one code exchange for client i.
func opCodeFlow(ep *endpoint, devs []cookieDevice) func(int) Op {
	return func(i int) Op {
		d := &devs[i]
		return func(ctx context.Context) error {
			verifier := make([]byte, 32)
			_, _ = rand.Read(verifier)
			v := base64.RawURLEncoding.EncodeToString(verifier)
			sum := sha256.Sum256([]byte(v))
			q := url.Values{
				"response_type": {"code"}, "client_id": {codeClient}, "redirect_uri": {codeRedirect},
				"scope": {"openid email"}, "state": {"bench"}, "code_challenge_method": {"S256"},
				"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])},
			}
			var loc string
			err := ep.do(ctx, call{Method: http.MethodGet, Path: "/oauth/authorize?" + q.Encode(), Want: http.StatusFound,
				Location: &loc, Header: map[string]string{"Cookie": d.header()}})
			if err != nil {
				return err
			}
			u, err := url.Parse(loc)
			if err != nil || u.Query().Get("code") == "" {
				return fmt.Errorf("authorize redirected to %.120q, want a code", loc)
			}
			var tok struct {
				AccessToken string `json:"access_token"`
				IDToken     string `json:"id_token"`
			}
			form := url.Values{"grant_type": {"authorization_code"}, "code": {u.Query().Get("code")},
				"redirect_uri": {codeRedirect}, "client_id": {codeClient}, "code_verifier": {v}}
			if err := ep.do(ctx, call{Method: http.MethodPost, Path: "/oauth/token", Form: form, Out: &tok}); err != nil {
				return err
			}
			if tok.AccessToken == "" || tok.IDToken == "" {
				return errors.New("code exchange answered without access or ID token")
			}
			return nil
		}
	}
}
