package web_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestEveryRouteTakesOddBytes sends every route of the site (API and
// pages) bytes that are not text Postgres can hold: in each path
// parameter, and in every field a page's form or an OAuth request names,
// as a query, as a form (with a valid form token) and as JSON, signed in
// as an admin both in a browser and with a bearer token. No answer may be
// a 5xx, on either database: such input names nothing and is refused or
// not found. The account page's "withdraw access" answered 500 on
// Postgres before the store refused such client ids itself.
func TestEveryRouteTakesOddBytes(t *testing.T) {
	fields := oddFieldNames(t)
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		// Every sign-in here has a right password, but the sweep's own
		// wrong ones count against the test's address.
		s := startSiteWith(t, db, func(c *config.Config) { c.LoginMaxFailures = 1 << 20 })
		s.makeAdmin(t, "root@example.com")
		s.register(t, "ada@example.com")
		var (
			admin            *browser
			adminTok, accTok string
			bearer           string
		)
		api := s.NewClient(t)
		signIn := func() {
			if admin == nil || !admin.signedIn() {
				admin = s.browser(t)
				admin.signIn("root@example.com", "")
			}
			adminTok = token(t, admin.get("/admin").Want(t, http.StatusOK))
			accTok = token(t, admin.get("/account").Want(t, http.StatusOK))
			if r, err := api.Try("GET", "/v1/auth/me", nil, bearer); err != nil || r.StatusCode != http.StatusOK {
				bearer = "Authorization: Bearer " + api.Do("POST", "/v1/auth/login",
					map[string]any{"email": "root@example.com", "password": testPassword}).Want(t, http.StatusOK).Str("access_token")
			}
		}
		answers, served := 0, 0 // served: answers that got past authentication
		check := func(what string, r *servertest.Response, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if r.StatusCode >= 500 {
				t.Errorf("%s: %d %.300s", what, r.StatusCode, r.Body)
			}
			answers++
			if r.StatusCode != http.StatusUnauthorized && r.StatusCode != http.StatusForbidden {
				served++
			}
		}
		routes := s.API.Routes()
		for _, rt := range routes {
			for _, bad := range []string{"%FF", "x%00", "%C3%28"} {
				signIn()
				raw, _ := url.PathUnescape(bad)
				path := oddPath(rt.Path, bad)
				values := url.Values{}
				jsonBody := map[string]any{}
				for _, f := range fields {
					values.Set(f, raw)
					jsonBody[f] = "x\u0000y"
				}
				values.Set("confirm", "yes") // past the confirmation pages
				jsonBody["confirm"] = "yes"
				switch rt.Method {
				case http.MethodGet, http.MethodHead, http.MethodDelete:
					r, err := admin.Try(rt.Method, path+"?"+values.Encode(), nil)
					check(rt.Method+" "+path+" (browser)", r, err)
					r, err = api.Try(rt.Method, path+"?"+values.Encode(), nil, bearer)
					check(rt.Method+" "+path+" (bearer)", r, err)
				default:
					for _, tok := range []string{adminTok, accTok} {
						values.Set("csrf_token", tok)
						r, err := admin.Try(rt.Method, path, values.Encode(), "Content-Type: application/x-www-form-urlencoded")
						check(rt.Method+" "+path+" (form)", r, err)
					}
					r, err := api.Try(rt.Method, path, jsonBody, bearer)
					check(rt.Method+" "+path+" (JSON)", r, err)
				}
			}
		}
		// The sweep is only worth its name if most requests reached the
		// handlers rather than stopping at a sign-in or form-token check.
		t.Logf("%d routes, %d fields: %d of %d answers past authentication", len(routes), len(fields), served, answers)
		if served < answers*2/3 {
			t.Errorf("only %d of %d answers got past authentication", served, answers)
		}
	})
}

// signedIn reports whether the browser's console session still holds (a
// swept route may have signed it out).
func (b *browser) signedIn() bool {
	r, err := b.Try("GET", "/admin", nil)
	return err == nil && r.StatusCode == http.StatusOK
}

// oddPath is path with each of its parameters (":id", "*rest") replaced by
// bad, already escaped.
func oddPath(path, bad string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") || strings.HasPrefix(p, "*") {
			parts[i] = bad
		}
	}
	return strings.Join(parts, "/")
}

// oddFieldNames are the names of the fields the pages' forms send (read
// from the templates, so a new form is swept too) and of the OAuth and
// OpenID parameters the authorization, token, logout and introspection
// endpoints read.
func oddFieldNames(t *testing.T) []string {
	t.Helper()
	names := []string{"response_type", "redirect_uri", "scope", "state", "nonce", "prompt", "max_age",
		"login_hint", "id_token_hint", "code_challenge", "code_challenge_method", "code_verifier",
		"grant_type", "refresh_token", "client_secret", "token_type_hint", "post_logout_redirect_uri",
		"mfa_token", "session_id", "user_id", "cursor", "limit", "actor"}
	files, err := filepath.Glob("templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v (%d files)", err, len(files))
	}
	attr := regexp.MustCompile(`name="([a-z_]+)"`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range attr.FindAllSubmatch(b, -1) {
			names = append(names, string(m[1]))
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	return slices.DeleteFunc(names, func(n string) bool { return n == "viewport" || n == "csrf_token" })
}
