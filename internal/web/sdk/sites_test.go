package sdk_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/browsertest"
)

// TestAnotherSiteCannotUseTheCookies: a page on evil.test, open in the
// same browser as a signed-in front-end, can read no answer of Tessera or
// the API, and cannot refresh, log out or change anything: the user's
// cookies never reach them from there (SameSite), and what needs JSON or
// the CSRF header is stopped by CORS before it is sent.
func TestAnotherSiteCannotUseTheCookies(t *testing.T) {
	d := browsertest.NewDeployment(t, nil)
	p := browsertest.NewProfile(t)
	app := p.Open(d.Origin(browsertest.AppHost) + "/")
	u := register(t, app)
	before := sessionOf(t, d, u.ID)
	evilOrigin := d.Origin(browsertest.EvilHost)
	evil := p.Open(evilOrigin + "/")

	reads := []string{d.Issuer() + "/v1/auth/me", d.Issuer() + "/v1/auth/sessions", d.Origin(browsertest.APIHost) + "/v1/whoami"}
	for _, url := range reads {
		got := browsertest.Eval[string](evil, `fetch(`+js(url)+`, {credentials: "include"}).then(async (r) => "read: " + await r.text(), () => "blocked")`)
		if got != "blocked" {
			t.Errorf("evil.test read %s: %s", url, got)
		}
	}
	writes := []string{
		// Simple requests: sent, answer unreadable.
		`fetch(ISSUER + "/v1/auth/refresh", {method: "POST", mode: "no-cors", credentials: "include", body: "{}"})`,
		`fetch(ISSUER + "/v1/auth/logout", {method: "POST", mode: "no-cors", credentials: "include", body: '{"scope":"global"}'})`,
		`fetch(API + "/v1/notes", {method: "POST", mode: "no-cors", credentials: "include"})`,
		// Need a preflight, which fails.
		`fetch(ISSUER + "/v1/auth/refresh", {method: "POST", credentials: "include", headers: {"Content-Type": "application/json", "X-CSRF-Token": "guess"}, body: "{}"})`,
		`fetch(ISSUER + "/v1/auth/me", {method: "PATCH", credentials: "include", headers: {"Content-Type": "application/json"}, body: '{"username": "owned"}'})`,
		`fetch(ISSUER + "/v1/auth/logout", {method: "POST", credentials: "include", headers: {"Content-Type": "application/json"}, body: '{"scope":"global"}'})`,
	}
	for _, w := range writes {
		expr := strings.NewReplacer("ISSUER", js(d.Issuer()), "API", js(d.Origin(browsertest.APIHost))).Replace(w)
		browsertest.Eval[string](evil, expr+`.then(() => "sent", () => "blocked")`)
	}
	// A form posted by the page navigates the whole tab: a top-level
	// cross-site POST, for which SameSite=Lax withholds the cookies too.
	browsertest.Eval[any](evil, `(() => { const f = document.createElement("form"); f.method = "POST";
		f.action = `+js(d.Issuer()+"/v1/auth/logout")+`; f.enctype = "text/plain";
		const i = document.createElement("input"); i.name = '{"scope":"global","x":"'; i.value = '"}'; f.append(i);
		document.body.append(f); setTimeout(() => f.submit()); })()`)
	waitForRequest(t, d, "POST /v1/auth/logout", evilOrigin)
	waitForRequest(t, d, "POST /v1/auth/refresh", evilOrigin) // the simple requests did arrive

	for _, r := range d.Seen() {
		if r.Origin == evilOrigin && len(r.Cookies) > 0 {
			t.Errorf("%s %s from evil.test carried cookies %v", r.Method, r.Path, r.Cookies)
		}
	}
	if after := sessionOf(t, d, u.ID); after != before {
		t.Fatalf("session went from %+v to %+v", before, after)
	}
	if got := currentUser(t, app); got == nil || got.ID != u.ID {
		t.Fatalf("app.tessera.test: t.user() = %+v, want still %s", got, u.Email)
	}
	if got := browsertest.Eval[*string](app, `t.user().then((u) => u.username)`); got != nil {
		t.Fatalf("username changed to %q", *got)
	}
}

// waitForRequest waits until Tessera received methodPath from origin.
func waitForRequest(t *testing.T, d *browsertest.Deployment, methodPath, origin string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, r := range d.Seen() {
			if r.Method+" "+r.Path == methodPath && r.Origin == origin {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s from %s reached Tessera", methodPath, origin)
}

// TestSiblingFrontEndsShareOneSession documents what two front-ends on
// sibling subdomains share with TESSERA_COOKIE_DOMAIN: the cookies, so one
// sign-in and one session (one device) for both. What they do not share:
// storage, BroadcastChannel and Web Locks are per origin, so a sign-out on
// one reaches the other at its next call, not at once.
func TestSiblingFrontEndsShareOneSession(t *testing.T) {
	d := browsertest.NewDeployment(t, nil)
	p := browsertest.NewProfile(t)
	app := p.Open(d.Origin(browsertest.AppHost) + "/")
	u := register(t, app)
	admin := p.Open(d.Origin(browsertest.AdminHost) + "/")
	if got := browsertest.Eval[*user](admin, "window.ready"); got == nil || got.ID != u.ID {
		t.Fatalf("admin.tessera.test: signed in as %+v, want %s (shared cookies)", got, u.Email)
	}
	list := browsertest.Eval[[]map[string]any](admin, `t.fetch(`+js(d.Issuer()+"/v1/auth/sessions")+`).then((r) => r.json()).then((b) => b.sessions)`)
	if len(list) != 1 || list[0]["current"] != true {
		t.Fatalf("sessions seen from admin: %v, want the one session of app", list)
	}
	if n := browsertest.Eval[int](admin, "localStorage.length"); n != 0 {
		t.Fatalf("admin has %d storage keys: it never signed in itself", n)
	}

	browsertest.Eval[any](admin, "t.logout()")
	time.Sleep(300 * time.Millisecond) // a BroadcastChannel message would have arrived by now
	if got := changes(t, app); got[len(got)-1].Email == nil {
		t.Fatalf("app heard of admin's sign-out at once (%+v): channels are per origin", got)
	}
	if got := currentUser(t, app); got != nil {
		t.Fatalf("app: t.user() = %+v after sign-out on admin: the cookies are shared", got)
	}
	if got := changes(t, app); got[len(got)-1].Email != nil || got[len(got)-1].Reason != "session-lost" {
		t.Fatalf("app changes %+v, want the session reported lost", got)
	}
}
