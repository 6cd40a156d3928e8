package sdk_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/browsertest"
)

// TestCookieModeOnASiblingSubdomain is the front-end's whole day on
// app.tessera.test: register, log out, log in, ask who is signed in; page
// scripts see only the csrf cookie; t.fetch reaches the API on
// api.tessera.test, which verifies the token offline and lets an unsafe
// call through only with the CSRF header.
func TestCookieModeOnASiblingSubdomain(t *testing.T) {
	d := browsertest.NewDeployment(t, nil)
	tab := browsertest.NewProfile(t).Open(d.Origin(browsertest.AppHost) + "/")
	if u := browsertest.Eval[*user](tab, "window.ready"); u != nil {
		t.Fatalf("a new browser is signed in as %+v", u)
	}
	u := register(t, tab)
	browsertest.Eval[any](tab, "t.logout()")
	if got := currentUser(t, tab); got != nil {
		t.Fatalf("after logout t.user() = %+v", got)
	}
	in := browsertest.Eval[user](tab, fmt.Sprintf(`t.login({email: %q, password: %q, deviceName: "Work laptop"})`, u.Email, password))
	if in.ID != u.ID {
		t.Fatalf("login answered %+v, want %+v", in, u)
	}
	if got := currentUser(t, tab); got == nil || got.ID != u.ID {
		t.Fatalf("t.user() = %+v, want %+v", got, u)
	}

	t.Run("page scripts see only the csrf cookie", func(t *testing.T) {
		names := cookieNames(browsertest.Eval[string](tab, "document.cookie"))
		if !slices.Equal(names, []string{browsertest.CSRFCookie}) {
			t.Fatalf("document.cookie names %v, want only %s", names, browsertest.CSRFCookie)
		}
	})
	t.Run("t.fetch reaches the API, verified offline", func(t *testing.T) {
		got := browsertest.Eval[map[string]any](tab, `t.fetch(apiURL + "/v1/whoami").then(async (r) => ({status: r.status, body: await r.json()}))`)
		if got["status"] != float64(200) {
			t.Fatalf("GET /v1/whoami: %v", got)
		}
		if body, _ := got["body"].(map[string]any); body["sub"] != u.ID {
			t.Fatalf("the API saw %v, want sub %s", body, u.ID)
		}
		for _, p := range d.API.Asked() {
			if p != "/.well-known/openid-configuration" && p != "/.well-known/jwks.json" {
				t.Fatalf("the API asked Tessera for %s: verification must be offline", p)
			}
		}
		if status := browsertest.Eval[int](tab, `t.fetch(apiURL + "/v1/notes", {method: "POST"}).then((r) => r.status)`); status != 201 {
			t.Fatalf("POST /v1/notes through t.fetch: %d, want 201", status)
		}
	})
	t.Run("a 401 from the API is answered by one refresh and a retry", func(t *testing.T) {
		before := sessionOf(t, d, u.ID)
		d.Tessera.Clock.Advance(d.Tessera.Config.AccessTTL + time.Minute) // the access token expired
		if status := browsertest.Eval[int](tab, `t.fetch(apiURL + "/v1/notes", {method: "POST"}).then((r) => r.status)`); status != 201 {
			t.Fatalf("POST /v1/notes with an expired access token: %d, want 201 after a refresh", status)
		}
		if after := sessionOf(t, d, u.ID); after.Generation != before.Generation+1 || after.Revoked {
			t.Fatalf("session went from %+v to %+v, want one rotation", before, after)
		}
	})
	t.Run("an unsafe call without the CSRF header is 403", func(t *testing.T) {
		for _, url := range []string{d.Origin(browsertest.APIHost) + "/v1/notes", d.Issuer() + "/v1/auth/logout"} {
			got := browsertest.Eval[map[string]any](tab, `fetch(`+js(url)+`, {method: "POST", credentials: "include", headers: {"Content-Type": "application/json"}, body: "{}"})
				.then(async (r) => ({status: r.status, error: (await r.json()).error}))`)
			if got["status"] != float64(403) || got["error"] != "csrf_failed" {
				t.Fatalf("POST %s without X-CSRF-Token: %v, want 403 csrf_failed", url, got)
			}
		}
		if got := currentUser(t, tab); got == nil {
			t.Fatal("the refused logout signed the user out")
		}
	})
	t.Run("errors carry the server's code, description and fields", func(t *testing.T) {
		got := browsertest.Eval[map[string]any](tab, `t.register({email: "not-an-address", password: "short"}).then(
			() => null, (e) => ({name: e.name, status: e.status, error: e.error, description: e.error_description, fields: Object.keys(e.fields).sort().join(",")}))`)
		if got["name"] != "TesseraError" || got["status"] != float64(400) || got["error"] != "invalid_request" ||
			got["description"] == "" || !strings.Contains(got["fields"].(string), "password") {
			t.Fatalf("error %v", got)
		}
		got = browsertest.Eval[map[string]any](tab, fmt.Sprintf(`t.login({email: %q, password: "wrong password, long enough"}).then(
			() => null, (e) => ({status: e.status, error: e.error}))`, u.Email))
		if got["status"] != float64(400) || got["error"] != "invalid_credentials" {
			t.Fatalf("wrong password: %v", got)
		}
	})
}
